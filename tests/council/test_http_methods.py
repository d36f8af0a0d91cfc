"""Each page answers the methods it is used with and refuses the rest with 405 and `Allow`,
as a short GOV.UK page: a content page is read (GET, HEAD, OPTIONS), a flow's step also takes
a form (POST); a PUT, DELETE, PATCH or a made-up method never gets a page, from the page cache
or otherwise. A PUT without a CSRF token is refused by CSRF first (403)."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from django.core.files.base import ContentFile
from django.test import Client
from django.utils import translation
from wagtail.documents import get_document_model

from tests.council.sitepages import PAGE_KINDS, PageKind, site_for_module, start_journey

REFUSED = ["PUT", "DELETE", "PATCH", "FOO"]
TOKEN = "a" * 32  # a CSRF secret, sent as the cookie and the header, as a same-site script does


@pytest.fixture(scope="module")
def site(django_db_setup, django_db_blocker):
    with site_for_module(django_db_blocker):
        yield


def same_site_client() -> Client:
    client = Client(enforce_csrf_checks=True, headers={"X-CSRFToken": TOKEN})
    client.cookies["csrftoken"] = TOKEN
    return client


@pytest.mark.django_db
@pytest.mark.parametrize("kind", PAGE_KINDS, ids=lambda kind: kind.name)
@pytest.mark.parametrize("language", ["en-gb", "cy"])
def test_methods_a_page_does_not_use_are_refused(site, kind: PageKind, language: str) -> None:
    prefix = "" if language == "en-gb" else f"/{language}"
    path = f"{prefix}{kind.path}"
    with translation.override(language):
        heading = translation.gettext("Sorry, we could not read what was sent")
    client = same_site_client()
    if kind.in_flow:
        start_journey(client, prefix)
    get = client.get(path)
    assert get.status_code == kind.status
    if kind.status == 200 and "OPTIONS" in kind.allow:  # a content page: now in the page cache
        assert client.get(path).get("X-Cache") == "hit" or kind.in_flow
    head = client.head(path)
    assert (head.status_code, head.content) == (kind.status, b"")

    for method in ["POST", "OPTIONS", *REFUSED]:
        response = client.generic(method, path)
        if kind.status == 404:
            assert response.status_code == 404, method
        elif method in kind.allow:
            assert response.status_code in (200, 302), method
            if method == "OPTIONS":
                assert set(response["Allow"].split(", ")) == kind.allow
        else:
            assert response.status_code == 405, method
            assert set(response["Allow"].split(", ")) == kind.allow, method
            assert "X-Cache" not in response, method
            assert "no-cache" in response["Cache-Control"], method
            soup = BeautifulSoup(response.content, "html.parser")  # the site's page, in Welsh too
            assert (soup.html["lang"], soup.h1.get_text(strip=True)) == (language, heading)
            assert soup.select_one("header.govuk-template__header"), method

    # Without a CSRF token (any cross-site request) an unsafe method is refused before the page
    # is even looked up.
    assert Client(enforce_csrf_checks=True).put(path).status_code == 403


@pytest.mark.django_db
def test_the_sitemap_and_documents_are_read_only(site) -> None:
    document = get_document_model()(title="Bin calendar")
    document.file.save("bin-calendar.txt", ContentFile(b"Mondays"), save=True)
    client = same_site_client()
    for path in ("/sitemap.xml", document.url):
        assert client.get(path).status_code == 200, path
        for method in REFUSED:
            response = client.generic(method, path)
            assert (response.status_code, response["Allow"]) == (405, "GET, HEAD"), path
