"""The site's own pages in chromium, in English and in Arabic (right to left): home, a category,
a standard page, a service of every kind, search (results, none, "did you mean", a second page,
suggestions as you type), "track your request" in each of its states, "you need to start again",
and the 404 and 500 pages. Each passes axe (WCAG 2.2 AA) and reflows at 320 pixels."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from tests.browser.checks import CONTINUE, LANGUAGES, PageChecker, expect_error_summary, submit
from tests.browser.urls import ERROR_PATH

if TYPE_CHECKING:
    from playwright.sync_api import Page

    from tests.browser.conftest import LiveSite

# Pages the planner found in each language's page tree (a category, a service of every kind).
PLANNED = [
    "home",
    "category",
    "standard",
    "service-info",
    "service-lookup",
    "service-form",
    "service-paid",
    "service-appointment",
]
# Pages at the same address in every language: (name, path after the prefix, status).
FIXED = [
    ("search-results", "/search/?q=bin", 200),
    ("search-no-results", "/search/?q=zzqqxx", 200),
    ("search-did-you-mean", "/search/?q=parkign", 200),
    ("search-page-2", "/search/?q=council&page=2", 200),
    ("not-found", "/no-such-page-here/", 404),
    ("server-error", f"/{ERROR_PATH}", 500),
]


@pytest.mark.parametrize("name", PLANNED)
@pytest.mark.parametrize("language", LANGUAGES)
def test_site_page_is_accessible(page: Page, live_site: LiveSite, language: str, name: str):
    prefix = LANGUAGES[language]
    url = live_site.language(prefix)["pages"][name]
    assert url.startswith(f"{prefix}/"), url
    check = PageChecker(prefix)
    response = page.goto(url)
    assert response.status == 200, (url, response.status)
    check(page, name)
    check.assert_clean()


@pytest.mark.parametrize(("name", "path", "status"), FIXED, ids=[f[0] for f in FIXED])
@pytest.mark.parametrize("language", LANGUAGES)
def test_fixed_page_is_accessible(
    page: Page, live_site: LiveSite, language: str, name: str, path: str, status: int
):
    prefix = LANGUAGES[language]
    check = PageChecker(prefix)
    response = page.goto(f"{prefix}{path}")
    assert response.status == status, (page.url, response.status)
    results = page.locator("main .council-search-results__link").count()
    if name in ("search-results", "search-no-results"):
        assert bool(results) == (name == "search-results"), (page.url, results)
    check(page, name)
    check.assert_clean()


@pytest.mark.parametrize("language", LANGUAGES)
def test_track_your_request_is_accessible(page: Page, live_site: LiveSite, language: str):
    """Empty, sent empty (errors), a reference that is not found, then the one the planner sent
    (four tries: the page allows ten per client every ten minutes)."""
    prefix = LANGUAGES[language]
    check = PageChecker(prefix)
    sent = live_site.plan["track"]

    page.goto(f"{prefix}/track/")
    check(page, "track your request")
    submit(page, page.locator(CONTINUE))
    expect_error_summary(page, "track, sent empty")
    check(page, "track your request, with errors")

    page.locator("#reference").fill("FCC-ZZZZ-ZZZZ")
    page.locator("#email").fill(sent["email"])
    submit(page, page.locator(CONTINUE))
    expect_error_summary(page, "track, not found")
    check(page, "track your request, not found")

    page.locator("#reference").fill(sent["reference"])
    page.locator("#email").fill(sent["email"])
    submit(page, page.locator(CONTINUE))
    assert page.get_by_text(sent["reference"]).count(), page.url
    check(page, "track your request, found")
    check.assert_clean()


@pytest.mark.parametrize("language", LANGUAGES)
def test_search_suggestions_are_accessible(page: Page, live_site: LiveSite, language: str):
    """The header's search box with its suggestions open, then one chosen with the arrow key."""
    prefix = LANGUAGES[language]
    check = PageChecker(prefix)
    page.goto(live_site.language(prefix)["pages"]["category"])
    box = page.locator("#header-search-query")
    box.focus()
    page.keyboard.type("bin")
    listbox = page.locator("#header-search-query-suggestions")
    listbox.wait_for(state="visible")
    assert box.get_attribute("aria-expanded") == "true"
    check(page, "search suggestions")
    page.keyboard.press("ArrowDown")
    assert box.get_attribute("aria-activedescendant"), "ArrowDown chose no suggestion"
    check(page, "search suggestions, one chosen")
    check.assert_clean()


@pytest.mark.parametrize("language", LANGUAGES)
def test_start_again_page_is_accessible(page: Page, live_site: LiveSite, language: str):
    """A flow's later page opened in a new session: "You need to start again"."""
    prefix = LANGUAGES[language]
    check = PageChecker(prefix)
    flow = live_site.language(prefix)["flows"]["pay-parking-fine"]
    response = page.goto(flow["walks"][-1]["steps"][1]["url"])
    assert response.status == 200, (page.url, response.status)
    assert page.locator(f"main a[href='{flow['url']}?reset=1']").count(), page.url
    check(page, "start again")
    check.assert_clean()
