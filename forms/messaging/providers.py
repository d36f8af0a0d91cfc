"""The registry of message providers (`notify`, `smtp`, `sandbox`). Each provider module
registers itself with `@providers.register("id")`; the app imports them when it is ready."""

from __future__ import annotations

from django.conf import settings

from core.registry import Registry

from .base import BaseMessageProvider

providers: Registry[type[BaseMessageProvider]] = Registry("message providers")


def get_provider(provider_id: str | None = None) -> BaseMessageProvider:
    """The provider with this id, or the site's configured one (MESSAGE_PROVIDER)."""
    return providers[provider_id or settings.MESSAGE_PROVIDER]()
