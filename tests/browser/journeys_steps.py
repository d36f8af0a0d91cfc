"""What the journey suite (test_journeys.py) does as a resident would, and how it checks it.

Answers are found by their visible labels and sent with the visible buttons; the browser's own
Back, Forward and Reload are used as a person uses them. Every navigation is checked for what a
person would notice: chromium's own error page ("Confirm Form Resubmission", ERR_CACHE_MISS), a
form sent again, a page without the site's header or without a heading. The database the served
site writes to is read (read-only) to count the requests really sent.
"""

from __future__ import annotations

import functools
import re
import sqlite3
import tempfile
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

if TYPE_CHECKING:
    from playwright.sync_api import Locator, Page, Response

    from tests.browser.conftest import LiveSite

# What chromium shows instead of a page when going back to (or reloading) the answer to a POST.
BROWSER_ERRORS = re.compile(r"Confirm Form Resubmission|ERR_CACHE_MISS|This site can.t be reached")
HEADER = "header.council-header"
ERROR_SUMMARY = ".govuk-error-summary"
# Where a failing test leaves its screenshots.
SCREENSHOTS = Path(tempfile.gettempdir()) / "browser-journeys"
POSTCODE = "FE1 1AA"  # a demo postcode with several addresses


@dataclass(frozen=True)
class Answer:
    """One answer on a question page: how to give it and how to see it is still given.

    kind: "fill" (a text box), "check" (a radio or a checkbox, by its label), "address" (the
    postcode, "Find address", then the address chosen from the list)."""

    kind: str
    label: str
    value: str = ""

    def give(self, page: Page) -> None:
        main = page.locator("main")
        if self.kind == "fill":
            main.get_by_label(self.label, exact=True).fill(self.value)
        elif self.kind == "check":
            main.get_by_label(self.label, exact=True).check()
        elif self.kind == "address":
            find_address(page, POSTCODE)
            main.get_by_label("Select an address").select_option(label=self.value)
        else:  # pragma: no cover - a mistake in the suite
            raise ValueError(self.kind)

    def expect_given(self, page: Page) -> None:
        main = page.locator("main")
        if self.kind == "fill":
            expect(main.get_by_label(self.label, exact=True)).to_have_value(self.value)
        elif self.kind == "check":
            expect(main.get_by_label(self.label, exact=True)).to_be_checked()
        elif self.kind == "address":
            expect(postcode_box(page)).to_have_value(POSTCODE)
            chosen = main.get_by_label("Select an address").locator("option:checked")
            expect(chosen).to_have_text(self.value)


@dataclass(frozen=True)
class Question:
    """A question page: its heading (the question, or the page's own heading) and answers."""

    heading: str
    answers: tuple[Answer, ...]

    def answer(self, page: Page) -> None:
        expect_question(page, self.heading)
        for answer in self.answers:
            answer.give(page)
        press_continue(page)

    def expect_answers(self, page: Page) -> None:
        expect_question(page, self.heading)
        for answer in self.answers:
            answer.expect_given(page)


def expect_site_page(page: Page, what: str) -> None:
    """A page of the site (its header, a heading), not chromium's error page."""
    body = page.locator("body").inner_text(timeout=5_000) if page.locator("body").count() else ""
    assert not BROWSER_ERRORS.search(body), f"{what}: the browser's error page at {page.url}"
    expect(page.locator(HEADER), f"{what}: the site's header").to_be_visible()
    expect(page.locator("main h1").first, f"{what}: a heading").to_be_visible()


def expect_question(page: Page, heading: str) -> None:
    expect(page.locator("main h1"), f"the question {heading!r}").to_have_text(heading)


def expect_no_error(page: Page, what: str) -> None:
    expect(page.locator(ERROR_SUMMARY), f"{what}: no error summary").to_have_count(0)


def press_continue(page: Page) -> None:
    page.locator("main").get_by_role("button", name="Continue", exact=True).click()
    page.wait_for_load_state()


def postcode_box(page: Page) -> Locator:
    """The address finder's postcode box (not the one for an address typed in by hand, which
    is hidden until the resident opens "Enter address manually")."""
    return page.locator("main").get_by_role("textbox", name="Postcode", exact=True)


def find_address(page: Page, postcode: str) -> None:
    postcode_box(page).fill(postcode)
    page.locator("main").get_by_role("button", name="Find address").click()
    expect(page.locator("main").get_by_label("Select an address")).to_be_visible()


def start(page: Page, service_url: str) -> None:
    """The service page (the one URL typed in), then "Start now"."""
    page.goto(service_url)
    page.get_by_role("button", name="Start now").click()
    page.wait_for_load_state()


def navigate(page: Page, how: str, what: str) -> Response | None:
    """The browser's own Back, Forward or Reload, and what a resident then sees.

    The page must come from a GET (a reload or a step in the history that sends a form again is
    the "Confirm Form Resubmission" problem: with the answer to every POST a redirect, no page
    in the history is the answer to a POST), with a status below 400, and be the site's page."""
    action: Callable[..., Response | None] = {
        "back": page.go_back,
        "forward": page.go_forward,
        "reload": page.reload,
    }[how]
    try:
        response = action()
    except PlaywrightError as error:
        raise AssertionError(f"{what}: {how} showed the browser's error page: {error}") from None
    if response is not None:  # None: restored from the back/forward cache, not requested
        method = response.request.method
        assert method == "GET", f"{what}: {how} sent a form again ({method} {response.url})"
        assert response.status < 400, f"{what}: {how} answered {response.status} at {page.url}"
    expect_site_page(page, f"{what}, then {how}")
    return response


def back_forward_reload(
    page: Page, what: str, heading: str, still: Callable[[Page], None] | None = None
) -> None:
    """Reload, Back then Forward: each shows the site's page, and after Reload and after
    Forward the same question, with what `still` checks still there."""
    for how in ("reload", "back", "forward"):
        navigate(page, how, what)
        if how == "back":
            continue
        expect_question(page, heading)
        if still:
            try:
                still(page)
            except AssertionError as error:
                raise AssertionError(f"{what}, then {how}: {error}") from None


class Requests:
    """The requests the served site has saved, read from its database (never written)."""

    def __init__(self, live_site: LiveSite) -> None:
        url = live_site.env["BROWSER_DATABASE_URL"]  # sqlite:////absolute/path
        assert url.startswith("sqlite:///"), url
        self.path = Path(url.removeprefix("sqlite:///"))

    def _rows(self, sql: str, *args: object) -> list[tuple]:
        with sqlite3.connect(f"file:{self.path}?mode=ro", uri=True) as db:
            return db.execute(sql, args).fetchall()

    def references(self, email: str) -> list[str]:
        rows = self._rows("SELECT reference FROM flows_submission WHERE contact_email = ?", email)
        return [row[0] for row in rows]

    def answers(self, email: str) -> list[str]:
        rows = self._rows("SELECT answers FROM flows_submission WHERE contact_email = ?", email)
        return [str(row[0]) for row in rows]

    def paid(self, reference: str) -> int:
        """How many payments for the request have been taken."""
        rows = self._rows(
            "SELECT COUNT(*) FROM flows_payment p JOIN flows_submission s"
            " ON p.submission_id = s.id WHERE s.reference = ? AND p.paid_at IS NOT NULL",
            reference,
        )
        return int(rows[0][0])


def reference_on(page: Page) -> str:
    """The reference shown on the page (confirmation, test payment page, already sent)."""
    found = re.search(r"\b[A-Z]{3}-[A-Z0-9]{4}-[A-Z0-9]{4}\b", page.locator("main").inner_text())
    assert found, f"no reference on {page.url}"
    return found.group(0)


def screenshots_on_failure(test: Callable[..., None]) -> Callable[..., None]:
    """A test that, when it fails, takes a screenshot of each of its tabs and names them.

    (A fixture cannot see the test's failure; the test's `page` argument is found here.)"""

    @functools.wraps(test)
    def run(*args: Any, **kwargs: Any) -> None:
        page = kwargs["page"]
        try:
            test(*args, **kwargs)
        except (AssertionError, PlaywrightError) as error:
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            name = f"{test.__name__}-{uuid.uuid4().hex[:6]}"
            shots = []
            for number, tab in enumerate(page.context.pages, start=1):
                shot = SCREENSHOTS / f"{name}-tab{number}.png"
                try:
                    tab.screenshot(path=shot, full_page=True, timeout=5_000)
                except PlaywrightError:
                    continue
                shots.append(f"{shot} ({tab.url})")
            raise AssertionError(f"{error}\nScreenshots: {', '.join(shots) or 'none'}") from error

    return run
