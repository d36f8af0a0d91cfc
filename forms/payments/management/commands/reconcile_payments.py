"""Ask the provider about payments still open long after their checkout started, and record
what it says: a webhook that never came (or came while we were down) is caught up with here.

Run it from cron every 15 minutes or so:  manage.py reconcile_payments
"""

from __future__ import annotations

import datetime
import logging
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.db.models import Q, QuerySet
from django.utils import timezone

from forms import payments
from forms.payments.constants import ALLOWED, PaymentStatus
from forms.payments.models import Payment
from forms.payments.transitions import update_payment

logger = logging.getLogger(__name__)

STILL_OPEN = (PaymentStatus.CREATED, PaymentStatus.PENDING)


def payments_to_reconcile(
    older_than_minutes: int, now: datetime.datetime | None = None
) -> QuerySet:
    """Payments not started or waiting for the card, whose checkout began before the cutoff.
    A payment that never got as far as a checkout (no session) has nothing to ask about."""
    cutoff = (now or timezone.now()) - datetime.timedelta(minutes=older_than_minutes)
    return (
        Payment.objects.filter(status__in=STILL_OPEN, created_at__lt=cutoff)
        .exclude(Q(status=PaymentStatus.CREATED) & Q(provider_session_id=""))
        .select_related("submission")
        .order_by("created_at", "pk")
    )


def describe(status: str) -> str:
    try:
        return str(PaymentStatus(status).label)
    except ValueError:
        return status


def would_change(payment: Payment, state: Any) -> bool:
    """What update_payment would do with this state (for --dry-run)."""
    if state.refunded_pence is not None and state.refunded_pence > payment.refunded_pence:
        return True
    return state.status != payment.status and state.status in ALLOWED[payment.status]


class Command(BaseCommand):
    help = (
        "Ask the payment provider about payments still open (not started or waiting for the "
        "card) whose checkout started more than --older-than minutes ago, and record what it "
        "says. A provider error for one payment is reported and the others are still checked."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--older-than",
            type=int,
            default=None,
            metavar="MINUTES",
            help="Only payments started more than this many minutes ago "
            "(default: PAYMENT_RECONCILE_AFTER_MINUTES).",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Ask the provider and say what would change, and change nothing.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        minutes = options["older_than"]
        if minutes is None:
            minutes = settings.PAYMENT_RECONCILE_AFTER_MINUTES
        dry_run = options["dry_run"]
        # Read first: the rows change as we go.
        pks = list(payments_to_reconcile(minutes).values_list("pk", flat=True))
        checked = changed = errors = 0
        provider_cache: dict[str, Any] = {}
        for pk in pks:
            payment = Payment.objects.select_related("submission").filter(pk=pk).first()
            if payment is None or payment.status not in STILL_OPEN:
                continue  # deleted, or a webhook settled it while we were busy
            checked += 1
            reference = payment.submission.reference
            try:
                if payment.provider not in provider_cache:
                    provider_cache[payment.provider] = payments.get_provider(payment.provider)
                state = provider_cache[payment.provider].fetch_state(payment)
            except payments.ProviderError as error:
                errors += 1
                self.stderr.write(
                    f"{reference}: could not ask {payment.provider} ({error or 'no reason given'})"
                    "; it will be asked again next time."
                )
                continue
            except Exception as error:  # one payment's problem must not stop the others
                errors += 1
                logger.exception("Could not ask about the payment of %s", reference)
                self.stderr.write(f"{reference}: could not ask {payment.provider} ({error!r}).")
                continue
            was = payment.status
            if dry_run:
                if would_change(payment, state):
                    changed += 1
                    self.stdout.write(
                        f"Would change {reference} ({payment.provider}): "
                        f"{describe(was)} -> {describe(state.status)}"
                    )
                continue
            try:
                updated = update_payment(
                    payment,
                    state.status,
                    session_id=state.session_id,
                    payment_id=state.payment_id,
                    refunded_pence=state.refunded_pence,
                )
            except Exception as error:  # one payment's problem must not stop the others
                errors += 1
                logger.exception("Could not record the provider's state of %s", reference)
                self.stderr.write(
                    f"{reference}: could not record what the provider said ({error})."
                )
                continue
            if updated.status != was:
                changed += 1
                self.stdout.write(
                    f"{reference} ({payment.provider}): {describe(was)} -> "
                    f"{describe(updated.status)}"
                )
        unchanged = checked - changed - errors
        summary = (
            f"Checked {plural(checked, 'payment')} started more than {minutes} minutes ago: "
            f"{changed} {'would change' if dry_run else 'changed'}, {unchanged} unchanged, "
            f"{plural(errors, 'error')}."
        )
        if dry_run:
            self.stdout.write(f"Dry run: {summary} Nothing was changed.")
        elif errors:
            self.stdout.write(self.style.WARNING(summary))
        else:
            self.stdout.write(self.style.SUCCESS(summary))


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"
