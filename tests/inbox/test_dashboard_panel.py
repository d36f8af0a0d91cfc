"""The admin dashboard shows each team its new requests (newest first) and the open requests
waiting longest (oldest first, how long in words), only for the flows the team may see, each
linking to the request and to the inbox."""

from __future__ import annotations

import datetime

from bs4 import BeautifulSoup
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.test import TestCase
from django.utils import timezone
from wagtail.test.utils import WagtailTestUtils

from forms.flows.constants import SubmissionStatus
from forms.flows.models import Submission
from tests.factories import CategoryPageFactory, ServicePageFactory, make_site
from tests.flows.factories import make_flow, page, question
from tests.inbox.test_inbox import make_submission, team_group


def sent(submission: Submission, days: int, hours: int = 0) -> None:
    at = timezone.now() - datetime.timedelta(days=days, hours=hours)
    Submission.objects.filter(pk=submission.pk).update(created_at=at)


class DashboardPanelTests(WagtailTestUtils, TestCase):
    @classmethod
    def setUpTestData(cls):
        home = make_site()
        waste = CategoryPageFactory(parent=home, slug="bins-recycling-waste", title="Bins")
        births = CategoryPageFactory(parent=home, slug="births-deaths-marriages", title="Births")
        bulky = ServicePageFactory(parent=waste, slug="bulky-waste", title="Bulky waste")
        birth = ServicePageFactory(parent=births, slug="register-a-birth", title="Register a birth")
        bulky_flow = make_flow(
            [page("items", question("short_text", "items", "What?"))], service=bulky, slug="book"
        )
        birth_flow = make_flow(
            [page("baby", question("short_text", "name", "Name?"))], service=birth, slug="book"
        )
        made = {}
        for reference, flow, status, days in [
            ("FCC-NEW1-AAAA", bulky_flow, SubmissionStatus.RECEIVED, 0),
            ("FCC-NEW2-AAAA", bulky_flow, SubmissionStatus.RECEIVED, 2),
            ("FCC-OLD1-AAAA", bulky_flow, SubmissionStatus.IN_PROGRESS, 12),
            ("FCC-PAY1-AAAA", bulky_flow, SubmissionStatus.WAITING_FOR_PAYMENT, 30),
            ("FCC-DONE-AAAA", bulky_flow, SubmissionStatus.COMPLETED, 40),
            ("FCC-BABY-AAAA", birth_flow, SubmissionStatus.RECEIVED, 20),
        ]:
            made[reference] = make_submission(flow, reference, status=status)
            sent(made[reference], days, hours=1)
        cls.made = made
        users = get_user_model().objects
        cls.superuser = users.create_superuser("admin", "admin@example.com", "password")
        cls.waste_editor = users.create_user("waste", "waste@example.com", "password")
        cls.waste_editor.groups.add(team_group("Waste and streets", waste))
        cls.web_team = users.create_user("web", "web@example.com", "password")
        group = Group.objects.create(name="Web team")
        group.permissions.add(
            Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin")
        )
        cls.web_team.groups.add(group)

    def panel(self, user):
        self.client.force_login(user)
        response = self.client.get("/admin/")
        self.assertEqual(response.status_code, 200)
        return BeautifulSoup(response.content, "html.parser").select_one(
            "#council-requests-section"
        )

    def section(self, panel, heading_id: str):
        return panel.find(attrs={"aria-labelledby": heading_id}, name="section")

    def references(self, section) -> list[str]:
        return [row.select_one("td a").get_text(strip=True) for row in section.select("tbody tr")]

    def test_a_team_sees_its_new_requests_newest_first(self):
        new = self.section(self.panel(self.waste_editor), "council-requests-new")
        self.assertIn("2 new requests", new.get_text(" ", strip=True))
        self.assertEqual(self.references(new), ["FCC-NEW1-AAAA", "FCC-NEW2-AAAA"])

    def test_a_team_sees_its_open_requests_waiting_longest_first_with_how_long(self):
        waiting = self.section(self.panel(self.waste_editor), "council-requests-waiting")
        # Waiting for payment is the resident's turn, and completed requests are done.
        self.assertEqual(
            self.references(waiting), ["FCC-OLD1-AAAA", "FCC-NEW2-AAAA", "FCC-NEW1-AAAA"]
        )
        first = [cell.get_text(strip=True) for cell in waiting.select("tbody tr")[0].select("td")]
        self.assertEqual(first[2:], ["In progress", "1\xa0week"])
        self.assertIn("See all 3 open requests", waiting.get_text(" ", strip=True))

    def test_a_team_does_not_see_other_teams_requests(self):
        text = self.panel(self.waste_editor).get_text(" ", strip=True)
        self.assertNotIn("FCC-BABY-AAAA", text)
        admin_text = self.panel(self.superuser).get_text(" ", strip=True)
        self.assertIn("FCC-BABY-AAAA", admin_text)
        self.assertIn("3 new requests", admin_text)

    def test_each_request_links_to_its_page_in_the_inbox_and_the_lists_to_the_inbox(self):
        panel = self.panel(self.waste_editor)
        link = panel.find("a", string="FCC-NEW1-AAAA")
        self.assertEqual(link["href"], f"/admin/requests/{self.made['FCC-NEW1-AAAA'].pk}/")
        self.assertEqual(self.client.get(link["href"]).status_code, 200)
        all_new = panel.find("a", string="See all new requests")
        self.assertEqual(all_new["href"], "/admin/requests/?status=received")
        listing = self.client.get(all_new["href"])
        self.assertContains(listing, "FCC-NEW1-AAAA")
        self.assertNotContains(listing, "FCC-OLD1-AAAA")
        self.assertEqual(panel.find("a", string="Go to all requests")["href"], "/admin/requests/")

    def test_the_tables_scroll_in_their_own_labelled_region(self):
        for region in self.panel(self.waste_editor).select("table"):
            wrapper = region.parent
            self.assertIn("council-table-scroll", wrapper["class"])
            self.assertEqual(wrapper["role"], "region")
            self.assertEqual(wrapper["tabindex"], "0")

    def test_people_without_flows_see_no_requests_panel(self):
        self.assertIsNone(self.panel(self.web_team))

    def test_a_team_with_nothing_waiting_is_told_so(self):
        Submission.objects.filter(flow__isnull=False).exclude(reference="FCC-BABY-AAAA").update(
            status=SubmissionStatus.COMPLETED
        )
        text = self.panel(self.waste_editor).get_text(" ", strip=True)
        self.assertIn("0 new requests", text)
        self.assertIn("There are no new requests.", text)
        self.assertIn("No requests are waiting for your team.", text)
