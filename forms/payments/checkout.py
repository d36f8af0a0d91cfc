"""Sending a resident to pay: the one call paid flows make."""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse

from forms import tracking

from . import ProviderError, get_provider
from .constants import OPEN, PaymentStatus

logger = logging.getLogger(__name__)


def payment_for(submission: Any) -> Any:
    """The submission's payment, made (for its fee, with the site's provider) if it has none."""
    from forms.models import Payment

    payment = submission.payments.order_by("-created_at").first()
    if payment is None:
        payment = Payment.objects.create(
            submission=submission,
            provider=settings.PAYMENT_PROVIDER,
            amount_pence=submission.fee_pence,
        )
    return payment


def start_checkout(payment: Any, request: HttpRequest) -> HttpResponse:
    """Redirect to the provider's payment page, or show "try again" when it cannot be reached.
    The amount is the payment's, worked out on the server: nothing in the request changes it."""
    if payment.status not in OPEN:
        return redirect("payment_return", payment.uuid)
    try:
        url = get_provider(payment.provider).start_payment(payment, request)
    except ProviderError:
        logger.exception("Could not start a payment for %s", payment.submission.reference)
        return payment_problem(request, payment, status=503)
    tracking.record_for_submission(request, payment.submission, "payment_started")
    return redirect(url)


def payment_problem(request: HttpRequest, payment: Any, status: int = 200) -> HttpResponse:
    """Your payment was not taken: try again, or pay another way. Nothing is lost."""
    from services.models import ContactSettings

    submission = payment.submission
    service = submission.flow.service if submission.flow else None
    return TemplateResponse(
        request,
        "flows/payments/not_taken.html",
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
