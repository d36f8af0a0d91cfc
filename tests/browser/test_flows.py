"""Every step of every demo flow, in English and in Arabic, filled in and sent in chromium: each
question page as it first shows, with its error summary, with the addresses found for a
postcode; every end point; check your answers; the look-up's answer; the test payment page and
the page for a payment not taken; the confirmation; the satisfaction question, its error and its
thank-you page. Every one of them passes axe (WCAG 2.2 AA) and reflows at 320 pixels."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest

from forms.flows.constants import CHECK_ANSWERS_STEP
from tests.browser.checks import (
    CONTINUE,
    LANGUAGES,
    PageChecker,
    expect_error_summary,
    field,
    fill_in,
    submit,
)
from tests.browser.planner import ROOT

if TYPE_CHECKING:
    from pathlib import Path

    from playwright.sync_api import Page

    from tests.browser.conftest import LiveSite

FLOWS = sorted(path.stem for path in (ROOT / "site" / "demo" / "flows").glob("*.toml"))
# A wrong folder would leave nothing to test and the suite green: refuse that.
assert len(FLOWS) == 20, f"expected the 20 demo flows, found {len(FLOWS)}"


def step_of(flow: dict[str, Any], url: str) -> str:
    path = url.split("://", 1)[-1].split("/", 1)[-1].split("?")[0]
    assert f"/{path}".startswith(flow["url"]), (url, flow["url"])
    return f"/{path}"[len(flow["url"]) :].strip("/")


def in_journey(page: Page, url: str) -> str:
    """A step's URL (from the plan) in the journey the browser is on: the one its page's URL
    carries, as the site's own links (Back, Change) carry it."""
    journey = parse_qs(urlsplit(page.url).query).get("journey")
    assert journey, f"no journey in {page.url}"
    return f"{url}?{urlencode({'journey': journey[0]})}"


def answer(
    page: Page,
    entry: dict[str, Any],
    errors: dict[str, Any] | None,
    files: Path,
    check: PageChecker | None,
) -> None:
    """One question page: (the first time it is met) checked as it shows and with its error
    summary; the address found for each postcode; then the answers, and Continue."""
    step = entry["step"]
    if check:
        check(page, f"step {step}")
        fill_in(page, errors, files)
        submit(page, page.locator(CONTINUE))
        expect_error_summary(page, step)
        check(page, f"step {step}, with errors")
    data = dict(entry["data"])
    for name in entry["finds"]:
        field(page, f"{name}-postcode").fill(str(data.pop(f"{name}-postcode")))
        submit(page, page.locator(f'main button[name="find_address"][value="{name}"]'))
        if check:
            check(page, f"step {step}, addresses found")
    fill_in(page, data, files)
    submit(page, page.locator(CONTINUE))


def feedback(page: Page, check: PageChecker) -> None:
    """The satisfaction question at the end: sent empty (its error), then answered."""
    form = "main form.council-satisfaction"
    submit(page, page.locator(f"{form} button"))
    expect_error_summary(page, "satisfaction question")
    check(page, "satisfaction question, with errors")
    page.locator(f'{form} [name="rating"][value="4"]').check()
    submit(page, page.locator(f"{form} button"))
    assert page.locator(f"{form}").count() == 0, page.url
    check(page, "satisfaction: thank you")


def send(page: Page, flow: dict[str, Any], check: PageChecker) -> None:
    """From check your answers: send (and pay, failing once), then the confirmation."""
    submit(page, page.locator(CONTINUE))
    if flow["fee"]:
        assert "/payments/sandbox/" in page.url, page.url
        check(page, "test payment page")
        submit(page, page.locator('main button[value="fail"]'))
        check(page, "payment not taken")
        submit(page, page.locator(CONTINUE))  # Try again
        assert "/payments/sandbox/" in page.url, page.url
        submit(page, page.locator('main button[value="succeed"]'))
    assert step_of(flow, page.url) == "confirmation", page.url
    check(page, "confirmation")
    feedback(page, check)


@pytest.mark.parametrize("slug", FLOWS)
@pytest.mark.parametrize("language", LANGUAGES)
def test_every_page_of_the_flow_is_accessible(
    page: Page, live_site: LiveSite, language: str, slug: str
) -> None:
    prefix = LANGUAGES[language]
    flow = live_site.language(prefix)["flows"][slug]
    check = PageChecker(prefix)
    assert flow["walks"][-1]["end"] == CHECK_ANSWERS_STEP

    page.goto(flow["service_url"])
    submit(page, page.locator("main a.govuk-button--start"))
    for number, walk in enumerate(flow["walks"]):
        steps = walk["steps"][walk["resume"] :]
        if number:  # back to the page where this walk's answers differ, as a resident would
            page.goto(in_journey(page, steps[0]["url"]))
        for entry in steps:
            assert step_of(flow, page.url) == entry["step"], (page.url, entry["step"])
            first = entry["first"]
            errors = flow["errors"][entry["step"]] if first else None
            answer(page, entry, errors, live_site.files, check if first else None)
        assert step_of(flow, page.url) == walk["end"], (page.url, walk["end"])
        if walk["end"] != CHECK_ANSWERS_STEP:
            check(page, f"end point {walk['end']}")
        elif flow["result"]:
            check(page, "look-up result")
        else:
            check(page, "check your answers")
    # The last walk is the one that is sent (or shows the look-up's answer).
    if flow["result"]:
        feedback(page, check)
    else:
        send(page, flow, check)
    check.assert_clean()
