"""Which peers may speak for the client.

A request's socket address (REMOTE_ADDR) is the only address nobody can forge. Headers that
name the client's address or scheme (X-Real-IP, X-Forwarded-For, X-Forwarded-Proto, ...) are
believed only from the proxies listed in the TRUSTED_PROXIES setting (addresses and CIDR
networks, from the environment; empty: no proxy, no such header is believed). The rate limits
and the admin lockout (core/ratelimits.py `client_ip`), the middleware that removes these
headers from anyone else (council/proxies.py) and gunicorn's `forwarded_allow_ips`
(council/gunicorn.conf.py) all read that one list.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network

# The headers through which a proxy tells us about the client. From any other peer they are
# the client's own word, and are removed before anything reads them.
FORWARDING_HEADERS = (
    "HTTP_X_FORWARDED_FOR",
    "HTTP_X_REAL_IP",
    "HTTP_X_FORWARDED_PROTO",
    "HTTP_X_FORWARDED_PROTOCOL",
    "HTTP_X_FORWARDED_SSL",
    "HTTP_X_FORWARDED_HOST",
    "HTTP_X_FORWARDED_PORT",
    "HTTP_FORWARDED",
)


def parse_networks(values: Iterable[str]) -> tuple[Network, ...]:
    """TRUSTED_PROXIES as networks ("10.0.0.5" is 10.0.0.5/32). Strict, as gunicorn is with the
    same list: "10.0.0.5/24" (host bits set) is refused rather than read as 10.0.0.0/24."""
    networks: list[Network] = []
    for value in values:
        text = value.strip()
        if not text:
            continue
        try:
            networks.append(ipaddress.ip_network(text))
        except ValueError as error:
            raise ImproperlyConfigured(
                f"TRUSTED_PROXIES: {text!r} is not an IP address or network ({error}). "
                "List the proxies' addresses or networks, separated by commas, "
                "e.g. TRUSTED_PROXIES=127.0.0.1,10.0.0.0/24."
            ) from error
    return tuple(networks)


@lru_cache(maxsize=8)
def _networks(values: tuple[str, ...]) -> tuple[Network, ...]:
    return parse_networks(values)


def trusted_networks() -> tuple[Network, ...]:
    """The TRUSTED_PROXIES setting, parsed (once per value: tests may change it)."""
    return _networks(tuple(getattr(settings, "TRUSTED_PROXIES", ())))


def parse_address(value: object) -> Address | None:
    """An address as a header or the socket gives it, or None when it is not one. An IPv4
    address written as IPv6 ("::ffff:10.0.0.2", from a server listening on "::") is the IPv4
    address, so that it matches an IPv4 network."""
    try:
        address = ipaddress.ip_address(str(value).strip())
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def is_trusted_proxy(address: Address | None) -> bool:
    return address is not None and any(address in network for network in trusted_networks())


def client_behind_proxies(hops: Iterable[Address | None]) -> Address | None:
    """The client in an address list our proxies wrote ("client, proxy1, proxy2", as in
    X-Forwarded-For): the rightmost entry that is not itself a trusted proxy. Entries to its left
    are whatever the client sent and prove nothing. None when an entry we must read is not an
    address (the header is broken, so it names nobody). When every entry is a trusted proxy
    (a request from inside), the leftmost."""
    entries = list(hops)
    for hop in reversed(entries):
        if hop is None:
            return None
        if not is_trusted_proxy(hop):
            return hop
    return entries[0] if entries else None
