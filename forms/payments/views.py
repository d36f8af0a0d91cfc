"""Provider-independent payment URLs: start (or try again), return, webhook, and the sandbox's
test payment page."""

from __future__ import annotations

import logging
import uuid

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from forms.flows.runtime import confirmation_redirect
from forms.flows.runtime.pages import sent_here

from . import ProviderError, get_provider
from .checkout import next_attempt, pay_now, payment_elsewhere, payment_problem, start_checkout
from .constants import OPEN, SETTLED
from .models import Payment
from .sandbox import SandboxProvider
from .transitions import update_payment

logger = logging.getLogger(__name__)


def _payment(payment_uuid: uuid.UUID) -> Payment:
    return get_object_or_404(Payment.objects.select_related("submission"), uuid=payment_uuid)


@require_POST
def start(request: HttpRequest, payment_uuid: uuid.UUID) -> HttpResponse:
    """ "Try again": a new checkout if the last one failed or expired, else the same one. Only
    for the session that sent the request: the provider's page shows the amount and the email
    address, so anyone else is sent to the return page, which tells them nothing personal."""
    payment = _payment(payment_uuid)
    if not sent_here(request, payment.submission):
        return redirect("payment_return", payment.uuid)
    return start_checkout(next_attempt(payment), request)


@require_POST
def pay_now_view(request: HttpRequest, payment_uuid: uuid.UUID) -> HttpResponse:
    """ "Pay now" (forms.flows.checkout.Checkout.pay_now_url): for the request the payment is
    for, whichever of its payments is the latest."""
    return pay_now(request, _payment(payment_uuid).submission)


@require_safe
def payment_return(request: HttpRequest, payment_uuid: uuid.UUID) -> HttpResponse:
    """Where the resident comes back to: re-read the payment from the provider, then the
    confirmation if it is paid, or "your payment was not taken".

    The payment is brought up to date whoever follows the link (the provider's success may arrive
    in another browser: a bank app opening it), but only the session that sent the request sees
    its reference, fee and answers; anyone else sees whether the payment was received."""
    payment = _payment(payment_uuid)
    if payment.status in OPEN and payment.provider_session_id:
        try:
            state = get_provider(payment.provider).fetch_state(payment)
        except ProviderError:
            logger.exception("Could not check payment %s", payment.uuid)
        else:
            payment = update_payment(
                payment,
                state.status,
                session_id=state.session_id,
                payment_id=state.payment_id,
                request=request,
            )
    submission = payment.submission
    if not sent_here(request, submission):
        return payment_elsewhere(request, payment)
    if payment.status in SETTLED and submission.flow is not None:
        return confirmation_redirect(request, submission)
    return payment_problem(request, payment)


@csrf_exempt
@require_POST
def webhook(request: HttpRequest, provider_id: str) -> HttpResponse:
    # The providers registered when the app was ready: a fresh process's first webhook finds its
    # provider (an unknown id is a 404).
    try:
        provider = get_provider(provider_id)
    except KeyError:
        raise Http404 from None
    return provider.handle_webhook(request)


@require_http_methods(["GET", "HEAD", "POST"])
def sandbox(request: HttpRequest, payment_uuid: uuid.UUID) -> HttpResponse:
    """The test payment page (sandbox only: 404 wherever real payments are taken). It stands in
    for the provider's page, which anyone with its address may use; the reference and amount are
    shown only to the session that sent the request."""
    payment = _payment(payment_uuid)
    if settings.PAYMENT_PROVIDER != "sandbox" or payment.provider != "sandbox":
        raise Http404
    if request.method == "POST":
        outcome = request.POST.get("outcome")
        if outcome in ("succeed", "fail", "cancel") and payment.status in OPEN:
            SandboxProvider().record_outcome(payment, outcome, request)
        return redirect("payment_return", payment.uuid)
    return TemplateResponse(
        request,
        "payments/sandbox.html",
        {
            "payment": payment,
            "submission": payment.submission,
            "sent_here": sent_here(request, payment.submission),
        },
    )
