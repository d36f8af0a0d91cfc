"""One small site with a page of every kind, in every language, for the tests that send the
same requests to each kind of page (hostile paths, HTTP methods)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.test import Client
from wagtail.models import Locale, Page

from home.models import StandardPage
from tests.factories import CategoryPageFactory, ServicePageFactory, make_site
from tests.flows.factories import make_flow, page, question

# The language prefixes of i18n_patterns(prefix_default_language=False): English has none.
PREFIXES = {
    code: "" if code == settings.LANGUAGE_CODE else f"/{code}" for code, _ in settings.LANGUAGES
}
FLOW = "/bins/bulky-waste/apply/"
FIRST_STEP = "contact"


READ_ONLY = frozenset({"GET", "HEAD", "OPTIONS"})  # a content page
FORM = READ_ONLY | {"POST"}  # a flow's page


@dataclass(frozen=True)
class PageKind:
    name: str
    path: str  # without the language prefix
    allow: frozenset[str]  # the methods it answers (its Allow header on a 405)
    status: int = 200  # what a GET of the page answers
    # A flow step needs a journey in the session first (see start_journey).
    in_flow: bool = False


PAGE_KINDS = [
    PageKind("home", "/", READ_ONLY),
    PageKind("category", "/bins/", READ_ONLY),
    PageKind("service", "/bins/bulky-waste/", READ_ONLY),
    PageKind("standard", "/privacy/", READ_ONLY),
    PageKind("flow step", f"{FLOW}{FIRST_STEP}/", FORM, in_flow=True),
    PageKind("search", "/search/", frozenset({"GET", "HEAD"})),
    PageKind("track your request", "/track/", frozenset({"GET", "HEAD", "POST"})),
    PageKind("your requests", "/your-requests/", frozenset({"GET", "HEAD", "POST"})),
    PageKind("not found", "/no-such-page/", frozenset(), status=404),
]


def build_site() -> None:
    """Home, a category, a service with its flow and a standard page, each translated into
    every other language (call from setUpTestData)."""
    home = make_site()
    category = CategoryPageFactory(parent=home, slug="bins", title="Bins")
    service = ServicePageFactory(parent=category, slug="bulky-waste", title="Bulky waste")
    flow = make_flow([page(FIRST_STEP, question("email", "email", "Email address"))], service)
    standard = StandardPage(title="Privacy", slug="privacy")
    home.add_child(instance=standard)
    standard.save_revision().publish()
    for code, _name in settings.LANGUAGES:
        if code == settings.LANGUAGE_CODE:
            continue
        locale = Locale.objects.get_or_create(language_code=code)[0]
        for original in (home, category, service, flow, standard):
            translated: Page = original.copy_for_translation(locale, copy_parents=False)
            translated.save_revision().publish()


@contextmanager
def site_for_module(django_db_blocker: Any) -> Iterator[None]:
    """The site, built once for a test module (a module-scoped fixture wraps this) and rolled
    back after it; each test's own changes are rolled back by pytest-django as usual."""
    with django_db_blocker.unblock(), transaction.atomic():
        build_site()
        yield
        transaction.set_rollback(True)


def start_journey(client: Client, prefix: str) -> None:
    """Begin a journey through the flow in this language, as "Start now" does."""
    response = client.get(f"{prefix}{FLOW}")
    assert response.status_code == 302, response.status_code
