"""One "Search terms" report: ours, in the Search menu. Wagtail's simpler report of the same
name (search promotions) is not offered under Reports, and its address leads to ours."""

from __future__ import annotations

from pathlib import Path

from bs4 import BeautifulSoup
from django.contrib.auth import get_user_model
from django.contrib.staticfiles import finders
from django.test import TestCase
from wagtail.test.utils import WagtailTestUtils

from search.models import SearchLog

OURS = "/admin/reports/search-terms/"
BASIC = "/admin/searchpicks/reports/search-terms/"


class OneSearchTermsReportTests(WagtailTestUtils, TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.admin = get_user_model().objects.create_superuser(
            "admin", "admin@example.com", "password"
        )

    def setUp(self):
        self.client.force_login(self.admin)

    def test_the_reports_menu_does_not_offer_the_basic_report(self):
        response = self.client.get("/admin/")
        self.assertEqual(response.status_code, 200)
        # The sidebar's menu is in the page as JSON: ours is there, the basic one is not.
        self.assertContains(response, OURS)
        self.assertNotContains(response, BASIC)

    def test_the_basic_report_s_address_leads_to_ours(self):
        response = self.client.get(f"{BASIC}?q=bins")
        self.assertRedirects(response, f"{OURS}?q=bins", fetch_redirect_response=False)
        self.assertEqual(self.client.get(response["Location"]).status_code, 200)

    def test_its_results_address_leads_to_our_results(self):
        response = self.client.get(f"{BASIC}results/")
        self.assertRedirects(response, f"{OURS}results/", fetch_redirect_response=False)

    def test_people_who_may_not_use_the_admin_are_sent_to_log_in(self):
        self.client.logout()
        response = self.client.get(BASIC)
        self.assertEqual(response.status_code, 302)
        self.assertIn("/admin/login/", response["Location"])


class WideReportTablesTests(WagtailTestUtils, TestCase):
    """A report with many columns scrolls sideways inside its own region, never the page."""

    @classmethod
    def setUpTestData(cls):
        cls.admin = get_user_model().objects.create_superuser(
            "admin", "admin@example.com", "password"
        )
        SearchLog.objects.create(query="bin day", language="en-gb", result_count=4)

    def setUp(self):
        self.client.force_login(self.admin)

    def test_each_search_report_s_table_is_in_a_labelled_scrolling_region(self):
        for url in [OURS, "/admin/reports/searches-with-no-results/", f"{OURS}results/"]:
            with self.subTest(url=url):
                SearchLog.objects.create(query="passport", language="en-gb", result_count=0)
                soup = BeautifulSoup(self.client.get(url).content, "html.parser")
                table = soup.select_one("table")
                region = table.find_parent(class_="council-table-scroll")
                self.assertIsNotNone(region)
                self.assertEqual(region["role"], "region")
                self.assertEqual(region["tabindex"], "0")
                self.assertTrue(region["aria-label"].strip())

    def test_the_admin_has_the_styles_that_make_those_regions_scroll(self):
        soup = BeautifulSoup(self.client.get("/admin/").content, "html.parser")
        links = [link["href"] for link in soup.select('link[rel="stylesheet"]')]
        self.assertIn("/static/home/css/admin.css", links)
        css = Path(finders.find("home/css/admin.css")).read_text(encoding="utf-8")
        rule = css.split(".council-table-scroll {")[1].split("}")[0]
        self.assertIn("overflow-x: auto;", rule)
        self.assertIn("max-width: 100%;", rule)
        self.assertIn(".council-table-scroll:focus-visible", css)
