"""The sandbox provider: `make run`'s embedded default. A clearly marked test payment page on
our own site where the payment can succeed, fail or be cancelled. No money moves; production
settings refuse it."""

from __future__ import annotations

import uuid

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .base import BasePaymentProvider, ProviderState
from .constants import PaymentStatus
from .models import Payment
from .providers import providers
from .transitions import update_payment


@providers.register("sandbox")
class SandboxProvider(BasePaymentProvider):
    id = "sandbox"
    title = _("Sandbox (test payments, no money taken)")

    def start_payment(self, payment: Payment, request: HttpRequest) -> str:
        if not payment.provider_session_id:
            payment.provider_session_id = f"sandbox_cs_{uuid.uuid4().hex[:24]}"
            payment.checkout_url = reverse("payment_sandbox", args=[payment.uuid])
            payment.options = {"amount_pence": payment.amount_pence, "attempt": payment.attempt}
            payment.save(update_fields=["provider_session_id", "checkout_url", "options"])
        update_payment(payment, PaymentStatus.PENDING, request=request)
        return payment.checkout_url

    def fetch_state(self, payment: Payment) -> ProviderState:
        # The sandbox page records the outcome itself; there is nobody else to ask.
        return ProviderState(
            status=PaymentStatus(payment.status),
            session_id=payment.provider_session_id,
            payment_id=payment.provider_payment_id,
        )

    def handle_webhook(self, request: HttpRequest) -> HttpResponse:
        return HttpResponseBadRequest("The sandbox sends no webhooks.")

    def refund(self, payment: Payment, amount_pence: int, idempotency_key: str) -> str:
        return f"sandbox_re_{uuid.uuid5(uuid.NAMESPACE_URL, idempotency_key).hex[:24]}"

    def record_outcome(self, payment: Payment, outcome: str, request: HttpRequest) -> Payment:
        """What the tester chose on the sandbox page."""
        status = {
            "succeed": PaymentStatus.PAID,
            "fail": PaymentStatus.FAILED,
            "cancel": PaymentStatus.CANCELLED,
        }[outcome]
        payment_id = f"sandbox_pi_{payment.uuid.hex[:24]}" if status == PaymentStatus.PAID else ""
        return update_payment(payment, status, payment_id=payment_id, request=request)
