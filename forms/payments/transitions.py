"""Every change to a payment goes through here, under a row lock: the return page, webhooks
(repeated, late, out of order or at the same moment) and reconciliation all agree, and the
resident's confirmation email goes exactly once."""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from forms import tracking
from forms.constants import SubmissionStatus
from forms.money import format_pence

from .constants import ALLOWED, PaymentStatus

logger = logging.getLogger(__name__)


# Payment news counted in the flow's journey (see forms.tracking).
TRACKED = {
    PaymentStatus.PAID: "payment_succeeded",
    PaymentStatus.FAILED: "payment_failed",
    PaymentStatus.EXPIRED: "payment_failed",
    PaymentStatus.CANCELLED: "payment_cancelled",
}


def update_payment(
    payment: Any,
    status: PaymentStatus | str,
    *,
    session_id: str = "",
    payment_id: str = "",
    refunded_pence: int | None = None,
    request: HttpRequest | None = None,
) -> Any:
    """Move `payment` to `status` if that is allowed from where it is now; returns it fresh."""
    from forms.models import Payment

    with transaction.atomic():
        payment = (
            Payment.objects.select_for_update().select_related("submission").get(pk=payment.pk)
        )
        if session_id and not payment.provider_session_id:
            payment.provider_session_id = session_id
        if payment_id:
            payment.provider_payment_id = payment_id
        became_paid = False
        if refunded_pence is not None and refunded_pence > payment.refunded_pence:
            payment.refunded_pence = min(refunded_pence, payment.amount_pence)
            status = (
                PaymentStatus.REFUNDED
                if payment.refunded_pence >= payment.amount_pence
                else PaymentStatus.PARTIALLY_REFUNDED
            )
        changed = status != payment.status and status in ALLOWED[payment.status]
        if changed:
            payment.status = status
            if status == PaymentStatus.PAID:
                payment.paid_at = timezone.now()
                became_paid = True
        payment.save()
        if became_paid:
            payment.submission.set_status(
                SubmissionStatus.PAID,
                note=_("We have received your payment of %(amount)s.")
                % {"amount": format_pence(payment.amount_pence)},
            )
    if changed and payment.status in TRACKED:
        tracking.record_for_submission(request, payment.submission, TRACKED[payment.status])
    if payment.status == PaymentStatus.PAID:
        send_confirmation_once(payment.submission, request)
    return payment


def send_confirmation_once(submission: Any, request: HttpRequest | None = None) -> bool:
    """Send the resident's confirmation email unless someone already has."""
    from forms.notifications import send_confirmation

    if not submission.claim_confirmation():
        return False
    send_confirmation(submission, request)
    return True
