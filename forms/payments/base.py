"""The one interface every payment provider implements (as Open Forms' payment plugins do)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .constants import PaymentStatus

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

    # (the package imports this module before Django can load the models)
    from .models import Payment


class ProviderError(Exception):
    """The provider could not do it (down, refused, misconfigured). The resident is shown "try
    again" and other ways to pay; the submission stays waiting for payment."""


@dataclass
class ProviderState:
    """What the provider says about a payment when asked."""

    status: PaymentStatus
    session_id: str = ""
    payment_id: str = ""
    refunded_pence: int | None = None


class BasePaymentProvider:
    """A payment provider. Subclasses register with `@providers.register("id")`."""

    id: str = ""
    title: StrOrPromise = _("Payment provider")

    # override

    def start_payment(self, payment: Payment, request: HttpRequest) -> str:
        """Create a checkout for `payment` and return the URL to send the resident to.
        Raise ProviderError when it cannot be created."""
        raise NotImplementedError

    def fetch_state(self, payment: Payment) -> ProviderState:
        """Ask the provider where the payment is (return page, reconciliation)."""
        raise NotImplementedError

    def handle_webhook(self, request: HttpRequest) -> HttpResponse:
        """Check and act on a notification the provider sent to us."""
        raise NotImplementedError

    def refund(self, payment: Payment, amount_pence: int, idempotency_key: str) -> str:
        """Refund `amount_pence` of a paid payment; return the provider's refund id."""
        raise NotImplementedError

    # helpers

    def return_url(self, payment: Payment, request: HttpRequest | None = None) -> str:
        return self.absolute(reverse("payment_return", args=[payment.uuid]), request)

    def cancel_url(self, payment: Payment, request: HttpRequest | None = None) -> str:
        return self.return_url(payment, request) + "?cancelled=1"

    @staticmethod
    def absolute(path: str, request: HttpRequest | None) -> str:
        if request is not None:
            return request.build_absolute_uri(path)
        from django.conf import settings

        return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + path

    @staticmethod
    def line_item_name(payment: Payment) -> str:
        return f"{payment.submission.service_title} ({payment.submission.reference})"
