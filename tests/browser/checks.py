"""What the browser suite checks on every page it reaches, and how it answers questions.

Each page is checked three ways: axe-core finds no WCAG 2.2 AA violation (the tags below), the
page does not scroll sideways at 320 CSS pixels (WCAG 1.4.10 Reflow), and <html> has the
language and direction of the URL's language (a page not translated yet, which says so, is laid
out left to right with its English text marked as English, and, in a right-to-left language, the
header, the notice and the footer right to left in blocks of their own). Problems are collected,
so one test reports every page that fails in its journey, each with its URL.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from tests.browser.planner import FILE, ROOT

if TYPE_CHECKING:
    from playwright.sync_api import Locator, Page

CHROMIUM = Path("/usr/bin/chromium")
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
VIEWPORT = {"width": 1280, "height": 800}

AXE_OPTIONS = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"],
    },
    "resultTypes": ["violations"],
}
NARROW = {"width": 320, "height": 640}
LANGUAGES = {"en": "", "ar": "/ar"}  # test id: URL prefix
HTML_LANGUAGE = {"": ("en-gb", "ltr"), "/ar": ("ar", "rtl")}
# The notice on a page not translated yet into the URL's language (it shows the English text).
UNTRANSLATED = "main .council-untranslated"
# An untranslated page's parts, and their `dir`, in a right-to-left language.
UNTRANSLATED_JS = """() => {
  const dir = (e) => (e ? e.getAttribute('dir') || '' : 'missing');
  const notice = document.querySelector('main .council-untranslated');
  const footer = document.querySelector('footer');
  return {
    header: dir(document.querySelector('header')),
    notice: dir(notice && notice.parentElement),
    footer: dir(footer && footer.parentElement),
    english: document.querySelectorAll('main [lang="en-gb"][dir="ltr"]').length,
  };
}"""

# The one button that sends a question page, check your answers or a payment page.
CONTINUE = "main form > button.govuk-button[data-prevent-double-click]"
ERROR_SUMMARY = ".govuk-error-summary"

# What sticks out when a page scrolls sideways, to say what to fix: the deepest elements whose
# box goes past the viewport's edges, then those whose content spills out of them (long words).
OVERFLOW_JS = """() => {
  const width = window.innerWidth;
  const doc = document.documentElement;
  if (doc.scrollWidth <= width) return null;
  const all = [...document.body.querySelectorAll('*')];
  const deepest = (found) => found.filter((e) => !found.some((o) => o !== e && e.contains(o)));
  const out = deepest(all.filter((e) => {
    const box = e.getBoundingClientRect();
    return box.width > 0 && (box.right > width + 0.5 || box.left < -0.5);
  }));
  const spill = (e) => e.scrollWidth - e.clientWidth;
  const spilling = deepest(all.filter((e) => e.clientWidth > 0 && spill(e) > 1 &&
    getComputedStyle(e).overflowX === 'visible')).sort((a, b) => spill(b) - spill(a));
  const describe = (e) => {
    const classes = [...e.classList].map((c) => '.' + c).join('');
    const text = (e.textContent || '').trim().replace(/\\s+/g, ' ').slice(0, 60);
    const box = e.getBoundingClientRect();
    return `${e.tagName.toLowerCase()}${e.id ? '#' + e.id : ''}${classes} ` +
      `[${Math.round(box.left)}..${Math.round(box.right)}px, content ${e.scrollWidth}px] "${text}"`;
  };
  const elements = [...out.slice(0, 4), ...spilling.slice(0, 4)].map(describe);
  return {scrollWidth: doc.scrollWidth, width, elements};
}"""


class PageChecker:
    """Checks pages for one test and fails it at the end with every problem found."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix
        self.problems: list[str] = []
        self.pages = 0

    def __call__(self, page: Page, what: str) -> None:
        self.pages += 1
        found = [*self.language(page), *self.axe(page), *self.reflow(page)]
        if found:
            self.problems.append(f"{what} <{page.url}>\n" + "\n".join(found))

    def language(self, page: Page) -> list[str]:
        expected = HTML_LANGUAGE[self.prefix]
        untranslated = bool(self.prefix) and page.locator(UNTRANSLATED).count() > 0
        if untranslated:  # English text, laid out left to right
            expected = (expected[0], "ltr")
        found = tuple(
            page.evaluate("() => [document.documentElement.lang, document.documentElement.dir]")
        )
        problems = []
        if found != expected:
            problems.append(f'  <html lang="{found[0]}" dir="{found[1]}">, expected {expected}')
        if untranslated:
            parts = page.evaluate(UNTRANSLATED_JS)
            if not parts.pop("english"):
                problems.append("  untranslated, but no English text is marked as English")
            if HTML_LANGUAGE[self.prefix][1] == "rtl":
                problems.extend(
                    f'  untranslated: its {part} has dir="{direction}", expected "rtl"'
                    for part, direction in parts.items()
                    if direction != "rtl"
                )
        return problems

    def axe(self, page: Page) -> list[str]:
        if not page.evaluate("() => typeof window.axe !== 'undefined'"):
            page.add_script_tag(path=str(AXE))
        results = page.evaluate("(options) => axe.run(document, options)", AXE_OPTIONS)
        lines = []
        for violation in results["violations"]:
            lines.append(
                f"  axe {violation['id']} ({violation['impact']}): {violation['help']}"
                f" - {violation['helpUrl']}"
            )
            for node in violation["nodes"][:8]:
                target = " >>> ".join(
                    " ".join(t) if isinstance(t, list) else t for t in node["target"]
                )
                summary = node["failureSummary"].replace("\n", " ").strip()
                lines.append(f"      {target}: {summary[:300]}")
        return lines

    def reflow(self, page: Page) -> list[str]:
        page.set_viewport_size(NARROW)
        try:
            overflow = page.evaluate(OVERFLOW_JS)
        finally:
            page.set_viewport_size(VIEWPORT)
        if not overflow:
            return []
        return [
            f"  scrolls sideways at {overflow['width']}px wide "
            f"(scrollWidth {overflow['scrollWidth']}px), sticking out:",
            *(f"      {element}" for element in overflow["elements"]),
        ]

    def assert_clean(self) -> None:
        if self.problems:
            pytest.fail(
                f"{len(self.problems)} of {self.pages} pages fail:\n\n"
                + "\n\n".join(self.problems),
                pytrace=False,
            )


def css_string(value: str) -> str:
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


def field(page: Page, name: str, value: str | None = None) -> Locator:
    selector = f"main [name={css_string(name)}]"
    return page.locator(selector + (f"[value={css_string(value)}]" if value is not None else ""))


def submit(page: Page, button: Locator) -> None:
    """Clicks a button or link and waits for the page it leads to."""
    with page.expect_navigation(wait_until="load"):
        button.click()


def fill_in(page: Page, data: dict[str, Any], files: Path) -> None:
    """Answers the questions on the page as the planner's POST data says, by their names."""
    for name, value in data.items():
        if isinstance(value, dict):
            field(page, name).set_input_files(files / value[FILE])
            continue
        kind = field(page, name).first.evaluate("(e) => e.type || e.tagName.toLowerCase()")
        if kind == "radio":
            field(page, name, value).check()
        elif kind == "checkbox":  # exactly these, whatever an earlier walk chose
            wanted = value if isinstance(value, list) else [value]
            for box in field(page, name).all():
                box.set_checked(box.get_attribute("value") in wanted)
        elif kind.startswith("select"):
            field(page, name).select_option(value=str(value))
        else:
            field(page, name).fill(str(value))


def expect_error_summary(page: Page, what: str) -> None:
    summary = page.locator(ERROR_SUMMARY)
    assert summary.count() == 1, f"{what}: no error summary ({page.url})"
    assert summary.is_visible(), f"{what}: the error summary is hidden ({page.url})"
