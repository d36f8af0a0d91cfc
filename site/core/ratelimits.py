"""Rate limits on what residents send: flow answers, searches, suggestions and feedback
(django-ratelimit, counted per client address in the cache: Redis in production).

The limits are per minute and generous (RATELIMIT_RATES in the settings): many residents can
share one address, at a library or behind a mobile network. A resident over a limit loses
nothing: the page comes back with what they typed and says to wait a minute (429, Retry-After).
If the cache cannot be reached nobody is limited (RATELIMIT_FAIL_OPEN).
"""

from __future__ import annotations

from typing import TypeVar

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _
from django_ratelimit.core import is_ratelimited

from core import proxies

RETRY_AFTER_SECONDS = 60  # every limit here counts per minute

_Response = TypeVar("_Response", bound=HttpResponse)

TOO_MANY_ANSWERS = _(
    "You have sent too many answers in a short time. Wait a minute, then select Continue again."
)
TOO_MANY_FEEDBACK = _(
    "You have sent too many answers in a short time. Wait a minute, then select Send feedback "
    "again."
)


def client_ip(request: HttpRequest) -> str:
    """The client's address, for the rate limits and the admin lockout alike (so both count the
    same person; AXES_CLIENT_IP_CALLABLE and RATELIMIT_IP_META_KEY name this function).

    The socket's address (REMOTE_ADDR), unless that peer is one of our proxies
    (TRUSTED_PROXIES, core/proxies.py): then the request header named by CLIENT_IP_META_KEY
    (e.g. HTTP_X_REAL_IP), whose rightmost address that is not itself a proxy of ours is the
    client (X-Forwarded-For lists "client, proxy1, proxy2"). From any other peer the header is
    the client's own word, and a client that could choose its address could shed its limits
    and its lockout by changing it with each request.

    A missing or malformed header (a proxy misconfigured) falls back to REMOTE_ADDR rather than
    failing the resident's request; failing that, one shared address, so such requests are
    still counted together."""
    peer = proxies.parse_address(request.META.get("REMOTE_ADDR", ""))
    key = getattr(settings, "CLIENT_IP_META_KEY", "") or "REMOTE_ADDR"
    if key != "REMOTE_ADDR" and proxies.is_trusted_proxy(peer):
        hops = str(request.META.get(key, "")).split(",")
        client = proxies.client_behind_proxies(proxies.parse_address(hop) for hop in hops)
        if client is not None:
            return str(client)
    return str(peer) if peer is not None else "0.0.0.0"


def rate(group: str, request: HttpRequest) -> str:
    """The limit for `group`, from RATELIMIT_RATES (read per request, so tests can change it)."""
    return settings.RATELIMIT_RATES[group]


def over_limit(request: HttpRequest, group: str) -> bool:
    """Count this request against `group`'s limit for the client's address (`client_ip`, through
    RATELIMIT_IP_META_KEY); True when the client is over the limit."""
    return is_ratelimited(
        request, group=group, key="ip", rate=rate, method=is_ratelimited.ALL, increment=True
    )


def too_many_requests(response: _Response) -> _Response:
    """`response` as 429 Too Many Requests, saying when to try again."""
    response.status_code = 429
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response
