"""The Content Security Policy in a real browser: chromium reports no violation anywhere a
resident or an editor goes, so the strict policy blocks nothing the site needs.

Every `securitypolicyviolation` event (in every frame, reported to the test as it happens, so
none is lost to a page change) and every console message about the policy counts as a failure.
The resident's journey: the home page, a service, search with suggestions typed, a paid flow
with an error on a question page, check your answers, the test payment page, the confirmation,
track your request and a page that does not exist. The editor's: sign-in (and the lockout page),
the dashboard, a service page's editor with its preview, a flow's editor with its StreamField
and a block added, an image upload, the inbox and a request in it, and the reports.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pytest

from forms.flows.constants import CHECK_ANSWERS_STEP
from tests.browser.checks import CONTINUE, VIEWPORT, expect_error_summary, submit
from tests.browser.planner import ROOT
from tests.browser.test_flows import answer, step_of

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

    from tests.browser.conftest import LiveSite

REPORT = """
document.addEventListener('securitypolicyviolation', (event) => {
  window.__reportCspViolation(
    `${event.effectiveDirective} blocked ${event.blockedURI || 'inline'} ` +
    `(${event.sourceFile || document.location.href}:${event.lineNumber}) ${event.sample || ''}`
  );
}, true);
"""
ADMIN_PASSWORD = "csp-test-admin-password"
REPORTS = [
    "/admin/reports/payments/",
    "/admin/reports/flows/",
    "/admin/reports/service-kpis/",
    "/admin/reports/search-terms/",
    "/admin/reports/translation-status/",
]


@dataclass
class Watched:
    page: Page
    violations: list[str] = field(default_factory=list)

    def visit(self, url: str) -> None:
        self.page.goto(url, wait_until="load")

    def settle(self) -> None:
        """Scripts that run after load (the editor's, the preview) have had their chance."""
        self.page.wait_for_load_state("networkidle")

    def assert_none(self, what: str) -> None:
        self.settle()
        assert not self.violations, f"{what}: CSP violations:\n" + "\n".join(self.violations)


@pytest.fixture
def watched(browser: Browser, live_site: LiveSite) -> Iterator[Watched]:
    context = browser.new_context(base_url=live_site.url, viewport=VIEWPORT)
    context.set_default_timeout(15_000)
    page = context.new_page()
    result = Watched(page)

    def record(source: Any, text: str) -> None:
        url = source["frame"].url if source and source.get("frame") else ""
        result.violations.append(f"{text} [frame {url}]")

    context.expose_binding("__reportCspViolation", record)
    context.add_init_script(REPORT)
    page.on(
        "console",
        lambda message: (
            result.violations.append(f"console: {message.text}")
            if "Content Security Policy" in message.text
            else None
        ),
    )
    yield result
    context.close()


def test_a_resident_s_journey_breaks_no_rule(watched: Watched, live_site: LiveSite) -> None:
    plan = live_site.language("")
    page = watched.page
    for name, url in plan["pages"].items():
        watched.visit(url)
        watched.assert_none(name)

    # Suggestions as you type, in the header's search box: fetched and shown.
    watched.visit(plan["pages"]["home"])
    box = page.locator('input[name="q"]').first
    box.click()
    box.press_sequentially("bin", delay=50)
    page.locator('[role="listbox"] [role="option"]').first.wait_for(state="visible")
    watched.assert_none("search suggestions")
    submit(page, page.locator('form[role="search"] button[type="submit"]').first)
    assert "/search/" in page.url
    watched.assert_none("search results")

    # A paid flow: its main walk, an error on its first question page, then paying.
    flow = next(f for f in plan["flows"].values() if f["fee"] and not f["result"])
    walk = next(w for w in flow["walks"] if w["end"] == CHECK_ANSWERS_STEP)
    page.goto(f"{flow['url']}?reset=1")
    for number, entry in enumerate(walk["steps"]):
        assert step_of(flow, page.url) == entry["step"], (page.url, entry["step"])
        first = number == 0
        errors = flow["errors"][entry["step"]] if first else None
        answer(page, entry, errors, live_site.files, (lambda *_: None) if first else None)
        watched.assert_none(f"flow step {entry['step']}")
    assert step_of(flow, page.url) == CHECK_ANSWERS_STEP
    watched.assert_none("check your answers")
    submit(page, page.locator(CONTINUE))
    assert "/payments/sandbox/" in page.url, page.url
    watched.assert_none("the test payment page")
    submit(page, page.locator('main button[value="succeed"]'))
    assert step_of(flow, page.url) == "confirmation", page.url
    watched.assert_none("confirmation")

    # Track your request: the form, its errors, then the request found.
    watched.visit("/track/")
    submit(page, page.locator("main form button"))
    expect_error_summary(page, "track your request")
    page.locator('main [name="reference"]').fill(live_site.plan["track"]["reference"])
    page.locator('main [name="email"]').fill(live_site.plan["track"]["email"])
    submit(page, page.locator("main form button"))
    assert page.locator(".govuk-summary-list").count() == 1, page.url
    watched.assert_none("track your request")

    watched.visit("/no-such-page/")
    watched.assert_none("page not found")


def make_admin(live_site: LiveSite) -> dict[str, int]:
    """An admin for this site, and the pages to open: a service and its online flow."""
    code = f"""
import json
from django.contrib.auth import get_user_model
from forms.flows.models import FlowPage
from wagtail.models import Locale
User = get_user_model()
if not User.objects.filter(username="csp.admin").exists():
    User.objects.create_superuser("csp.admin", "csp.admin@example.org", {ADMIN_PASSWORD!r})
flow = FlowPage.objects.live().filter(locale=Locale.get_default()).order_by("path").first()
print(json.dumps({{"flow": flow.pk, "service": flow.get_parent().pk}}))
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


def test_an_editor_s_day_breaks_no_rule(watched: Watched, live_site: LiveSite) -> None:
    ids = make_admin(live_site)
    page = watched.page

    # The lockout page: 5 wrong passwords for a name nobody uses.
    for attempt in range(5):
        watched.visit("/admin/login/")
        page.fill("#id_username", "nobody.here")
        page.fill("#id_password", f"wrong-password-{attempt}")
        submit(page, page.locator("main form button[type=submit]"))
    assert page.locator("h1").inner_text() == "Too many sign-in attempts"
    watched.assert_none("lockout page")

    watched.visit("/admin/login/")
    page.fill("#id_username", "csp.admin")
    page.fill("#id_password", "not-the-password")
    submit(page, page.locator("main form button[type=submit]"))
    watched.assert_none("sign-in with an error")
    page.fill("#id_username", "csp.admin")
    page.fill("#id_password", ADMIN_PASSWORD)
    submit(page, page.locator("main form button[type=submit]"))
    assert page.url.rstrip("/").endswith("/admin"), page.url
    watched.assert_none("dashboard")

    # A service page's editor, and its preview beside it.
    watched.visit(f"/admin/pages/{ids['service']}/edit/")
    watched.assert_none("service page editor")
    page.locator("[data-side-panel-toggle='preview']").first.click()
    preview = page.frame_locator("iframe#w-preview-iframe, .w-preview__iframe").first
    preview.locator("main").first.wait_for()
    watched.assert_none("page preview")
    # Close it again (the admin remembers an open panel): a flow's preview is not shown here,
    # it is a redirect to the flow's first public page, which no frame may show.
    page.locator("[data-side-panel-toggle='preview']").first.click()
    page.evaluate("window.localStorage.clear()")

    # A flow's editor: its StreamField of steps, with a block added.
    watched.visit(f"/admin/pages/{ids['flow']}/edit/")
    watched.assert_none("flow editor")
    page.locator("button.c-sf-add-button").first.click()
    page.locator("[role=menuitem], .w-combobox__option").first.click()
    watched.assert_none("flow editor, block added")

    # An image chosen for upload shows its preview (a blob: URL).
    watched.visit("/admin/images/multiple/add/")
    page.set_input_files("#fileupload", str(live_site.files / "photo.png"))
    page.locator("#upload-list li").first.wait_for()
    watched.assert_none("image upload")

    watched.visit("/admin/requests/")
    watched.assert_none("inbox")
    request = page.locator("main table a[href^='/admin/requests/']").first
    submit(page, request)
    watched.assert_none("a request in the inbox")

    for url in REPORTS:
        watched.visit(url)
        watched.assert_none(url)
