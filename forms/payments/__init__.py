"""One payment interface for every paid flow: a registry of providers (`stripe`, `sandbox`).

Paid flows reach it through one checkout (`forms.payments.checkout.CardCheckout`, installed in
the flows app when this app is ready); the provider is the one `PAYMENT_PROVIDER` names.
"""

from __future__ import annotations

from django.conf import settings

from core.registry import Registry

from .base import BasePaymentProvider, ProviderError, ProviderState
from .constants import PaymentStatus

providers: Registry[type[BasePaymentProvider]] = Registry("payment providers")


def get_provider(provider_id: str | None = None) -> BasePaymentProvider:
    """The provider with this id, or the site's configured one."""
    from . import sandbox, stripe_checkout  # noqa: F401 - they register themselves

    return providers[provider_id or settings.PAYMENT_PROVIDER]()


__all__ = [
    "BasePaymentProvider",
    "PaymentStatus",
    "ProviderError",
    "ProviderState",
    "get_provider",
    "providers",
]
