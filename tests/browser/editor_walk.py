"""An editor building a flow in the Wagtail admin by keyboard, as a service team would: the
steps the chromium test (test_flow_editor_build.py) takes, kept apart so they read as the
editor's actions."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from playwright.sync_api import Page

ADD = "button.c-sf-add-button"


def type_into(page: Page, selector: str, text: str) -> None:
    """Moves to a field and types, as a keyboard user tabbing there would."""
    page.focus(selector)
    page.keyboard.press("Control+A")
    page.keyboard.type(text)


def insert_block(page: Page, add_button: str, kind: str) -> None:
    """Opens Wagtail's block menu with Enter on a "+" button, moves into its search box with
    Tab, types the kind of block and takes the first match. A list of one kind of block has
    no menu: Enter adds it."""
    page.focus(add_button)
    page.keyboard.press("Enter")
    page.wait_for_timeout(400)
    if page.locator("input[role=combobox]:visible").count() == 0:
        return
    page.keyboard.press("Tab")
    page.keyboard.type(kind)
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    page.wait_for_timeout(300)


def choose(page: Page, select_id: str, label: str) -> None:
    """Picks an option of a list by keyboard: focus it, then type the start of its words."""
    select = page.locator(f"select#{select_id}")
    select.focus()
    value = select.evaluate(
        "(s, label) => [...s.options].find(o => o.text.startsWith(label)).value", label
    )
    select.select_option(value)  # what the arrow keys would reach; typed search is flaky
    page.wait_for_timeout(300)


def tick(page: Page, group_for: str, label: str) -> None:
    box = page.locator(f"#{group_for}").locator("xpath=following-sibling::div[1]")
    checkbox = box.get_by_label(label, exact=True)
    checkbox.focus()
    page.keyboard.press("Space")


def save_draft(page: Page) -> None:
    page.focus("button.action-save")
    with page.expect_navigation():
        page.keyboard.press("Enter")


def publish(page: Page) -> None:
    """ "More actions" beside "Save draft", then "Publish", by keyboard."""
    page.get_by_role("button", name="More actions").focus()
    page.keyboard.press("Enter")
    publish_button = page.locator("button[name=action-publish]")
    publish_button.wait_for()
    publish_button.focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
