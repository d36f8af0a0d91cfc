"""Forwarding headers are believed only from our own proxies (TRUSTED_PROXIES, core/proxies.py).

`TrustedProxyHeadersMiddleware` runs first, and removes X-Forwarded-Proto, X-Forwarded-For,
X-Real-IP (and the header named by RATELIMIT_IP_META_KEY) from every request whose peer
(REMOTE_ADDR) is not a trusted proxy. Everything after it then sees only headers it may
believe: SecurityMiddleware's redirect to https and `request.is_secure()` (through
SECURE_PROXY_SSL_HEADER), CSRF's origin check, the rate limits and the admin lockout.
Removing them once here, rather than checking the peer in each of those places, keeps Django's
own code (which reads SECURE_PROXY_SSL_HEADER from any peer) correct too.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from core.proxies import FORWARDING_HEADERS, is_trusted_proxy, parse_address


def untrusted_headers() -> set[str]:
    """The request.META keys a peer other than our proxies may not set."""
    keys = set(FORWARDING_HEADERS)
    client_ip_key = getattr(settings, "CLIENT_IP_META_KEY", "") or ""
    if client_ip_key.startswith("HTTP_"):
        keys.add(client_ip_key)
    ssl_header = getattr(settings, "SECURE_PROXY_SSL_HEADER", None)
    if ssl_header:
        keys.add(ssl_header[0])
    return keys


class TrustedProxyHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not is_trusted_proxy(parse_address(request.META.get("REMOTE_ADDR", ""))):
            for key in untrusted_headers():
                request.META.pop(key, None)
        return self.get_response(request)
