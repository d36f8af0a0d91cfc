"""Residents' journeys through three demo flows in chromium, using the browser as people do: its
own Back, Forward and Reload after an error, after "Find address" and after an answer; a second
tab on the same flow; Enter in a one-box form; leaving the payment page and coming back. Each
page must be the site's (never chromium's "Confirm Form Resubmission" or ERR_CACHE_MISS page),
keep the answers given, and never send a request twice: the served site's database is read to
count them.

Only the service page's URL is typed in; everything else is labels and buttons, as a resident
sees them. (Closing a tab and reopening it opens the address the browser last showed, as
chromium's "Reopen closed tab" does.)
"""

from __future__ import annotations

import re
import uuid
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import expect

from tests.browser.journeys_steps import (
    ERROR_SUMMARY,
    POSTCODE,
    Answer,
    Question,
    Requests,
    back_forward_reload,
    expect_no_error,
    expect_question,
    expect_site_page,
    find_address,
    navigate,
    postcode_box,
    press_continue,
    reference_on,
    screenshots_on_failure,
    start,
)

if TYPE_CHECKING:
    from collections.abc import Callable

    from playwright.sync_api import Page

    from tests.browser.conftest import LiveSite

ADDRESS = "2 Market Street, Fernbridge, FE1 1AA"
CHECK_ANSWERS = "Check your answers before sending your request"
ALREADY_SENT = "You have already sent this"
STARTED = "You have already started this form"
NOTICE = "main .govuk-notification-banner"


def contact(email: str, phone: str = "Phone number (optional)") -> Question:
    return Question(
        "Your contact details",
        (
            Answer("fill", "Full name", "Ann Example"),
            Answer("fill", "Email address", email),
            Answer("fill", phone, "07700 900982"),
        ),
    )


def contact_by_email(email: str, phone: str = "Phone number (optional)") -> Question:
    """The contact page of a flow that asks how to hear from us: email ticked, its box shown."""
    return Question(
        "Your contact details",
        (
            Answer("fill", "Full name", "Ann Example"),
            Answer("check", "Email"),
            Answer("fill", "Email address", email),
            Answer("fill", phone, "07700 900982"),
        ),
    )


def missed_bin(email: str, bins: str = "Black bin (general waste)") -> list[Question]:
    return [
        Question("Which bins did we miss?", (Answer("check", bins),)),
        Question("What is the address of the missed bin?", (Answer("address", "", ADDRESS),)),
        Question(
            "Was your bin at the edge of your property by 7am on your collection day?",
            (Answer("check", "Yes"),),
        ),
        Question("Did the crew leave a tag on your bin?", (Answer("check", "No"),)),
        Question(
            "Is there anything else the crew should know? (optional)",
            (
                Answer(
                    "fill",
                    "Is there anything else the crew should know? (optional)",
                    "Behind the side gate",
                ),
            ),
        ),
        contact(email),
    ]


def bulky_waste(email: str) -> list[Question]:
    items = "How many items do you want us to collect?"
    return [
        Question("Where should we collect the items from?", (Answer("address", "", ADDRESS),)),
        Question(
            "Are all the items you want to get rid of on this list?", (Answer("check", "No"),)
        ),
        Question(items, (Answer("fill", items, "2"),)),
        Question("What are the items?", (Answer("fill", "What are the items?", "Sofa"),)),
        Question(
            "Where will you leave the items?",
            (Answer("fill", "Where will you leave the items?", "By the gate"),),
        ),
        contact_by_email(email, phone="Phone number"),
    ]


def garden_waste(email: str) -> list[Question]:
    empty = "How many brown bins do you want us to empty?"
    deliver = "How many new brown bins do we need to deliver?"
    return [
        Question("What is your address?", (Answer("address", "", ADDRESS),)),
        Question(empty, (Answer("fill", empty, "1"),)),
        Question(deliver, (Answer("fill", deliver, "0"),)),
        contact_by_email(email),
    ]


FLOWS: dict[str, Callable[[str], list[Question]]] = {
    "report-missed-bin": missed_bin,
    "bulky-waste-collection": bulky_waste,
    "garden-waste-subscription": garden_waste,
}


@pytest.fixture
def email(request: pytest.FixtureRequest) -> str:
    """An address of the test's own, to find its requests (and only its) in the database."""
    name = re.sub(r"[^a-z0-9]+", "-", request.node.name.lower()).strip("-")[:40]
    return f"{name}-{uuid.uuid4().hex[:8]}@example.com"


@pytest.fixture
def sent(live_site: LiveSite) -> Requests:
    return Requests(live_site)


def service_url(live_site: LiveSite, slug: str) -> str:
    return live_site.language("")["flows"][slug]["service_url"]


def answer_all(page: Page, questions: list[Question]) -> None:
    for question in questions:
        question.answer(page)
    expect_question(page, CHECK_ANSWERS)


def send(page: Page) -> None:
    page.locator("main").get_by_role("button", name=re.compile(r"^Accept and")).click()
    page.wait_for_load_state()


def expect_already_sent(page: Page, reference: str, *, pay_now: bool) -> None:
    main = page.locator("main")
    expect(main).to_contain_text(ALREADY_SENT)
    expect(main).to_contain_text(reference)
    expect(main.get_by_role("button", name="Pay now")).to_have_count(1 if pay_now else 0)


def found(page: Page) -> None:
    """The postcode typed and the addresses found for it are still there."""
    expect(postcode_box(page), "the postcode typed").to_have_value(POSTCODE)
    expect(page.locator("main").get_by_label("Select an address")).to_be_visible()


@pytest.mark.parametrize("slug", ["report-missed-bin", "bulky-waste-collection"])
@screenshots_on_failure
def test_back_forward_and_reload_always_show_the_page_with_the_answers(
    page: Page, live_site: LiveSite, sent: Requests, email: str, slug: str
) -> None:
    questions = FLOWS[slug](email)
    start(page, service_url(live_site, slug))
    for number, question in enumerate(questions):
        where = f"{slug}: {question.heading!r}"
        expect_question(page, question.heading)
        finds = [a for a in question.answers if a.kind == "address"]
        if number == 0 or finds:
            press_continue(page)  # nothing answered: the error page
            expect(page.locator(ERROR_SUMMARY)).to_be_visible()
            back_forward_reload(page, f"{where}, error page", question.heading)
        if finds:
            find_address(page, POSTCODE)
            back_forward_reload(page, f"{where}, addresses found", question.heading, found)
        question.answer(page)
        expect_no_error(page, where)
        after = page.locator("main h1").inner_text()
        navigate(page, "back", f"{where}, answered")
        question.expect_answers(page)  # the resident's answers are still there
        navigate(page, "forward", f"{where}, answered")
        expect_question(page, after)
        navigate(page, "reload", f"{where}, answered")
        expect_question(page, after)
    expect_question(page, CHECK_ANSWERS)
    assert sent.references(email) == [], "a request was sent before Accept"


@screenshots_on_failure
def test_back_from_an_end_point_goes_to_the_question_that_led_there(
    page: Page, live_site: LiveSite, email: str
) -> None:
    bin_out = "Was your bin at the edge of your property by 7am on your collection day?"
    start(page, service_url(live_site, "report-missed-bin"))
    for question in missed_bin(email)[:2]:
        question.answer(page)
    Question(bin_out, (Answer("check", "No"),)).answer(page)
    expect_question(page, "We cannot come back for your bin")
    navigate(page, "back", "end point")
    expect_question(page, bin_out)
    expect(page.locator("main").get_by_label("No", exact=True)).to_be_checked()
    navigate(page, "forward", "end point")
    expect_question(page, "We cannot come back for your bin")
    navigate(page, "reload", "end point")
    expect_question(page, "We cannot come back for your bin")


@screenshots_on_failure
def test_reload_back_and_forward_after_sending_never_send_twice(
    page: Page, live_site: LiveSite, sent: Requests, email: str
) -> None:
    start(page, service_url(live_site, "report-missed-bin"))
    answer_all(page, missed_bin(email))
    send(page)
    reference = reference_on(page)
    navigate(page, "reload", "confirmation")
    assert reference_on(page) == reference
    navigate(page, "back", "confirmation")
    expect_already_sent(page, reference, pay_now=False)
    navigate(page, "reload", "already sent")
    expect_already_sent(page, reference, pay_now=False)
    navigate(page, "forward", "already sent")
    expect_site_page(page, "confirmation again")
    navigate(page, "reload", "confirmation again")
    assert sent.references(email) == [reference]


@screenshots_on_failure
def test_a_second_tab_on_the_same_flow_never_loses_the_first_tabs_answers_silently(
    page: Page, live_site: LiveSite, sent: Requests, email: str
) -> None:
    first = page
    url = service_url(live_site, "report-missed-bin")
    mine = missed_bin(email)
    theirs = missed_bin(f"other-{email}", bins="Food caddy")

    start(first, url)
    mine[0].answer(first)  # tab 1: the black bin
    second = first.context.new_page()
    start(second, url)  # tab 2, the same browser (the same session)
    if second.locator("main h1").inner_text() == STARTED:
        # One form at a time: the resident is asked, and chooses to start again.
        second.locator("main").get_by_role("button", name="Start again").click()
        expect_question(second, "Are you sure you want to start again?")
        second.locator("main").get_by_role("button", name="Start again").click()
        second.wait_for_load_state()
    theirs[0].answer(second)  # tab 2: the food caddy

    # Back in tab 1: either its answers are still its own, or it is told they are gone.
    postcode_box(first).fill(POSTCODE)
    first.locator("main").get_by_role("button", name="Find address").click()
    notice = first.locator(NOTICE)
    addresses = first.locator("main").get_by_label("Select an address")
    expect(notice.or_(addresses).first).to_be_visible()
    if notice.count():
        expect(notice).to_contain_text("deleted")
        expect_site_page(first, "tab 1, told its answers were deleted")
    else:
        addresses.select_option(label=ADDRESS)
        press_continue(first)
        answer_all(first, mine[2:])
        expect(first.locator("main")).to_contain_text("Black bin (general waste)")
        expect(first.locator("main")).not_to_contain_text("Food caddy")
        send(first)
        assert sent.references(email) == [reference_on(first)]
        assert "Food caddy" not in sent.answers(email)[0]

    answer_all(second, theirs[1:])
    expect(second.locator("main")).to_contain_text("Food caddy")
    expect(second.locator("main")).not_to_contain_text("Black bin (general waste)")
    send(second)
    expect_site_page(second, "the second tab's request")
    other = reference_on(second)
    assert sent.references(f"other-{email}") == [other]
    assert "Food caddy" in sent.answers(f"other-{email}")[0]
    assert "Black bin" not in sent.answers(f"other-{email}")[0]


@screenshots_on_failure
def test_enter_finds_the_address_and_answers_a_one_box_question(
    page: Page, live_site: LiveSite, email: str
) -> None:
    questions = bulky_waste(email)
    start(page, service_url(live_site, "bulky-waste-collection"))
    postcode = postcode_box(page)
    postcode.fill(POSTCODE)
    postcode.press("Enter")  # "Find address", not Continue
    page.wait_for_load_state()
    expect_no_error(page, "Enter in the postcode box")
    expect_question(page, questions[0].heading)
    select = page.locator("main").get_by_label("Select an address")
    expect(select).to_be_visible()
    select.select_option(label=ADDRESS)
    press_continue(page)
    questions[1].answer(page)

    items = page.locator("main").get_by_label(questions[2].heading, exact=True)
    items.fill("2")
    items.press("Enter")  # Continue
    page.wait_for_load_state()
    expect_no_error(page, "Enter in a one-box question")
    expect_question(page, questions[3].heading)


@pytest.mark.parametrize("leave", ["back", "close the tab"])
@screenshots_on_failure
def test_leaving_the_payment_page_and_coming_back_offers_to_pay_once(
    page: Page, live_site: LiveSite, sent: Requests, email: str, leave: str
) -> None:
    start(page, service_url(live_site, "garden-waste-subscription"))
    answer_all(page, garden_waste(email))
    check_answers = page.url
    send(page)
    expect(page.locator("main h1")).to_have_text("Test payment")
    reference = reference_on(page)
    navigate(page, "reload", "test payment page")
    expect(page.locator("main h1")).to_have_text("Test payment")
    assert reference_on(page) == reference

    if leave == "back":
        navigate(page, "back", "test payment page")
    else:
        context = page.context
        page.close()
        page = context.new_page()
        page.goto(check_answers)  # the tab reopened where it was
        expect_site_page(page, "tab reopened")
    expect_already_sent(page, reference, pay_now=True)
    navigate(page, "reload", "already sent, not paid")
    expect_already_sent(page, reference, pay_now=True)

    page.locator("main").get_by_role("button", name="Pay now").click()
    expect(page.locator("main h1")).to_have_text("Test payment")
    assert reference_on(page) == reference
    page.locator("main").get_by_role("button", name=re.compile(r"^Pay £")).click()
    expect(page.locator("main")).to_contain_text("You have paid")
    assert reference_on(page) == reference
    navigate(page, "reload", "paid")
    navigate(page, "back", "paid")
    expect_site_page(page, "back from the confirmation")
    expect(page.locator("main").get_by_role("button", name="Pay now")).to_have_count(0)
    # Back may reach the test payment page again (a card processor's page, in production):
    # paying there a second time must not take the money twice.
    pay_again = page.locator("main").get_by_role("button", name=re.compile(r"^Pay £"))
    if pay_again.count():
        pay_again.click()
        expect_site_page(page, "paying a second time")
        expect(page.locator("main")).to_contain_text(reference)

    assert sent.references(email) == [reference]
    assert sent.paid(reference) == 1
