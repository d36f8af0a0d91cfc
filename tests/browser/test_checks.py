"""The checks themselves catch what they are for: a page with known faults fails each of them,
so a clean report on the site means something."""

from playwright.sync_api import Browser

from tests.browser.checks import VIEWPORT, PageChecker

BROKEN = """<!DOCTYPE html><html lang="en-gb" dir="ltr"><head><title>Broken</title></head><body>
<main>
  <h1>Broken page</h1>
  <img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">
  <p style="color:#bbb;background:#fff">Pale grey text nobody can read well.</p>
  <input type="text" name="unlabelled">
  <div style="width:1000px">A box wider than a phone.</div>
</main></body></html>"""


def test_a_page_with_known_faults_fails_every_check(browser: Browser):
    context = browser.new_context(viewport=VIEWPORT)
    try:
        page = context.new_page()
        page.set_content(BROKEN)
        checker = PageChecker("/ar")  # expects <html lang="ar" dir="rtl">
        checker(page, "a broken page")
        report = "\n".join(checker.problems)
        for expected in (
            "axe image-alt",
            "axe color-contrast",
            "axe label",
            "scrolls sideways at 320px",
            '<html lang="en-gb" dir="ltr">, expected',
        ):
            assert expected in report, f"{expected!r} not reported:\n{report}"
    finally:
        context.close()
