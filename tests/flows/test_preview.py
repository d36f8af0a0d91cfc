"""An editor previews a flow as a resident would go through it, with the edits on screen: every
page and branch inside Wagtail's preview, "Send" showing what would happen, and nothing saved,
paid for, emailed or counted; a resident's journey in the same browser is left alone."""

from __future__ import annotations

from typing import Any
from unittest import mock
from urllib.parse import urlsplit

from bs4 import BeautifulSoup
from django.contrib.auth.models import Group, Permission
from django.core import mail
from django.core.cache import cache
from django.forms import CheckboxInput
from django.http import QueryDict
from django.test import RequestFactory, TestCase, override_settings
from django.urls import reverse
from wagtail.blocks import ListBlock, StreamBlock, StructBlock
from wagtail.blocks.list_block import ListValue
from wagtail.fields import StreamField
from wagtail.test.utils import WagtailTestUtils

from forms.flows import journeys
from forms.flows.editor.preview import serve_flow_preview
from forms.flows.handlers import FeeQuote, fees
from forms.flows.models import FlowPage, Submission
from forms.insights.models import FlowEvent
from forms.payments.models import Payment
from tests.flows.factories import end_point, make_flow, page, question

BASE = "/bins/bulky-waste/apply/"


def bin_flow(**fields: Any) -> FlowPage:
    """Was the bin out by 7am? No: an end point. Yes: how many items, then an email."""
    return make_flow(
        [
            page(
                "out",
                question(
                    "yes_no",
                    "out_by_7am",
                    "Was your bin out by 7am?",
                    required_message="Select yes if your bin was out by 7am",
                ),
            ),
            end_point(
                "too-late",
                "We cannot collect it this week",
                "Put your bin out by 7am on your next collection day.",
                show_if={"question": "out_by_7am", "options": ["no"], "negate": False},
            ),
            page(
                "items",
                question(
                    "whole_number", "items", "How many items?", required_message="Enter a number"
                ),
            ),
            page("contact", question("email", "email", "Email address")),
        ],
        what_happens_next="<p>We collect within 10 working days.</p>",
        **fields,
    )


class OneOffFee:
    title = "A one-off fee"

    def calculate(self, answers: dict[str, Any]) -> FeeQuote:
        return FeeQuote(total_pence=2500, lines=[("A collection", 2500)])


# The editor's browser: the edit form as it posts it to Wagtail's preview


def _block_data(block: Any, value: Any, prefix: str, data: QueryDict) -> None:
    if isinstance(block, StreamBlock):
        children = list(value or [])
        data[f"{prefix}-count"] = str(len(children))
        for i, child in enumerate(children):
            data[f"{prefix}-{i}-type"] = child.block_type
            data[f"{prefix}-{i}-deleted"] = ""
            data[f"{prefix}-{i}-order"] = str(i)
            data[f"{prefix}-{i}-id"] = child.id or ""
            _block_data(child.block, child.value, f"{prefix}-{i}-value", data)
    elif isinstance(block, ListBlock):
        if isinstance(value, ListValue):
            items = [(child.value, child.id) for child in value.bound_blocks]
        else:
            items = [(item, None) for item in value or []]
        data[f"{prefix}-count"] = str(len(items))
        for i, (item, item_id) in enumerate(items):
            data[f"{prefix}-{i}-deleted"] = ""
            data[f"{prefix}-{i}-order"] = str(i)
            data[f"{prefix}-{i}-id"] = item_id or ""
            _block_data(block.child_block, item, f"{prefix}-{i}-value", data)
    elif isinstance(block, StructBlock):
        for name, child in block.child_blocks.items():
            _block_data(child, value.get(name), f"{prefix}-{name}", data)
    else:
        _field_data(block.field.widget, block.value_for_form(value), prefix, data)


def _field_data(widget: Any, value: Any, name: str, data: QueryDict) -> None:
    if isinstance(widget, CheckboxInput):
        if value:
            data[name] = "on"
        return
    if value is None:
        return
    formatted = widget.format_value(value)
    if isinstance(formatted, list):
        data.setlist(name, [str(v) for v in formatted])
    else:
        data[name] = "" if formatted is None else str(formatted)


def edit_form_data(flow: FlowPage, user: Any) -> QueryDict:
    """What the editor's browser posts for `flow`, as this object has it."""
    form_class = flow.get_edit_handler().get_form_class()
    form = form_class(instance=flow, parent_page=flow.get_parent().specific, for_user=user)
    data = QueryDict(mutable=True)
    for name, field in form.fields.items():
        value = form[name].value()
        if hasattr(field, "block"):
            _block_data(field.block, value, name, data)
        else:
            _field_data(field.widget, value, name, data)
    for formset in form.formsets.values():
        management = formset.management_form
        for name in management.fields:
            data[management.add_prefix(name)] = str(management[name].value() or 0)
    return data


def steps_with(flow: FlowPage, *extra: dict[str, Any]) -> Any:
    """`flow`'s steps with `extra` steps added after the first (as StreamField data)."""
    raw = list(flow.steps.raw_data)
    return StreamField.to_python(flow._meta.get_field("steps"), [raw[0], *extra, *raw[1:]])


class PreviewTestCase(WagtailTestUtils, TestCase):
    def setUp(self):
        self.flow = bin_flow()
        self.editor = self.login()
        self.preview = reverse("flows_preview", args=[self.flow.pk])

    def soup(self, response) -> BeautifulSoup:
        return BeautifulSoup(response.content, "html.parser")

    def edit_unsaved(self, **changes: Any) -> None:
        """The editor changes the flow in the editor without saving: Wagtail's preview panel
        posts the form as it is on screen."""
        flow = self.flow.get_latest_revision_as_object()
        for name, value in changes.items():
            setattr(flow, name, value)
        data = edit_form_data(flow, self.editor)
        response = self.client.post(
            reverse("wagtailadmin_pages:preview_on_edit", args=[self.flow.pk]), data
        )
        self.assertEqual(response.json(), {"is_valid": True, "is_available": True})

    def start(self):
        """Open the preview (as Wagtail's panel does): the first page."""
        return self.client.get(self.preview, follow=True)

    def answer(self, response, data: dict[str, str]):
        """Fill in the page `response` shows and press its button, as the editor would."""
        form = self.soup(response).find("form", attrs={"method": "post"})
        fields = {
            i["name"]: i.get("value", "")
            for i in form.find_all("input")
            if i.get("name") and i.get("type") in ("hidden", None)
        }
        action = form.get("action") or response.wsgi_request.get_full_path()
        return self.client.post(action, {**fields, **data}, follow=True)

    def heading(self, response) -> str:
        soup = self.soup(response)
        return (soup.h1 or soup.legend).get_text(" ", strip=True)

    def assert_in_preview(self, response) -> None:
        """Every link and form of the flow stays under the preview's address (the site's header
        and footer aside); the banner says it is a preview and offers "Start again"."""
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response.wsgi_request.path.startswith(self.preview))
        soup = self.soup(response)
        banner = soup.select_one("[data-flow-preview]")
        self.assertIsNotNone(banner, "no preview banner")
        self.assertIn("Preview", banner.get_text())
        again = banner.find("a", string="Start again")
        self.assertEqual(again["href"], f"{self.preview}?reset=1")
        for form in soup.main.find_all("form"):
            action = form.get("action") or ""
            self.assertTrue(action == "" or action.startswith(self.preview), action)
        service = self.flow.get_parent().url  # "Other ways to ...": out of the flow, as residents
        for link in soup.select("main a[href], .govuk-back-link"):
            href = link["href"]
            if href.startswith(("#", "tel:")) or href == service:
                continue
            self.assertTrue(urlsplit(href).path.startswith(self.preview), href)


class UnsavedChangesTests(PreviewTestCase):
    def test_the_preview_shows_a_new_question_the_editor_has_not_saved(self):
        new_page = page("size", question("short_text", "size", "How big is the largest item?"))
        self.edit_unsaved(steps=steps_with(self.flow, new_page))
        response = self.start()
        self.assertIn(
            "Your changes, not saved yet",
            self.soup(response).select_one("[data-flow-preview]").get_text(),
        )
        response = self.answer(response, {"out-out_by_7am": "yes"})
        self.assert_in_preview(response)
        self.assertEqual(self.heading(response), "How big is the largest item?")
        # residents still get the live flow
        self.client.logout()
        resident = self.client.get(BASE, follow=True)
        resident = self.answer(resident, {"out-out_by_7am": "yes"})
        self.assertEqual(self.heading(resident), "How many items?")

    def test_without_edits_on_screen_the_preview_is_the_latest_saved_draft(self):
        draft = self.flow.get_latest_revision_as_object()
        draft.steps = steps_with(draft, page("size", question("short_text", "size", "How big?")))
        draft.save_revision(user=self.editor)
        response = self.answer(self.start(), {"out-out_by_7am": "yes"})
        self.assertEqual(self.heading(response), "How big?")
        self.assertIn(
            "latest saved version", self.soup(response).select_one("[data-flow-preview]").get_text()
        )


@override_settings(PAYMENT_PROVIDER="sandbox")
class WalkingBranchesTests(PreviewTestCase):
    def test_one_branch_leads_to_its_end_point(self):
        response = self.start()
        self.assert_in_preview(response)
        self.assertEqual(self.heading(response), "Was your bin out by 7am?")
        response = self.answer(response, {"out-out_by_7am": "no"})
        self.assert_in_preview(response)
        self.assertEqual(response.wsgi_request.path, f"{self.preview}too-late/")
        self.assertEqual(self.heading(response), "We cannot collect it this week")
        # the satisfaction question would be saved with the live figures: not asked here
        self.assertIsNone(self.soup(response).select_one("form.council-satisfaction"))

    def test_an_error_is_shown_in_the_preview(self):
        response = self.answer(self.start(), {})
        self.assert_in_preview(response)
        self.assertContains(response, "Select yes if your bin was out by 7am")

    def test_another_branch_reaches_check_your_answers_and_send_saves_nothing(self):
        response = self.answer(self.start(), {"out-out_by_7am": "yes"})
        response = self.answer(response, {"items-items": "4"})
        response = self.answer(response, {"contact-email": "sam@example.org"})
        self.assert_in_preview(response)
        self.assertEqual(response.wsgi_request.path, f"{self.preview}check-your-answers/")
        self.assertContains(response, "sam@example.org")
        response = self.answer(response, {})
        self.assert_in_preview(response)
        self.assertEqual(response.wsgi_request.path, f"{self.preview}confirmation/")
        self.assertEqual(self.heading(response), "This is a preview: nothing was sent")
        self.assertContains(response, "Residents who send these answers would")
        self.assertContains(response, "sam@example.org")
        self.assertContains(response, "We collect within 10 working days.")
        self.assertEqual(Submission.objects.count(), 0)
        self.assertEqual(Payment.objects.count(), 0)
        self.assertEqual(FlowEvent.objects.count(), 0)
        self.assertEqual(mail.outbox, [])

    def test_send_shows_the_fee_residents_would_pay_and_takes_no_payment(self):
        with mock.patch.dict(fees._items, {"test-one-off": OneOffFee()}):
            self.edit_unsaved(fee_handler="test-one-off")
            response = self.answer(self.start(), {"out-out_by_7am": "yes"})
            response = self.answer(response, {"items-items": "4"})
            response = self.answer(response, {"contact-email": "sam@example.org"})
            self.assertContains(response, "£25")
            response = self.answer(response, {})
        self.assertEqual(self.heading(response), "This is a preview: nothing was sent")
        self.assertContains(response, "pay £25 before their request goes on")
        self.assertEqual(Submission.objects.count(), 0)
        self.assertEqual(Payment.objects.count(), 0)
        self.assertEqual(mail.outbox, [])

    def test_start_again_walks_another_branch(self):
        self.answer(self.start(), {"out-out_by_7am": "no"})
        # Wagtail's panel reloads after every change: the editor stays where they were
        response = self.client.get(self.preview, follow=True)
        self.assertEqual(response.wsgi_request.path, f"{self.preview}too-late/")
        response = self.client.get(f"{self.preview}?reset=1", follow=True)
        self.assertEqual(response.wsgi_request.path, f"{self.preview}out/")
        self.assertEqual(self.soup(response).find("input", checked=True), None)
        response = self.answer(response, {"out-out_by_7am": "yes"})
        self.assertEqual(self.heading(response), "How many items?")

    def test_the_editor_is_never_rate_limited(self):
        cache.clear()
        self.addCleanup(cache.clear)
        with override_settings(RATELIMIT_RATES={"flows.step": "2/m"}):
            for _ in range(3):
                response = self.answer(self.start(), {"out-out_by_7am": "yes"})
                self.assertEqual(self.heading(response), "How many items?")
            # a resident at the same address would have been asked to wait by now
            resident = self.client.get(BASE, follow=True)
            for _ in range(3):
                resident = self.answer(resident, {"out-out_by_7am": "yes"})
            self.assertContains(resident, "Wait a minute", status_code=429)


class WagtailPreviewPanelTests(PreviewTestCase):
    def test_the_preview_panel_opens_the_flow_preview_at_its_first_page(self):
        if "serve_preview" not in FlowPage.__dict__:
            self.skipTest("FlowPage.serve_preview is not there yet (it calls serve_flow_preview)")
        self.edit_unsaved()
        url = reverse("wagtailadmin_pages:preview_on_edit", args=[self.flow.pk])
        response = self.client.get(f"{url}?in_preview_panel=true", follow=True)
        self.assert_in_preview(response)
        self.assertEqual(self.heading(response), "Was your bin out by 7am?")
        self.assertEqual(response["X-Frame-Options"], "SAMEORIGIN")

    def test_a_new_flow_not_saved_yet_asks_for_a_draft_first(self):
        # Wagtail previews a page being created too; a flow without an address cannot be walked
        request = RequestFactory().get("/")
        request.user = self.editor
        new = FlowPage(title="Report a pothole", slug="report", locale=self.flow.locale)
        response = serve_flow_preview(new, request, "").render()
        self.assertContains(response, "Save a draft of this flow to preview it page by page")

    def test_the_preview_may_be_framed_by_the_editor(self):
        response = self.start()
        self.assertEqual(response["X-Frame-Options"], "SAMEORIGIN")
        self.assertIn("frame-ancestors 'self'", response.get("Content-Security-Policy", ""))


class WhoMayPreviewTests(PreviewTestCase):
    def test_an_editor_without_edit_permission_may_not_preview(self):
        group = Group.objects.create(name="Another team")
        group.permissions.add(Permission.objects.get(codename="access_admin"))
        other = self.create_user("other", password="password")
        other.groups.add(group)
        self.client.logout()
        self.client.force_login(other)
        self.assertEqual(self.client.get(self.preview).status_code, 403)
        self.assertEqual(self.client.post(f"{self.preview}out/", {}).status_code, 403)

    def test_a_resident_is_sent_to_sign_in(self):
        self.client.logout()
        response = self.client.get(self.preview)
        self.assertEqual(response.status_code, 302)
        self.assertIn("/admin/login/", response["Location"])

    def test_a_page_that_is_not_a_flow_has_no_flow_preview(self):
        response = self.client.get(reverse("flows_preview", args=[self.flow.get_parent().pk]))
        self.assertEqual(response.status_code, 404)


class ResidentJourneyUntouchedTests(PreviewTestCase):
    def test_previewing_leaves_a_resident_journey_in_the_same_browser_alone(self):
        resident = self.client.get(BASE, follow=True)
        resident = self.answer(resident, {"out-out_by_7am": "yes"})
        self.assertEqual(resident.wsgi_request.path, f"{BASE}items/")
        kept = dict(self.client.session[journeys.SESSION_KEY])
        events = FlowEvent.objects.count()
        self.assertGreater(events, 0)  # a resident's steps are counted
        # the editor walks the other branch, several times over, in the preview
        for _ in range(journeys.KEPT + 1):
            self.answer(
                self.client.get(f"{self.preview}?reset=1", follow=True), {"out-out_by_7am": "no"}
            )
        self.assertEqual(dict(self.client.session[journeys.SESSION_KEY]), kept)
        self.assertEqual(FlowEvent.objects.count(), events)
        # the resident's journey goes on where it was, with its answers
        response = self.client.get(BASE, follow=True)
        self.assertEqual(self.heading(response), "You have already started this form")
        response = self.client.get(f"{BASE}out/", follow=True)
        self.assertEqual(self.soup(response).find("input", checked=True)["value"], "yes")
