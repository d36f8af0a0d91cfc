"""The flow editor's own admin screens in a real browser: the map of the demo's "Report a missed
bin collection" flow and the editors' guide pass axe (WCAG 2.2 AA), and a page selected on the
map opens in the editor, its block expanded and the focus on its heading.

axe runs on the whole page, the Wagtail admin's own furniture (sidebar, header, breadcrumbs)
included, since Wagtail 8.0's has no violation there; and the page reflows at 320 pixels. If a
Wagtail upgrade brings violations of its own, `axe_violations(page, MAP)` checks only ours.
"""

from __future__ import annotations

import json
import subprocess
import sys
from typing import TYPE_CHECKING, Any

from playwright.sync_api import expect

from tests.browser.checks import AXE, AXE_OPTIONS, PageChecker, submit
from tests.browser.editor_walk import publish
from tests.browser.planner import ROOT

if TYPE_CHECKING:
    from playwright.sync_api import Page

    from tests.browser.conftest import LiveSite

USERNAME = "map.editor"
PASSWORD = "map-editor-test-password"
MAP = "[data-flow-map-page]"
GUIDE = "[data-flow-guide]"


def make_editor(live_site: LiveSite) -> dict[str, Any]:
    """An admin for this site, and the demo's missed bin flow: its id and its steps' block ids."""
    code = f"""
import json
from django.contrib.auth import get_user_model
from forms.flows.models import FlowPage
from wagtail.models import Locale
User = get_user_model()
if not User.objects.filter(username={USERNAME!r}).exists():
    User.objects.create_superuser({USERNAME!r}, "map.editor@example.org", {PASSWORD!r})
flow = FlowPage.objects.get(locale=Locale.get_default(), title="Report a missed bin collection")
steps = [block.id for block in flow.get_latest_revision_as_object().steps]
print(json.dumps({{"flow": flow.pk, "steps": steps}}))
"""
    done = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "shell", "--no-imports", "-c", code],
        cwd=ROOT,
        env=live_site.env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def sign_in(page: Page) -> None:
    page.goto("/admin/login/")
    page.fill("#id_username", USERNAME)
    page.fill("#id_password", PASSWORD)
    submit(page, page.locator("main form button[type=submit]"))
    assert page.url.rstrip("/").endswith("/admin"), page.url


def axe_violations(page: Page, selector: str, exclude: tuple[str, ...] = ()) -> list[str]:
    """axe's violations within `selector` (less `exclude`), one line each, with the elements at
    fault."""
    assert page.locator(selector).count() == 1, f"{selector} not found on {page.url}"
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    results = page.evaluate(
        "([selector, exclude, options]) => axe.run({include: [selector], exclude}, options)",
        [selector, list(exclude), AXE_OPTIONS],
    )
    lines = []
    for violation in results["violations"]:
        lines.append(f"axe {violation['id']} ({violation['impact']}): {violation['help']}")
        lines.extend(f"    {node['target']}" for node in violation["nodes"][:8])
    return lines


def test_the_map_and_the_guide_pass_axe(page: Page, live_site: LiveSite) -> None:
    flow = make_editor(live_site)
    sign_in(page)
    problems = []

    checker = PageChecker("")

    page.goto(f"/admin/flows/{flow['flow']}/map/")
    assert page.locator(f"{MAP} [data-flow-map-steps] > li").count() == len(flow["steps"]) + 1
    # the diagram is drawn at this width, and checked with the rest
    assert page.locator(f"{MAP} svg.flow-map__diagram").is_visible()
    problems += [f"map: {line}" for line in checker.axe(page) + checker.reflow(page)]

    page.goto("/admin/flows/help/")
    assert page.locator(GUIDE).count() == 1
    problems += [f"guide: {line}" for line in checker.axe(page) + checker.reflow(page)]

    assert not problems, "\n".join(problems)


def test_a_page_on_the_map_opens_in_the_editor(page: Page, live_site: LiveSite) -> None:
    flow = make_editor(live_site)
    sign_in(page)
    page.goto(f"/admin/flows/{flow['flow']}/map/")
    # The end point for a bin not out by 7am.
    block = flow["steps"][3]
    link = page.locator(f"{MAP} [data-flow-map-steps] a[href$='steps.{block}']")
    assert link.inner_text() == "We cannot come back for your bin"
    submit(page, link)
    assert page.url.endswith(f"/admin/pages/{flow['flow']}/edit/#:w:contentpath=steps.{block}")
    section = page.locator(f"#block-{block}-section")
    toggle = section.locator("[data-panel-toggle]").first
    page.wait_for_function(
        "(id) => document.activeElement && document.activeElement.closest(`#block-${id}-section`)",
        arg=block,
    )
    assert toggle.get_attribute("aria-expanded") == "true"
    assert section.locator("[data-panel-heading-text], .w-panel__heading").first.is_visible()

    # Collapsed, then followed again from within the editor (the map's panel's links are
    # addresses within it): the block opens again.
    toggle.click()
    assert toggle.get_attribute("aria-expanded") == "false"
    page.evaluate("() => { window.location.hash = ''; }")
    page.evaluate("(id) => { window.location.hash = `:w:contentpath=steps.${id}`; }", block)
    page.wait_for_function(
        "(id) => document.querySelector(`#block-${id}-section [data-panel-toggle]`)"
        ".getAttribute('aria-expanded') === 'true'",
        arg=block,
    )


def test_the_checks_messages_next_to_a_step_pass_axe(page: Page, live_site: LiveSite) -> None:
    """An editor unticks the answer the end point for a bin put out late depends on, and tries
    to publish: the publish is refused, the banner and the error beside the end point say why,
    what they typed is still there, and axe finds nothing wrong in either."""
    flow = make_editor(live_site)
    sign_in(page)
    page.goto(f"/admin/pages/{flow['flow']}/edit/")
    block = flow["steps"][3]
    options = page.locator("#steps-3-value-show_if-options").locator(
        "xpath=following-sibling::div[1]"
    )
    ticked = options.locator("input[type=checkbox]:checked")
    assert ticked.count() == 1
    ticked.first.focus()
    page.keyboard.press("Space")
    publish(page)

    step = page.locator(f"#block-{block}-section")
    expect(step.get_by_text("Choose at least one answer to")).to_be_visible()
    # Nothing typed was lost: the unticked box is still unticked after the refusal.
    assert (
        page.locator("#steps-3-value-show_if-options")
        .locator("xpath=following-sibling::div[1]")
        .locator("input[type=checkbox]:checked")
        .count()
        == 0
    )

    # Draft.js's contenteditable inside Wagtail's rich-text field (the step's own help text) has
    # no accessible name in Wagtail 8.0: Wagtail's, not ours, so it is left out; everything else
    # in the step, our error included, is checked.
    problems = axe_violations(page, ".messages") + axe_violations(
        page, f"#block-{block}-section", exclude=(".DraftEditor-root",)
    )
    assert not problems, "\n".join(problems)
