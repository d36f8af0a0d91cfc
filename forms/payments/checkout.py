"""Sending a resident to pay. Paid flows reach it through the checkout the payments app
installs in the flows app (`CardCheckout`, forms.flows.checkout)."""

from __future__ import annotations

import logging

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse

from forms.flows.models import Submission
from forms.flows.runtime.pages import remember_sent
from services.models import ContactSettings

from . import ProviderError, get_provider
from .constants import OPEN, SETTLED, PaymentStatus
from .models import Payment
from .signals import payment_event

logger = logging.getLogger(__name__)


def payment_for(submission: Submission) -> Payment:
    """The submission's payment, made (for its fee, with the site's provider) if it has none."""
    payment = submission.payments.order_by("-created_at").first()
    if payment is None:
        if submission.fee_pence is None:
            raise ValueError(f"Submission {submission.pk} has no fee to pay")
        payment = Payment.objects.create(
            submission=submission,
            provider=settings.PAYMENT_PROVIDER,
            amount_pence=submission.fee_pence,
        )
    return payment


def start_checkout(payment: Payment, request: HttpRequest) -> HttpResponse:
    """Redirect to the provider's payment page, or show "try again" when it cannot be reached.
    The amount is the payment's, worked out on the server: nothing in the request changes it."""
    if payment.status not in OPEN:
        return redirect("payment_return", payment.uuid)
    try:
        url = get_provider(payment.provider).start_payment(payment, request)
    except ProviderError:
        logger.exception("Could not start a payment for %s", payment.submission.reference)
        # Django keeps no session changes from a 5xx answer, and this session has just been
        # noted as the payer (CardCheckout.start): without it "Try again" would not be theirs.
        session = getattr(request, "session", None)
        if session is not None and session.modified and session.session_key:
            session.save()
        return payment_problem(request, payment, status=503)
    payment_event.send_robust(
        Payment, submission=payment.submission, request=request, kind="payment_started"
    )
    return redirect(url)


def payment_problem(request: HttpRequest, payment: Payment, status: int = 200) -> HttpResponse:
    """Your payment was not taken: try again, or pay another way. Nothing is lost."""
    submission = payment.submission
    service = submission.flow.service if submission.flow else None
    return TemplateResponse(
        request,
        "payments/not_taken.html",
        {
            "payment": payment,
            "submission": submission,
            "service": service,
            "contact": ContactSettings.for_request(request),
            "expired": payment.status == PaymentStatus.EXPIRED,
            "cancelled": "cancelled" in request.GET,
        },
        status=status,
    )


def payment_elsewhere(request: HttpRequest, payment: Payment) -> HttpResponse:
    """The return page for a browser that did not send the request: whether the payment was
    received, is being checked or was not taken, and to look for the email. Nothing personal
    (no reference, amount, service, name or email address): the address may have been opened
    by anyone it was passed to."""
    if payment.status in SETTLED:
        state = "received"
    elif payment.status in (PaymentStatus.CREATED, PaymentStatus.PENDING):
        state = "checking"
    else:
        state = "not_taken"
    return TemplateResponse(
        request,
        "payments/elsewhere.html",
        {"state": state, "contact": ContactSettings.for_request(request)},
    )


class CardCheckout:
    """The flows app's checkout (forms.flows.checkout): a payment with the site's provider."""

    def open(self, submission: Submission) -> None:
        payment_for(submission)

    def start(self, submission: Submission, request: HttpRequest) -> HttpResponse:
        # The session sent the request and is now sent to pay: it alone may see the payment's
        # pages and the confirmation (forms.flows.runtime.pages.sent_here).
        remember_sent(request, submission)
        return start_checkout(payment_for(submission), request)
