"""Stripe's webhooks: each signed event is recorded once (a repeat does nothing) and acted on in
the same transaction, in whatever order and at whatever moment the events come. Mixed into
`StripeCheckout`, whose `session_status` reads a Checkout Session for the return page and for
these alike."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from typing import Any

import stripe
from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest

from .constants import SETTLED, PaymentStatus
from .models import Payment, PaymentEvent
from .transitions import update_payment

logger = logging.getLogger(__name__)

SESSION_EVENTS = {
    "checkout.session.completed",
    "checkout.session.async_payment_succeeded",
    "checkout.session.async_payment_failed",
    "checkout.session.expired",
}


class StripeWebhooks:
    """The webhook endpoint of the Stripe provider: which payment an event is about, and what it
    changes (through `update_payment`, like every other change)."""

    id: str
    # Where a Checkout Session leaves the payment: StripeCheckout's reading, the same for a
    # webhook as for the return page.
    session_status: Callable[[Payment, dict[str, Any]], PaymentStatus]

    def handle_webhook(self, request: HttpRequest) -> HttpResponse:
        """Check Stripe signed it (recently), record it once, and act on it in the same
        transaction: a repeat of an event already recorded does nothing."""
        try:
            event = stripe.Webhook.construct_event(
                request.body,
                request.headers.get("Stripe-Signature"),
                settings.STRIPE_WEBHOOK_SECRET,
            ).to_dict()
            event_id, event_type = str(event["id"]), str(event["type"])
            obj = event["data"]["object"]
            if not isinstance(obj, dict):
                raise TypeError("data.object is not an object")
        except stripe.SignatureVerificationError:
            logger.warning("Stripe webhook with a bad or stale signature")
            return HttpResponseBadRequest("Bad signature")
        except (ValueError, TypeError, KeyError, AttributeError):
            logger.warning("Stripe webhook that is not an event")
            return HttpResponseBadRequest("Not a Stripe event")

        with transaction.atomic():
            payment = self.payment_for_event(event_type, obj)
            try:
                with transaction.atomic():
                    PaymentEvent.objects.create(
                        provider=self.id,
                        event_id=event_id,
                        type=event_type[:100],
                        payment=payment,
                        payload=event,
                    )
            except IntegrityError:
                logger.info("Stripe event %s already handled", event_id)
                return HttpResponse("Already handled")
            if payment is None:
                if event_type in SESSION_EVENTS or event_type == "charge.refunded":
                    logger.warning("Stripe event %s (%s) is for no payment", event_id, event_type)
                return HttpResponse("No payment")
            self.act_on(event_type, obj, payment)
        return HttpResponse("OK")

    def act_on(self, event_type: str, obj: dict[str, Any], payment: Payment) -> None:
        if event_type == "charge.refunded":
            update_payment(
                payment, payment.status, refunded_pence=int(obj.get("amount_refunded") or 0)
            )
            return
        if event_type not in SESSION_EVENTS:
            return
        if event_type == "checkout.session.expired":
            status = PaymentStatus.EXPIRED
        elif event_type == "checkout.session.async_payment_failed":
            status = PaymentStatus.FAILED
        else:
            status = self.session_status(payment, obj)
        session_id = obj.get("id") or ""
        current = not payment.provider_session_id or payment.provider_session_id == session_id
        if status not in (PaymentStatus.PAID, PaymentStatus.PENDING) and not current:
            # An older checkout of this payment expired or failed: the current one may be open.
            logger.info("Stripe %s for %s: not its current checkout", event_type, payment.uuid)
            return
        payment_id = intent_id(obj)
        if status == PaymentStatus.PAID and payment.status in SETTLED:
            if payment_id and payment.provider_payment_id not in ("", payment_id):
                logger.error(
                    "Payment %s (%s) was paid twice: %s and %s",
                    payment.uuid,
                    payment.submission.reference,
                    payment.provider_payment_id,
                    payment_id,
                )
            payment_id = ""  # refunds go to the payment first recorded
        update_payment(payment, status, session_id=session_id, payment_id=payment_id)

    def payment_for_event(self, event_type: str, obj: dict[str, Any]) -> Payment | None:
        """The payment an event is about: by our metadata, then the submission's reference,
        then the checkout session (or, for a charge, its payment intent)."""
        payments = Payment.objects.filter(provider=self.id).select_related("submission")
        if event_type not in SESSION_EVENTS and event_type != "charge.refunded":
            return None
        try:
            found = payments.filter(uuid=uuid.UUID(str((obj.get("metadata") or {})["payment"])))
        except (KeyError, ValueError, TypeError, AttributeError):
            found = payments.none()
        if found:
            return found[0]
        if event_type == "charge.refunded":
            intent = intent_id(obj)
            return payments.filter(provider_payment_id=intent).first() if intent else None
        reference = obj.get("client_reference_id")
        if reference:
            latest = payments.filter(submission__reference=reference).order_by("-created_at")
            if (by_reference := latest.first()) is not None:
                return by_reference
        session_id = obj.get("id")
        return payments.filter(provider_session_id=session_id).first() if session_id else None


def intent_id(obj: dict[str, Any]) -> str:
    """The payment intent of a session or charge (an id, or an expanded object)."""
    intent = obj.get("payment_intent")
    if isinstance(intent, dict):
        intent = intent.get("id")
    return intent or ""
