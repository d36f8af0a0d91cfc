"""A paid demo flow done with the keyboard alone, as someone who cannot use a mouse would: from
the service page's "Start now" to the confirmation, through the test payment page, with Tab,
Shift+Tab, Enter, Space and typing. After every Tab the focused element must show it is focused
(WCAG 2.4.7 Focus Visible): its style differs from its unfocused style by an outline, a shadow
or a background, as GOV.UK's yellow focus state does."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import pytest

from forms.flows.constants import CHECK_ANSWERS_STEP
from tests.browser.checks import CONTINUE, LANGUAGES, css_string

if TYPE_CHECKING:
    from playwright.sync_api import Page

    from tests.browser.conftest import LiveSite

# A fee, an address found from a postcode ("Find address", then a list), numbers and text. (In a
# group of radios where none is chosen yet, Tab and Shift+Tab only ever reach the first: the
# others take the arrow keys, which this test does not use. The satisfaction question's first
# answer is chosen with Space at the end.)
FLOW = "garden-waste-subscription"
MOST_TABS = 80  # per element reached: more means it cannot be reached

# The focused element, and whether focusing it visibly changed it or its label (radios and
# checkboxes draw their focus ring on the label's ::before): an outline, a shadow, a background
# or a thicker border. A transparent outline (GOV.UK's, for forced-colours mode) or a change of
# colour alone does not count.
FOCUS_JS = """() => {
  const el = document.activeElement;
  if (!el || el === document.body || el === document.documentElement) return {focused: null};
  const targets = [[el, null], [el, '::before'], [el, '::after']];
  const label = el.id && document.querySelector(`label[for="${CSS.escape(el.id)}"]`);
  if (label) targets.push([label, null], [label, '::before'], [label, '::after']);
  const props = ['outline-style', 'outline-width', 'outline-color', 'box-shadow',
    'background-color', 'border-top-width', 'border-top-color', 'color', 'text-decoration-line'];
  const read = () => targets.map(([e, pseudo]) => {
    const style = getComputedStyle(e, pseudo);
    return Object.fromEntries(props.map((p) => [p, style.getPropertyValue(p)]));
  });
  const focused = read();
  el.blur();
  const unfocused = read();
  el.focus({preventScroll: true});
  const clear = (colour) => colour === 'transparent' || /^rgba\\(.*,\\s*0\\)$/.test(colour);
  const changes = [];
  focused.forEach((now, i) => props.forEach((p) => {
    if (now[p] === unfocused[i][p]) return;
    const visible = p.startsWith('outline')
      ? now['outline-style'] !== 'none' && !clear(now['outline-color']) &&
        parseFloat(now['outline-width']) > 0
      : p === 'box-shadow' ? now[p] !== 'none'
      : p === 'background-color' ? !clear(now[p])
      : p === 'border-top-width';  // a colour change alone is too easy to miss
    changes.push({on: (targets[i][1] || '') + (i > 2 ? ' of its label' : ''), property: p,
      from: unfocused[i][p], to: now[p], visible});
  }));
  const classes = [...el.classList].map((c) => '.' + c).join('');
  const text = (el.textContent || el.value || '').trim().slice(0, 40);
  return {
    focused: `${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}${classes} "${text}"`,
    visible: changes.some((c) => c.visible),
    refocused: document.activeElement === el,
    changes,
  };
}"""

# Whether the element the selector finds comes after the focused one (Tab) or before it.
WHERE_JS = """(selector) => {
  const target = document.querySelector(selector);
  if (!target) return 'missing';
  const active = document.activeElement;
  if (active === target) return 'here';
  if (!active || active === document.body) return 'after';
  return active.compareDocumentPosition(target) & Node.DOCUMENT_POSITION_FOLLOWING
    ? 'after' : 'before';
}"""


def press_tab(page: Page, key: str) -> None:
    page.keyboard.press(key)
    state = page.evaluate(FOCUS_JS)
    assert state["focused"], f"after {key}, nothing has the focus <{page.url}>"
    assert state["refocused"], f"{state['focused']} lost the focus when checked <{page.url}>"
    assert state["visible"], (
        f"after {key}, the focus on {state['focused']} cannot be seen <{page.url}>; "
        f"focusing it changes: {state['changes'] or 'nothing'}"
    )


def tab_to(page: Page, selector: str) -> None:
    """Tab (or Shift+Tab, when it is behind) until the element has the focus."""
    for _ in range(MOST_TABS):
        where = page.evaluate(WHERE_JS, selector)
        assert where != "missing", f"no {selector} on <{page.url}>"
        if where == "here":
            return
        press_tab(page, "Tab" if where == "after" else "Shift+Tab")
    pytest.fail(f"{selector} cannot be reached with Tab and Shift+Tab <{page.url}>")


def press_and_wait(page: Page, key: str) -> None:
    with page.expect_navigation(wait_until="load"):
        page.keyboard.press(key)


def answer_with_keyboard(page: Page, name: str, value: Any) -> None:
    selector = f"main [name={css_string(name)}]"
    kind = page.locator(selector).first.evaluate("(e) => e.type || e.tagName.toLowerCase()")
    if kind in ("radio", "checkbox"):
        for choice in value if isinstance(value, list) else [value]:
            option = f"{selector}[value={css_string(choice)}]"
            tab_to(page, option)
            page.keyboard.press("Space")
            assert page.locator(option).is_checked(), f"Space did not choose {option}"
    elif kind in ("text", "email", "tel", "textarea", "number"):
        tab_to(page, selector)
        page.keyboard.type(str(value))
    elif kind == "select-one":
        # Typing the start of an option's words chooses it, as in any browser's list box.
        words = page.locator(f"{selector} option[value={css_string(value)}]").text_content()
        tab_to(page, selector)
        page.keyboard.type(words.strip())
        assert page.locator(selector).input_value() == str(value), f"typing did not choose {words}"
    else:
        pytest.fail(f"{name}: no keyboard answer for a {kind} in this test")


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_paid_flow_can_be_done_with_the_keyboard_alone(
    page: Page, live_site: LiveSite, language: str
):
    flow = live_site.language(LANGUAGES[language])["flows"][FLOW]
    assert flow["fee"], f"{FLOW} should take a payment"
    walk = next(w for w in flow["walks"] if w["end"] == CHECK_ANSWERS_STEP)

    page.goto(flow["service_url"])
    tab_to(page, "main a.govuk-button--start")
    press_and_wait(page, "Enter")
    for entry in walk["steps"]:
        assert urlsplit(page.url).path == f"{flow['url']}{entry['step']}/", page.url
        data = dict(entry["data"])
        for name in entry["finds"]:  # the postcode, then "Find address" shows the list
            answer_with_keyboard(page, f"{name}-postcode", data.pop(f"{name}-postcode"))
            tab_to(page, f'main button[name="find_address"][value="{name}"]')
            press_and_wait(page, "Enter")
        for name, value in data.items():
            answer_with_keyboard(page, name, value)
        tab_to(page, CONTINUE)
        press_and_wait(page, "Enter")

    assert urlsplit(page.url).path == f"{flow['url']}{CHECK_ANSWERS_STEP}/", page.url
    tab_to(page, CONTINUE)  # Accept and continue to payment
    press_and_wait(page, "Enter")
    assert "/payments/sandbox/" in page.url, page.url
    tab_to(page, 'main button[value="succeed"]')
    press_and_wait(page, "Enter")
    assert urlsplit(page.url).path == f"{flow['url']}confirmation/", page.url
    assert page.locator(".govuk-panel--confirmation").is_visible()

    # The satisfaction question on the confirmation, answered with Space and Enter too.
    tab_to(page, 'main form.council-satisfaction [name="rating"][value="5"]')
    page.keyboard.press("Space")
    tab_to(page, "main form.council-satisfaction button")
    press_and_wait(page, "Enter")
    assert page.locator("main form.council-satisfaction").count() == 0, page.url
