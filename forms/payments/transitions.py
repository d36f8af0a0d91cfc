"""Every change to a payment goes through here, under a row lock: the return page, webhooks
(repeated, late, out of order or at the same moment) and reconciliation all agree, and the
resident's confirmation email goes exactly once."""

from __future__ import annotations

import logging

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from core.money import format_pence
from forms.flows import statuses
from forms.flows.constants import SubmissionStatus
from forms.flows.notifications import send_confirmation_once

from .constants import ALLOWED, PaymentStatus
from .models import Payment
from .signals import payment_event

logger = logging.getLogger(__name__)


# Payment news counted in the flow's journey (see forms.insights.tracking).
TRACKED: dict[str, str] = {
    PaymentStatus.PAID: "payment_succeeded",
    PaymentStatus.FAILED: "payment_failed",
    PaymentStatus.EXPIRED: "payment_failed",
    PaymentStatus.CANCELLED: "payment_cancelled",
}


def update_payment(
    payment: Payment,
    status: PaymentStatus | str,
    *,
    session_id: str = "",
    payment_id: str = "",
    refunded_pence: int | None = None,
    request: HttpRequest | None = None,
) -> Payment:
    """Move `payment` to `status` if that is allowed from where it is now; returns it fresh."""
    with transaction.atomic():
        payment = Payment.objects.locked(payment.pk)
        if session_id and not payment.provider_session_id:
            payment.provider_session_id = session_id
        if payment_id:
            payment.provider_payment_id = payment_id
        became_paid = False
        if refunded_pence is not None and refunded_pence > payment.refunded_pence:
            payment.refunded_pence = min(refunded_pence, payment.amount_pence)
            status = payment.refund_status
        changed = status != payment.status and status in ALLOWED[payment.status]
        if changed:
            payment.status = status
            if status == PaymentStatus.PAID:
                payment.paid_at = timezone.now()
                became_paid = True
        payment.save()
        if became_paid and not statuses.system_can_move(payment.submission, SubmissionStatus.PAID):
            # Paid through a checkout opened before staff closed the request or marked it paid
            # another way: the money is recorded on the payment for staff to see (and refund),
            # but a finished request is not moved back.
            logger.warning(
                "Payment %s taken for request %s, which is %s",
                payment.uuid,
                payment.submission.reference,
                payment.submission.status,
            )
        elif became_paid:
            payment.submission.set_status(
                SubmissionStatus.PAID,
                note=_("We have received your payment of %(amount)s.")
                % {"amount": format_pence(payment.amount_pence)},
            )
    if changed and payment.status in TRACKED:
        payment_event.send_robust(
            Payment, submission=payment.submission, request=request, kind=TRACKED[payment.status]
        )
    if payment.status == PaymentStatus.PAID:
        send_confirmation_once(payment.submission, request)
    return payment
