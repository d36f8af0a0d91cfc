"""Addresses built from the request's own path, kept on this site.

The path a browser sends is the attacker's to choose: `//evil.example/x/` is a path to the
server but, written into a link, a scheme-relative URL to another host; so is `/\\evil.example/`
(browsers read a backslash as a slash), and `%2F%2F`, `%5C`, tabs and new lines decode into the
same. Anything that writes the request's path into a link, a `Location` or a cache key goes
through `local_path` / `local_full_path` first, and anything built from it (a translated URL)
is checked with `is_local_path` before use. A local path is then also safe to hand to
`request.build_absolute_uri`, which keeps it on the request's (validated) host.

Django's `url_has_allowed_host_and_scheme` answers "may I redirect there?" for a URL that came
from outside; these functions make a path that came from outside into one that is safe to write.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.encoding import escape_uri_path, iri_to_uri
from django.utils.http import url_has_allowed_host_and_scheme

# Characters a browser drops or reads differently inside a URL (WHATWG URL parsing): C0
# controls (tab, CR and LF among them), space, DEL and the backslash.
_UNSAFE = frozenset(chr(c) for c in range(0x21)) | {"\x7f", "\\"}


def is_local_path(url: str) -> bool:
    """Whether `url` is a path on this site as a browser reads it: one "/" then no second
    "/" or "\\", nothing a browser would drop, no scheme and no host."""
    return (
        url.startswith("/")
        and url[1:2] != "/"
        and not _UNSAFE.intersection(url)
        and url_has_allowed_host_and_scheme(url, allowed_hosts=None)
    )


def local_path(path: str) -> str:
    """`path` (a request's decoded path) as a local address: percent-encoded as
    `get_full_path` does (control characters, spaces and backslashes included), with any run of
    leading slashes made one."""
    escaped = escape_uri_path(path)  # keeps "/", encodes "\\", "%", controls and non-ASCII
    local = "/" + escaped.lstrip("/")
    return local if is_local_path(local) else "/"


def local_full_path(request: HttpRequest) -> str:
    """`request.get_full_path()` made local: the path as `local_path`, then the query string
    (which cannot change the host, once after a "?"), encoded as `get_full_path` does, which
    encodes controls, spaces and backslashes too."""
    path = local_path(request.path)
    query = iri_to_uri(request.META.get("QUERY_STRING", ""))
    return f"{path}?{query}" if query else path


def is_canonical_path(request: HttpRequest) -> bool:
    """Whether the request's path is already local as sent, so that anything stored under it
    (a cached page) is what every reader of that address gets."""
    return escape_uri_path(request.path) == local_path(request.path)
