"""Editors find a guide to building a flow in the admin's menu: one page, a contents list that
leads to each part, and the "Report a missed bin collection" flow as its example."""

from __future__ import annotations

from bs4 import BeautifulSoup
from django.test import TestCase
from django.urls import reverse
from wagtail.test.utils import WagtailTestUtils

PARTS = [
    "How a flow works",
    "Questions",
    "Branches",
    "End points",
    "Fees",
    "Translations",
    "Checks when you save and publish",
    "Preview as a resident",
    "Copying a flow",
    "Publishing",
]


class EditorsGuideTests(WagtailTestUtils, TestCase):
    def setUp(self):
        self.login()

    def guide(self) -> BeautifulSoup:
        response = self.client.get(reverse("flow_guide"))
        self.assertEqual(response.status_code, 200)
        return BeautifulSoup(response.content, "html.parser")

    def test_the_admin_menu_leads_to_the_guide(self):
        dashboard = self.client.get(reverse("wagtailadmin_home"))
        self.assertContains(dashboard, "Help: building a flow")
        self.assertContains(dashboard, reverse("flow_guide"))
        self.assertEqual(reverse("flow_guide"), "/admin/flows/help/")

    def test_the_contents_lead_to_every_part_in_order(self):
        soup = self.guide()
        guide = soup.select_one("[data-flow-guide]")
        contents = guide.select("nav.flow-guide__contents a")
        self.assertEqual([a.get_text(strip=True) for a in contents], PARTS)
        headings = [h.get_text(strip=True) for h in guide.find_all("h2")]
        self.assertEqual(headings, ["Contents", *PARTS])
        for link in contents:
            heading = guide.find(id=link["href"][1:])
            self.assertEqual(heading.name, "h2", link["href"])
            self.assertEqual(heading.get_text(strip=True), link.get_text(strip=True))

    def test_the_page_has_one_title_for_screen_readers_and_wagtail_s_breadcrumbs(self):
        soup = self.guide()
        self.assertEqual(
            [h.get_text(strip=True) for h in soup.find_all("h1")], ["Help: building a flow"]
        )
        self.assertIn("Help: building a flow", soup.select_one(".w-breadcrumbs").get_text())

    def test_the_missed_bin_flow_is_the_example_throughout(self):
        guide = self.guide().select_one("[data-flow-guide]")
        steps = [li.get_text(strip=True) for li in guide.select("[data-example-steps] li")]
        self.assertEqual(steps[0], "Which bins did we miss?")
        self.assertEqual(len(steps), 8)
        for part in ("branches", "end-points", "fees", "checks", "preview"):
            section = guide.find(id=part).find_parent("section")
            self.assertRegex(section.get_text(), r"missed bin|7am|Which bins|your bin", part)

    def test_signed_out_goes_to_sign_in(self):
        self.client.logout()
        response = self.client.get(reverse("flow_guide"))
        self.assertEqual(response.status_code, 302)
        self.assertIn("/admin/login/", response["Location"])
