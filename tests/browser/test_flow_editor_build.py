"""A service-team editor builds a flow in the Wagtail admin by keyboard, without typing a web
address, an answer name or an option's wording: three questions of different kinds, an end
point whose branch is chosen from lists, and "£22 a bin" as a fee rule. They see the map,
walk the preview (nothing sent), publish, and a resident completes the flow and pays £44 for
2 bins through the sandbox."""

from __future__ import annotations

import contextlib
import re
import subprocess
import sys
from typing import TYPE_CHECKING

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from tests.browser.editor_walk import (
    ADD,
    choose,
    insert_block,
    publish,
    save_draft,
    tick,
    type_into,
)
from tests.browser.journeys_steps import screenshots_on_failure
from tests.browser.planner import ROOT
from tests.browser.test_flow_editor_screens import make_editor, sign_in

if TYPE_CHECKING:
    from playwright.sync_api import Page, Route

    from tests.browser.conftest import LiveSite

SERVICE = "order-new-bin"
OTHER_SERVICE = "register-to-vote"


def service_id(live_site: LiveSite, slug: str = SERVICE) -> int:
    return int(
        site_shell(
            live_site,
            "from services.models import ServicePage; from wagtail.models import Locale; "
            f"print(ServicePage.objects.get(slug={slug!r}, locale=Locale.get_default()).pk)",
        )
    )


def site_shell(live_site: LiveSite, code: str) -> str:
    """The last line `code` prints, run in the live site's database."""
    done = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "shell", "--no-imports", "-c", code],
        cwd=ROOT,
        env=live_site.env,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip().splitlines()[-1]


def mark_add_button(page: Page, within: str, index: int, mark: str) -> str:
    """Names one of the "+" buttons in a stream, so the keyboard steps can move to it."""
    buttons = page.locator(f'[data-contentpath="{within}"] {ADD}')
    if index < 0:
        index += buttons.count()
    buttons.nth(index).evaluate("(b, mark) => b.setAttribute('data-test-add', mark)", mark)
    return f'[data-test-add="{mark}"]'


@screenshots_on_failure
def test_an_editor_builds_a_branching_paid_flow_by_keyboard_and_a_resident_completes_it(
    page: Page, live_site: LiveSite
) -> None:
    make_editor(live_site)
    sign_in(page)
    page.goto(f"/admin/pages/add/flows/flowpage/{service_id(live_site)}/")

    # A new flow starts with one question to write, not an error.
    expect(page.get_by_text("The minimum number of items is 1")).to_have_count(0)
    type_into(page, "#id_title", "Order a new bin")
    type_into(page, "#steps-0-value-questions-0-value-label", "What is your full name?")
    insert_block(page, mark_add_button(page, "steps", -2, "after-name"), "Quantity")
    type_into(page, "#steps-0-value-questions-1-value-label", "How many bins do you need?")
    type_into(page, "#steps-0-value-questions-1-value-max_value", "3")
    insert_block(page, mark_add_button(page, "steps", -2, "after-bins"), "Yes or no")
    type_into(page, "#steps-0-value-questions-2-value-label", "Is the bin for a business?")

    insert_block(page, mark_add_button(page, "steps", -1, "after-page"), "End point")
    type_into(page, "#steps-1-value-heading", "Order a business bin instead")
    page.focus("[data-contentpath=reason] [contenteditable=true]")
    page.keyboard.type("Businesses order bins from our trade waste team.")
    # The branch: chosen from the questions before it, then ticked from its options.
    choose(page, "steps-1-value-show_if-question", "Is the bin for a business?")
    tick(page, "steps-1-value-show_if-options", "Yes")

    insert_block(page, mark_add_button(page, "fee_rules", 0, "fee"), "Price list")
    insert_block(page, mark_add_button(page, "rules", 0, "rule"), "Amount for each")
    choose(page, "fee_rules-0-value-rules-0-value-question", "How many bins do you need?")
    type_into(page, "#fee_rules-0-value-rules-0-value-amount", "22")
    type_into(page, "#fee_rules-0-value-rules-0-value-most", "3")
    type_into(page, "#fee_rules-0-value-rules-0-value-unit", "bin")
    type_into(page, "#fee_rules-0-value-rules-0-value-units", "bins")
    save_draft(page)
    expect(page.locator(".messages")).not_to_contain_text("Fix before publishing")
    flow_id = re.search(r"/pages/(\d+)/edit/", page.url).group(1)  # type: ignore[union-attr]
    # Every address, answer name and option key was made by the site.
    expect(page.locator("#steps-0-value-name")).to_have_value("what-is-your-full-name")
    expect(page.locator("#steps-1-value-show_if-options")).to_have_value("yes")

    # The map and the preview, in a second tab, as an editor checking their work would.
    other = page.context.new_page()
    other.goto(f"/admin/flows/{flow_id}/map/")
    expect(other.locator("main")).to_contain_text("If 'Is the bin for a business?' is 'Yes'")
    expect(other.locator("main")).to_contain_text("The checks found no problems")
    other.goto(f"/admin/flows/{flow_id}/preview/")
    main = other.locator("main")
    main.get_by_label("What is your full name?").fill("Sam Jones")
    main.get_by_label("How many bins do you need?").fill("2")
    main.get_by_label("Yes", exact=True).check()
    main.get_by_role("button", name="Continue").click()
    expect(other.locator("main h1")).to_have_text("Order a business bin instead")
    other.go_back()
    main.get_by_label("No", exact=True).check()
    main.get_by_role("button", name="Continue").click()
    expect(main).to_contain_text("£44")
    main.get_by_role("button", name=re.compile("^Accept")).click()
    expect(other.locator("body")).to_contain_text("This is a preview: nothing was sent")

    publish(page)
    expect(page.locator(".messages")).to_contain_text("has been published")

    # A resident, who sees the cost on the service page from the same rule.
    other.goto(f"/bins-recycling-waste/{SERVICE}/")
    expect(other.locator("main")).to_contain_text("£22 for each bin, up to 3 bins")
    main = other.locator("main")
    main.get_by_role("button", name="Start now").click()
    main.get_by_label("What is your full name?").fill("Sam Jones")
    main.get_by_label("How many bins do you need?").fill("2")
    main.get_by_label("No", exact=True).check()
    main.get_by_role("button", name="Continue").click()
    expect(main).to_contain_text("2 bins at £22 each")
    main.get_by_role("button", name=re.compile("^Accept")).click()
    expect(other.locator("main h1")).to_have_text("Test payment")
    other.locator("main").get_by_role("button", name=re.compile(r"^Pay £44")).click()
    expect(other.locator("main")).to_contain_text("You have paid")


@screenshots_on_failure
def test_an_editors_save_waits_for_the_background_save_still_on_its_way(
    page: Page, live_site: LiveSite
) -> None:
    """Wagtail saves the form in the background as the editor types. A "Save draft" pressed
    while one of those is still on its way (a slow server) used to be sent at once: on a new
    flow the late background save then made a second page, and on a flow being edited it could
    become the latest revision, losing what was typed in between."""
    make_editor(live_site)
    sign_in(page)
    held: list[Route] = []

    def hold_first_background_save(route: Route) -> None:
        request = route.request
        background = request.method == "POST" and "json" in (request.headers.get("accept") or "")
        if background and not held:
            held.append(route)
            return
        route.continue_()

    page.route("**/admin/pages/**", hold_first_background_save)
    page.add_init_script(
        "document.addEventListener('w-unsaved:watch-edits', () => { window.watchingEdits = true })"
    )
    # A service of its own: a service has one flow, and the test above adds SERVICE's.
    page.goto(f"/admin/pages/add/flows/flowpage/{service_id(live_site, OTHER_SERVICE)}/")
    # Wagtail starts watching the form for edits two seconds after it opens.
    page.wait_for_function("() => window.watchingEdits")
    type_into(page, "#id_title", "Report a broken bin lid")
    type_into(page, "#steps-0-value-questions-0-value-label", "Which bin has a broken lid?")
    # Adding a block is a change Wagtail saves in the background.
    insert_block(page, mark_add_button(page, "steps", -2, "after-bin"), "Short text")
    for _wait in range(100):
        if held:
            break
        page.wait_for_timeout(100)
    assert held, "Wagtail made no background save of the new page"
    type_into(page, "#steps-0-value-questions-1-value-label", "What colour is the bin?")
    # The background save reaches the server, which makes the page; its answer, telling the
    # form where the page now is, is still on its way back when the editor saves.
    answer = held[0].fetch()
    page.focus("button.action-save")
    page.keyboard.press("Enter")
    page.wait_for_timeout(1500)  # long enough for a save sent at once to have come back
    # Refused when the page it came from has gone: the editor's save did not wait for it.
    with contextlib.suppress(PlaywrightError):
        held[0].fulfill(response=answer)
    expect(page).to_have_url(re.compile(r"/admin/pages/\d+/edit/"))
    expect(page.locator(".messages")).to_contain_text("Report a broken bin lid")
    saved = site_shell(
        live_site,
        "from forms.flows.models import FlowPage; "
        # Not the copies in the other languages' trees, which follow the English page.
        "pages = FlowPage.objects.filter(title='Report a broken bin lid', alias_of=None); "
        "print(pages.count(), [q.value['label'] for s in pages.first()"
        ".get_latest_revision_as_object().steps for q in s.value['questions']])",
    )
    assert saved == "1 ['Which bin has a broken lid?', 'What colour is the bin?']", saved
