"""An editor copies a flow built for one service to a service that has none: a draft with the
same pages, option keys and conditions, opened in the editor; nothing published."""

from __future__ import annotations

from bs4 import BeautifulSoup
from django.contrib.auth.models import Group, Permission
from django.test import TestCase
from django.urls import reverse
from wagtail.models import GroupPagePermission
from wagtail.test.utils import WagtailTestUtils

from forms.flows.conditions import raw_steps
from forms.flows.models import FlowPage
from tests.factories import ServicePageFactory
from tests.flows.factories import end_point, make_flow, page, question


def missed_bin_flow() -> FlowPage:
    return make_flow(
        [
            page(
                "which-bin",
                question(
                    "radios",
                    "bin",
                    "Which bin did we miss?",
                    options=[
                        {"label": "Black bin", "hint": "", "key": "black-bin"},
                        {"label": "Food caddy", "hint": "", "key": "food-caddy"},
                    ],
                ),
            ),
            end_point(
                "caddy",
                "Report a missed caddy by phone",
                "Call 01632 960 100.",
                show_if={"question": "bin", "options": ["food-caddy"], "negate": False},
            ),
            page("contact", question("email", "email", "Email address")),
        ],
        title="Report a missed bin",
        slug="report",
    )


class CopyFlowTests(WagtailTestUtils, TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.flow = missed_bin_flow()
        cls.category = cls.flow.get_parent().get_parent()
        cls.new_service = ServicePageFactory(
            parent=cls.category, slug="missed-garden-waste", title="Missed garden waste"
        )
        cls.other_with_flow = ServicePageFactory(
            parent=cls.category, slug="new-bin", title="New bin"
        )
        make_flow([page("contact", question("email", "email"))], service=cls.other_with_flow)

    def setUp(self):
        self.editor = self.login()
        self.url = reverse("flows_copy", args=[self.flow.pk])

    def copy_to(self, service, **data):
        return self.client.post(
            self.url,
            {
                "new_parent_page": service.pk,
                "new_title": "Report missed garden waste",
                "new_slug": "report",
                **data,
            },
        )

    def test_only_services_without_a_flow_are_offered(self):
        response = self.client.get(self.url)
        self.assertEqual(response.status_code, 200)
        soup = BeautifulSoup(response.content, "html.parser")
        offered = {
            o.get_text(strip=True) for o in soup.select("select[name=new_parent_page] option")
        }
        self.assertEqual(offered, {"Choose a service", "Missed garden waste"})
        # nothing to publish or alias: the copy is a draft of its own
        self.assertIsNone(soup.find("input", attrs={"name": "publish_copies"}))
        self.assertIsNone(soup.find("input", attrs={"name": "alias"}))

    def test_the_copy_is_a_draft_with_the_same_steps_opened_in_the_editor(self):
        response = self.copy_to(self.new_service, publish_copies="on")
        copy = FlowPage.objects.child_of(self.new_service).get()
        self.assertRedirects(response, reverse("wagtailadmin_pages:edit", args=[copy.pk]))
        self.assertFalse(copy.live)
        self.assertEqual(copy.title, "Report missed garden waste")
        self.assertNotEqual(copy.translation_key, self.flow.translation_key)
        original = raw_steps(self.flow.steps)
        copied = raw_steps(copy.get_latest_revision_as_object().steps)
        self.assertEqual(copied, original)
        options = copied[0]["value"]["questions"][0]["value"]["options"]
        self.assertEqual([o["value"]["key"] for o in options], ["black-bin", "food-caddy"])
        self.assertEqual(copied[1]["value"]["show_if"]["options"], ["food-caddy"])
        # its history starts with the copy
        self.assertEqual(copy.revisions.count(), 1)
        # the original is as it was
        self.flow.refresh_from_db()
        self.assertTrue(self.flow.live)
        self.assertEqual(self.flow.get_parent().pk, self.flow.service.pk)

    def test_the_copy_has_the_editors_latest_draft(self):
        draft = self.flow.get_latest_revision_as_object()
        draft.steps = [*raw_steps(draft.steps), page("photo", question("short_text", "photo"))]
        draft.save_revision(user=self.editor)
        self.copy_to(self.new_service)
        copy = FlowPage.objects.child_of(self.new_service).get()
        names = [s["value"]["name"] for s in raw_steps(copy.get_latest_revision_as_object().steps)]
        self.assertEqual(names, ["which-bin", "caddy", "contact", "photo"])

    def test_a_service_that_has_a_flow_cannot_be_chosen(self):
        response = self.copy_to(self.other_with_flow)
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response.context["form"].errors["new_parent_page"])
        self.assertEqual(FlowPage.objects.child_of(self.other_with_flow).count(), 1)

    def test_a_page_that_is_not_a_flow_is_not_copied_here(self):
        response = self.client.get(reverse("flows_copy", args=[self.new_service.pk]))
        self.assertEqual(response.status_code, 404)

    def test_the_flows_editor_offers_copy_this_flow(self):
        response = self.client.get(reverse("wagtailadmin_pages:edit", args=[self.flow.pk]))
        self.assertContains(response, self.url)
        self.assertContains(response, "Copy this flow")
        service = self.client.get(reverse("wagtailadmin_pages:edit", args=[self.new_service.pk]))
        self.assertNotContains(service, "Copy this flow")

    def test_an_editor_who_may_not_add_to_the_service_cannot_copy_there(self):
        group = Group.objects.create(name="Bins team")
        group.permissions.add(Permission.objects.get(codename="access_admin"))
        # may edit and copy the flow's service area, not the new service
        for permission in ("add", "change", "publish"):
            GroupPagePermission.objects.create(
                group=group,
                page=self.flow.service,
                permission=Permission.objects.get(
                    content_type__app_label="wagtailcore", codename=f"{permission}_page"
                ),
            )
        other = self.create_user("bins", password="password")
        other.groups.add(group)
        self.client.force_login(other)
        response = self.client.get(self.url)
        self.assertContains(response, "Every service you can edit already has an online flow")
        soup = BeautifulSoup(response.content, "html.parser")
        self.assertIsNone(soup.select_one("select[name=new_parent_page]"))
        self.copy_to(self.new_service)
        self.assertFalse(FlowPage.objects.child_of(self.new_service).exists())
