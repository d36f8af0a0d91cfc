"""Stripe Checkout: the resident pays on Stripe's hosted page; we hear back from the return page
(which asks Stripe) and from signed webhooks, and either can be first, late, repeated or alone.

Starting a checkout, asking Stripe where a payment is, and refunds are here; the webhooks are
in `stripe_webhooks`. Every call goes through one `StripeClient` made by
`StripeCheckout.client()`, pinned to `STRIPE_API_VERSION`; tests plug a fake in by setting the
module's `http_client`.
"""

from __future__ import annotations

import datetime
import logging
from typing import TYPE_CHECKING, Any, cast

import stripe
from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .base import BasePaymentProvider, ProviderError, ProviderState
from .constants import OPEN, PaymentStatus
from .models import Payment
from .providers import providers
from .stripe_webhooks import StripeWebhooks, intent_id
from .transitions import update_payment

if TYPE_CHECKING:
    from stripe.params.checkout import SessionCreateParams

logger = logging.getLogger(__name__)

# The API version stripe-python 16.1.0 is generated for (its `stripe.api_version`). Pinned so a
# library upgrade never changes the shape of what Stripe sends us without us noticing; move it
# with the library and the webhook endpoint's version in the Stripe dashboard.
STRIPE_API_VERSION = "2026-10-28.endive"

# One retry, with the same idempotency key. That is safe (Stripe replays the first answer for a
# key) and covers a dropped connection and the 409 Stripe gives while another request with the
# same key (a double click) is still being handled. More would keep a resident staring at a
# blank page (backoff 0.5 s, 1 s, 2 s...). A 500 is not worth retrying with the same key (Stripe
# replays it, and usually says Stripe-Should-Retry: false): the resident's next try gets a new key.
MAX_NETWORK_RETRIES = 1
# Seconds to wait for Stripe (stripe-python's default is 80, far too long for a page load).
TIMEOUT_SECONDS = 20

# Set by tests (and only by tests) to a `stripe.HTTPClient` that answers instead of Stripe.
http_client: stripe.HTTPClient | None = None
# The real one, made once: it keeps a requests session per thread, so connections are reused.
_requests_client: stripe.HTTPClient | None = None

# Stripe refuses a Checkout Session that expires sooner than 30 minutes or later than 24 hours
# after it is created; the extra seconds cover the time the request takes to get there.
STRIPE_MIN_EXPIRY = datetime.timedelta(minutes=30)
STRIPE_MAX_EXPIRY = datetime.timedelta(hours=24)
EXPIRY_CUSHION = datetime.timedelta(seconds=90)
# A checkout with less time left than this is not worth sending a resident to.
REUSE_MARGIN = datetime.timedelta(minutes=2)


@providers.register("stripe")
class StripeCheckout(StripeWebhooks, BasePaymentProvider):
    id = "stripe"
    title = _("Stripe Checkout (card payments)")

    @classmethod
    def client(cls) -> stripe.StripeClient:
        """The one way this provider reaches Stripe."""
        if not settings.STRIPE_SECRET_KEY:
            raise ProviderError("STRIPE_SECRET_KEY is not set")
        global _requests_client
        if http_client is None and _requests_client is None:
            _requests_client = stripe.RequestsClient(timeout=TIMEOUT_SECONDS)
        return stripe.StripeClient(
            settings.STRIPE_SECRET_KEY,
            stripe_version=STRIPE_API_VERSION,
            http_client=http_client or _requests_client,
            max_network_retries=MAX_NETWORK_RETRIES,
        )

    # starting

    def start_payment(self, payment: Payment, request: HttpRequest) -> str:
        """The payment's open checkout if it has one with time left, else a new one. The row is
        locked meanwhile, so a double click waits for the first click's checkout and reuses it."""
        client = self.client()
        failure: stripe.StripeError | None = None
        with transaction.atomic():
            locked = Payment.objects.locked(payment.pk)
            if locked.status not in OPEN:  # paid meanwhile: the return page shows it
                return self.return_url(locked, request)
            if self.reusable(locked):
                return locked.checkout_url
            if locked.provider_session_id:
                # The last checkout ran out (or failed): a new one needs a new key, or Stripe
                # would hand back the old one.
                locked.attempt += 1
            params = self.session_params(locked, request)
            try:
                # (cast: stripe's typed params for this API version do not list
                # payment_method_types, which session_params still sends)
                session = client.v1.checkout.sessions.create(
                    cast("SessionCreateParams", params),
                    {"idempotency_key": locked.idempotency_key},
                ).to_dict()
            except stripe.StripeError as error:
                # Stripe stores and replays an error (a 500 too) for the same idempotency key:
                # the next try has to use a new one.
                locked.attempt += 1
                locked.save(update_fields=["attempt", "updated_at"])
                failure = error
            else:
                locked.provider_session_id = session["id"]
                locked.checkout_url = session.get("url") or ""
                locked.expires_at = datetime.datetime.fromtimestamp(
                    session.get("expires_at") or params["expires_at"], tz=datetime.UTC
                )
                locked.options = {"stripe_checkout_session": params}
                locked.save(
                    update_fields=[
                        "attempt",
                        "provider_session_id",
                        "checkout_url",
                        "expires_at",
                        "options",
                        "updated_at",
                    ]
                )
                update_payment(
                    locked, PaymentStatus.PENDING, session_id=session["id"], request=request
                )
        payment.attempt = locked.attempt
        if failure is not None:
            raise ProviderError(f"Stripe could not create a checkout: {failure}") from failure
        if not locked.checkout_url:
            raise ProviderError(f"Stripe gave no checkout URL for {locked.provider_session_id}")
        payment.provider_session_id = locked.provider_session_id
        payment.checkout_url = locked.checkout_url
        payment.expires_at = locked.expires_at
        return locked.checkout_url

    @staticmethod
    def reusable(payment: Payment) -> bool:
        return bool(
            payment.status in (PaymentStatus.CREATED, PaymentStatus.PENDING)
            and payment.provider_session_id
            and payment.checkout_url
            and payment.expires_at
            and payment.expires_at > timezone.now() + REUSE_MARGIN
        )

    def session_params(self, payment: Payment, request: HttpRequest | None) -> dict[str, Any]:
        """What Stripe is asked for. The amount is the payment's, worked out on the server."""
        submission = payment.submission
        metadata = {"reference": submission.reference, "payment": str(payment.uuid)}
        params: dict[str, Any] = {
            "mode": "payment",
            "payment_method_types": ["card"],
            "line_items": [
                {
                    "price_data": {
                        "currency": payment.currency or "gbp",
                        "unit_amount": payment.amount_pence,
                        "product_data": {"name": self.line_item_name(payment)},
                    },
                    "quantity": 1,
                }
            ],
            "client_reference_id": submission.reference,
            "metadata": metadata,
            # so a charge (refunds, disputes) can be traced back without the session
            "payment_intent_data": {"metadata": metadata},
            "success_url": self.return_url(payment, request) + "?session_id={CHECKOUT_SESSION_ID}",
            "cancel_url": self.cancel_url(payment, request),
            "expires_at": self.expires_at(),
        }
        if submission.contact_email:
            params["customer_email"] = submission.contact_email
        return params

    @staticmethod
    def expires_at() -> int:
        """PAYMENT_CHECKOUT_MINUTES from now (kept within what Stripe accepts), to the minute, so
        the same attempt asks for the same thing within a minute (Stripe refuses a reused key
        with different parameters)."""
        wanted = datetime.timedelta(minutes=settings.PAYMENT_CHECKOUT_MINUTES)
        wanted = min(max(wanted, STRIPE_MIN_EXPIRY), STRIPE_MAX_EXPIRY - EXPIRY_CUSHION)
        at = int((timezone.now() + wanted + EXPIRY_CUSHION).timestamp())
        return at - at % 60

    # asking Stripe

    def fetch_state(self, payment: Payment) -> ProviderState:
        if not payment.provider_session_id:
            return ProviderState(status=PaymentStatus(payment.status))
        try:
            session = (
                self.client().v1.checkout.sessions.retrieve(payment.provider_session_id).to_dict()
            )
        except stripe.StripeError as error:
            raise ProviderError(f"Stripe could not say where {payment.uuid} is: {error}") from error
        return ProviderState(
            status=self.session_status(payment, session),
            session_id=session.get("id") or payment.provider_session_id,
            payment_id=intent_id(session),
        )

    @staticmethod
    def session_status(payment: Payment, session: dict[str, Any]) -> PaymentStatus:
        """Where a Checkout Session leaves the payment. Only money actually taken, of the amount
        asked for, counts as paid."""
        status, paid = session.get("status"), session.get("payment_status")
        if status == "expired":
            return PaymentStatus.EXPIRED
        if status != "complete":
            return PaymentStatus.PENDING  # open: the resident may still pay
        if paid != "paid":
            # "unpaid": a delayed method still clearing. "no_payment_required" cannot happen
            # for a fee above £0 with no discounts, so it is not taken as paid.
            if paid == "no_payment_required":
                logger.error("Stripe session %s needed no payment", session.get("id"))
            return PaymentStatus.PENDING
        amount, currency = session.get("amount_total"), session.get("currency")
        if (amount is not None and amount != payment.amount_pence) or (
            currency and currency != (payment.currency or "gbp")
        ):
            logger.error(
                "Stripe session %s took %s %s for a payment of %s %s",
                session.get("id"),
                amount,
                currency,
                payment.amount_pence,
                payment.currency,
            )
            return PaymentStatus.PENDING
        return PaymentStatus.PAID

    # refunds

    def refund(self, payment: Payment, amount_pence: int, idempotency_key: str) -> str:
        intent = payment.provider_payment_id
        if not intent:
            intent = self.fetch_state(payment).payment_id
        if not intent:
            raise ProviderError(f"No Stripe payment to refund for {payment.uuid}")
        try:
            refund = self.client().v1.refunds.create(
                {
                    "payment_intent": intent,
                    "amount": amount_pence,
                    "metadata": {
                        "reference": payment.submission.reference,
                        "payment": str(payment.uuid),
                    },
                },
                {"idempotency_key": idempotency_key},
            )
        except stripe.StripeError as error:
            raise ProviderError(f"Stripe refused the refund: {error}") from error
        return refund.id
