"""A crafted address never puts another site in our links: every URL the site builds from the
request's path (the language switcher, hreflang alternates, back links, redirects) stays on the
site, on every kind of page, in every language, and nothing in the path reaches a header."""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import unquote, urljoin, urlsplit

import pytest
from django.test import Client

from core.paths import is_local_path, local_path
from tests.council.sitepages import PAGE_KINDS, PREFIXES, PageKind, site_for_module, start_journey

HOST = "testserver"

# How each attack is put into the address of a page: as a prefix that makes it start with two
# slashes (whole or encoded, or a backslash that browsers read as a slash), or as a suffix that
# tries to start a new header line. `{path}` is the page's own path with its language prefix.
HOSTILE = {
    "two slashes": "//evil.example{path}",
    "slash backslash": "/\\evil.example{path}",
    "encoded slashes": "/%2F%2Fevil.example{path}",
    "encoded backslash": "/%5Cevil.example{path}",
    "header injection": "{path}%0d%0aSet-Cookie:a=b",
    "tab then slash": "/\t/evil.example{path}",
}
# And on the page itself, query strings naming another site (search keeps its query in the
# language switcher, a flow step its whole query).
HOSTILE_QUERY = "q=%2F%2Fevil.example%2F&next=//evil.example/&x=%0d%0aSet-Cookie:a=b"

C0_AND_SPACE = "".join(map(chr, range(0x21)))
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "srcset", "poster", "data"}


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.urls += [value for name, value in attrs if name in URL_ATTRIBUTES and value]


def host_a_browser_would_use(url: str, base: str) -> str | None:
    """The host a browser follows `url` to from `base`: it drops tabs and newlines anywhere,
    trims control characters and spaces, and reads a backslash as a slash (WHATWG URL)."""
    cleaned = "".join(c for c in url if c not in "\t\n\r").strip(C0_AND_SPACE).replace("\\", "/")
    parts = urlsplit(urljoin(base, cleaned))
    if parts.scheme in ("tel", "mailto"):
        return HOST
    return parts.hostname


@pytest.mark.parametrize("form", HOSTILE.values(), ids=HOSTILE.keys())
def test_a_hostile_path_is_made_local(form: str) -> None:
    decoded = unquote(form.format(path="/x/"))
    assert not is_local_path(decoded)
    local = local_path(decoded)
    assert is_local_path(local)
    assert host_a_browser_would_use(local, "http://testserver/") == HOST


@pytest.fixture(scope="module")
def site(django_db_setup, django_db_blocker):
    with site_for_module(django_db_blocker):
        yield


def requested_paths(kind: PageKind, prefix: str) -> list[str]:
    own = f"{prefix}{kind.path}"
    return [f"{own}?{HOSTILE_QUERY}", *(form.format(path=own) for form in HOSTILE.values())]


@pytest.mark.django_db
@pytest.mark.parametrize("kind", PAGE_KINDS, ids=lambda kind: kind.name)
def test_links_and_redirects_stay_on_the_site(site, kind: PageKind) -> None:
    problems: list[str] = []
    for language, prefix in PREFIXES.items():
        client = Client()
        if kind.in_flow:
            start_journey(client, prefix)
        for raw in requested_paths(kind, prefix):
            path, _, query = raw.partition("?")
            # As a WSGI server passes it on: the path decoded, the query string as sent.
            response = client.get("/", PATH_INFO=unquote(path), QUERY_STRING=query)
            where = f"{language} {raw!r} ({response.status_code})"
            if raw.startswith(f"{prefix}{kind.path}?") and response.status_code != kind.status:
                problems.append(f"{where}: the page itself should answer {kind.status}")
            if response.status_code >= 500 or "a" in response.cookies:
                problems.append(f"{where}: server error or cookie set")
            for name, value in response.items():
                if "\r" in value or "\n" in value:
                    problems.append(f"{where}: a new line in {name}")
            base = f"http://{HOST}{unquote(path)}"
            links = Links()
            links.feed(response.content.decode())
            for url in [response.get("Location", ""), *links.urls]:
                if url and host_a_browser_would_use(url, base) != HOST:
                    problems.append(f"{where}: {url}")
    assert not problems, "\n".join(problems)
