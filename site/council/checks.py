"""The site's own deployment checks (`manage.py check --deploy`)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def client_address_header_needs_a_proxy(app_configs: Any = None, **kwargs: Any) -> list[Warning]:
    """A client-address header (RATELIMIT_IP_META_KEY) is believed only from TRUSTED_PROXIES.
    Named with no proxy listed, it is never believed: every resident is counted as the proxy's
    one address, so they share one rate limit and one admin lockout."""
    header = getattr(settings, "CLIENT_IP_META_KEY", "") or "REMOTE_ADDR"
    if header != "REMOTE_ADDR" and not getattr(settings, "TRUSTED_PROXIES", []):
        return [
            Warning(
                f"RATELIMIT_IP_META_KEY names {header}, but TRUSTED_PROXIES is empty, so the "
                "header is never believed and every client is counted as the proxy's address.",
                hint="Set TRUSTED_PROXIES to the proxy's address (or network), e.g. 127.0.0.1.",
                id="council.W001",
            )
        ]
    return []
