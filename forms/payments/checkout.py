"""Sending a resident to pay. Paid flows reach it through the checkout the payments app
installs in the flows app (`CardCheckout`, forms.flows.checkout)."""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse

from forms.flows.constants import SubmissionStatus
from forms.flows.models import Submission
from forms.flows.runtime.pages import (
    change_answers_url,
    confirmation_redirect,
    remember_sent,
    sent_here,
)
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


# The payments a provider will not take again: a new checkout (the next attempt) is needed.
ENDED = {PaymentStatus.FAILED, PaymentStatus.EXPIRED, PaymentStatus.CANCELLED}

# The references this session looked up on "track your request" (with the email address they
# were sent with) while they waited for payment: it may pay for them, as the session that sent
# them may. Newest last, and few, so the session stays small.
MAY_PAY_SESSION_KEY = "payments-may-pay"
MAY_PAY_KEPT = 20


def allow_paying(request: HttpRequest, submission: Submission) -> None:
    """This session has shown it knows `submission`'s reference and email address: it may pay."""
    kept = request.session.get(MAY_PAY_SESSION_KEY, [])
    kept = [ref for ref in kept if ref != submission.reference]
    request.session[MAY_PAY_SESSION_KEY] = [*kept, submission.reference][-MAY_PAY_KEPT:]


def may_pay(request: HttpRequest, submission: Submission) -> bool:
    """Whether this session sent `submission`, or looked it up on "track your request"."""
    return sent_here(request, submission) or submission.reference in request.session.get(
        MAY_PAY_SESSION_KEY, []
    )


def next_attempt(payment: Payment) -> Payment:
    """`payment` ready for a new checkout if its last one failed, expired or was cancelled (a
    provider will not reopen those); else as it is, so a double click finds the same checkout."""
    with transaction.atomic():
        payment = Payment.objects.locked(payment.pk)
        if payment.status in ENDED:
            payment.attempt += 1
            payment.provider_session_id = payment.checkout_url = ""
            payment.expires_at = None
            payment.save(
                update_fields=["attempt", "provider_session_id", "checkout_url", "expires_at"]
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
            "failed": payment.status == PaymentStatus.FAILED,
            # Cancelled on the provider's page: the sandbox records it; Stripe sends the
            # resident back to the cancel address (BasePaymentProvider.cancel_url).
            "cancelled": payment.status == PaymentStatus.CANCELLED
            or (payment.status in OPEN and "cancelled" in request.GET),
            # Only once the change-answers journey exists: None until then, and no link.
            "change_answers_url": change_answers_url(request, submission)
            if payment.status == PaymentStatus.FAILED
            else None,
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


def cannot_pay_here(request: HttpRequest) -> HttpResponse:
    """A "Pay now" from a browser that neither sent the request nor looked it up: where to find
    it (nothing about the request itself, which this browser has not shown it knows)."""
    return TemplateResponse(
        request,
        "payments/cannot_pay_here.html",
        {"contact": ContactSettings.for_request(request)},
        status=403,
    )


def already_paid(request: HttpRequest, submission: Submission) -> HttpResponse:
    """A "Pay now" for a request that needs no payment (paid, or moved on by the team): never a
    second payment. The resident who sent it gets its confirmation page."""
    payment = submission.payments.order_by("-created_at").first()
    paid = payment is not None and payment.status in SETTLED
    if paid and submission.flow is not None and sent_here(request, submission):
        return confirmation_redirect(request, submission)
    return TemplateResponse(
        request,
        "payments/already_paid.html",
        {
            "submission": submission,
            "payment": payment if paid else None,
            "contact": ContactSettings.for_request(request),
        },
    )


def pay_now(request: HttpRequest, submission: Submission) -> HttpResponse:
    """A "Pay now" button (confirmation, "track your request", "You have already sent this"):
    to the provider's page for a request still waiting for payment, for a session that may pay."""
    if not may_pay(request, submission):
        return cannot_pay_here(request)
    payment = submission.payments.order_by("-created_at").first()
    waiting = submission.status == SubmissionStatus.WAITING_FOR_PAYMENT
    if not waiting or (payment is not None and payment.status in SETTLED):
        return already_paid(request, submission)
    payment = next_attempt(payment_for(submission))
    # The session that pays sees the payment's pages and the confirmation, like the sender.
    remember_sent(request, submission)
    return start_checkout(payment, request)


class CardCheckout:
    """The flows app's checkout (forms.flows.checkout): a payment with the site's provider."""

    def open(self, submission: Submission) -> None:
        payment_for(submission)

    def start(self, submission: Submission, request: HttpRequest) -> HttpResponse:
        # The session sent the request and is now sent to pay: it alone may see the payment's
        # pages and the confirmation (forms.flows.runtime.pages.sent_here).
        remember_sent(request, submission)
        return start_checkout(payment_for(submission), request)

    def pay_now_url(self, submission: Submission) -> str:
        # Keyed by the payment's id, as the other payment pages are: it opens nothing by itself
        # and is kept out of the logs (council/access_log.py), where a reference would not be.
        return reverse("payment_pay_now", args=[payment_for(submission).uuid])
