"""The registry of payment providers. Each provider module registers itself with
`@providers.register("id")`; the payments app imports them when it is ready, so every process
(a web worker's first webhook included) knows them all before it serves anything."""

from __future__ import annotations

from django.conf import settings

from core.registry import Registry

from .base import BasePaymentProvider

providers: Registry[type[BasePaymentProvider]] = Registry("payment providers")


def get_provider(provider_id: str | None = None) -> BasePaymentProvider:
    """The provider with this id, or the site's configured one."""
    return providers[provider_id or settings.PAYMENT_PROVIDER]()
