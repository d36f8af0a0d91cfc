"""One payment interface for every paid flow: a registry of providers (`stripe`, `sandbox`).

Paid flows reach it through one checkout (`forms.payments.checkout.CardCheckout`, installed in
the flows app when this app is ready); the provider is the one `PAYMENT_PROVIDER` names.
"""

from __future__ import annotations

from .base import BasePaymentProvider, ProviderError, ProviderState
from .constants import PaymentStatus
from .providers import get_provider, providers

__all__ = [
    "BasePaymentProvider",
    "PaymentStatus",
    "ProviderError",
    "ProviderState",
    "get_provider",
    "providers",
]
