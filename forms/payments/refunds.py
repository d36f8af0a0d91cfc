"""Refunds staff make from a submission in the admin: full or partial, once per request."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from core.money import format_pence

from . import get_provider
from .models import Payment, Refund

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def refund_payment(
    payment: Payment, amount_pence: int, *, user: User, idempotency_key: str, reason: str = ""
) -> Refund:
    """Refund `amount_pence` of `payment`. The same `idempotency_key` (one per refund form
    shown) never refunds twice. Raises ValidationError with a message for staff when the
    amount is not refundable, and ProviderError when the provider refuses."""
    with transaction.atomic():
        payment = Payment.objects.locked(payment.pk)
        existing = Refund.objects.filter(idempotency_key=idempotency_key).first()
        if existing is not None:
            return existing
        if amount_pence <= 0:
            raise ValidationError(_("Enter an amount to refund greater than £0"))
        if amount_pence > payment.refundable_pence:
            raise ValidationError(
                _("The most you can refund is %(amount)s")
                % {"amount": format_pence(payment.refundable_pence)}
            )
        provider_refund_id = get_provider(payment.provider).refund(
            payment, amount_pence, idempotency_key
        )
        refund = Refund.objects.create(
            payment=payment,
            amount_pence=amount_pence,
            reason=reason,
            idempotency_key=idempotency_key,
            provider_refund_id=provider_refund_id,
            user=user,
        )
        payment.refunded_pence += amount_pence
        payment.status = payment.refund_status
        payment.save(update_fields=["refunded_pence", "status", "updated_at"])
        payment.submission.events.create(
            status=payment.submission.status,
            user=user,
            note=_("We have refunded %(amount)s to your card. It can take 5 to 10 days to arrive.")
            % {"amount": format_pence(amount_pence)},
        )
    return refund
