"""The web team's search reports: the numbers per search term, the searches that found
nothing, which results were chosen and which searches led to a request; between two dates (the
last 30 days unless chosen), as CSV or XLSX too, and only for those allowed to see them."""

from __future__ import annotations

import csv
import datetime
import io

from bs4 import BeautifulSoup
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from django.test import TestCase, override_settings
from django.utils import timezone
from openpyxl import load_workbook
from wagtail.test.utils import WagtailTestUtils

from search.models import FlowFromSearch, SearchClick, SearchLog
from tests.factories import CategoryPageFactory, ServicePageFactory, make_site
from tests.flows.factories import make_flow, page, question
from tests.inbox.test_inbox import team_group

TERMS = "/admin/reports/search-terms/"
NO_RESULTS = "/admin/reports/searches-with-no-results/"
CLICKS = "/admin/reports/search-click-through/"
FLOWS = "/admin/reports/searches-that-led-to-a-request/"


def days_ago(days: int, hour: int = 12) -> datetime.datetime:
    day = timezone.localdate() - datetime.timedelta(days=days)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


class SearchReportTestCase(WagtailTestUtils, TestCase):
    @classmethod
    def setUpTestData(cls):
        home = make_site()
        cls.bins = CategoryPageFactory(parent=home, slug="bins", title="Bins")
        cls.hwrc = ServicePageFactory(parent=cls.bins, title="Recycling centres", slug="hwrc")
        cls.bulky = ServicePageFactory(parent=cls.bins, title="Bulky waste", slug="bulky")
        cls.flow = make_flow(
            [page("items", question("short_text", "items", "What?"))], service=cls.bulky
        )

        # "tip": 3 searches this month; two chose a result (positions 1, and 3 then 1), one of
        # those started the bulky waste flow and sent it.
        tip = [cls.log("tip", 4, 2), cls.log("tip", 4, 3), cls.log("tip", 1, 5)]
        cls.click(tip[0], 1, cls.hwrc)
        cls.click(tip[1], 3, cls.bulky)
        cls.click(tip[1], 1, cls.hwrc)
        cls.flow_row(tip[1], "started")
        cls.flow_row(tip[1], "finished")
        # "sofa": found nothing once, then something; its click started the flow, unfinished.
        cls.log("sofa", 0, 1)
        sofa = cls.log("sofa", 2, 4)
        cls.click(sofa, 2, cls.bulky)
        cls.flow_row(sofa, "started")
        # "[postcode]": nothing found, twice; "skip hire" nothing, once.
        cls.log("[postcode]", 0, 3, hour=9)
        cls.log("[postcode]", 0, 6, hour=18)
        cls.log("skip hire", 0, 10)
        # Two months ago: outside the default range.
        old = cls.log("tip", 0, 60)
        cls.click(old, 7, cls.hwrc)
        cls.flow_row(old, "started")

        users = get_user_model().objects
        cls.superuser = users.create_superuser("admin", "admin@example.com", "password")
        cls.editor = users.create_user("waste", "waste@example.com", "password")
        cls.editor.groups.add(team_group("Waste and streets", cls.bins))
        cls.analyst = users.create_user("web", "web@example.com", "password")
        web_team = Group.objects.create(name="Web team")
        web_team.permissions.add(
            Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin"),
            Permission.objects.get(
                content_type__app_label="search", codename="view_search_reports"
            ),
        )
        cls.analyst.groups.add(web_team)

    @classmethod
    def log(cls, query: str, results: int, when: int, hour: int = 12) -> SearchLog:
        return SearchLog.objects.create(
            query=query, result_count=results, created_at=days_ago(when, hour)
        )

    @classmethod
    def click(cls, log: SearchLog, position: int, page) -> None:
        SearchClick.objects.create(log=log, position=position, page=page)

    @classmethod
    def flow_row(cls, log: SearchLog, kind: str) -> None:
        FlowFromSearch.objects.create(log=log, flow=cls.flow, service=cls.bulky, kind=kind)

    def setUp(self):
        self.client.force_login(self.analyst)

    def table(self, url: str) -> list[list[str]]:
        response = self.client.get(url)
        self.assertEqual(response.status_code, 200)
        soup = BeautifulSoup(response.content, "html.parser")
        return [
            [cell.get_text(" ", strip=True) for cell in row.select("td")]
            for row in soup.select("table tbody tr")
        ]

    def csv_rows(self, url: str) -> list[dict[str, str]]:
        response = self.client.get(url)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "text/csv")
        text = b"".join(response.streaming_content).decode("utf-8")
        self.assertTrue(text.startswith("\ufeff"))
        return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))


class SearchTermsReportTests(SearchReportTestCase):
    def test_each_term_has_its_searches_results_clicks_and_requests(self):
        rows = {row[0]: row[1:] for row in self.table(TERMS)}
        self.assertEqual(set(rows), {"tip", "sofa", "[postcode]", "skip hire"})
        # searches, average results, no results, clicks, click-through, mean position,
        # flows started, flows finished
        self.assertEqual(rows["tip"], ["3", "3.0", "0", "3", "67%", "1.7", "1", "1"])
        self.assertEqual(rows["sofa"], ["2", "1.0", "1", "1", "50%", "2.0", "1", "0"])
        self.assertEqual(rows["[postcode]"], ["2", "0.0", "2", "0", "0%", "", "0", "0"])

    def test_the_page_says_which_dates_it_covers_and_offers_downloads(self):
        response = self.client.get(TERMS)
        start = timezone.localdate() - datetime.timedelta(days=29)
        self.assertContains(response, f"Searches from {start.day} {start:%B %Y} to")
        self.assertContains(response, "Download CSV")
        self.assertContains(response, "Download XLSX")

    def test_most_searched_first(self):
        self.assertEqual([row[0] for row in self.table(TERMS)][:1], ["tip"])
        by_term = [row[0] for row in self.table(f"{TERMS}?ordering=query")]
        self.assertEqual(by_term, ["[postcode]", "skip hire", "sofa", "tip"])

    def test_the_dates_can_be_chosen(self):
        start = (timezone.localdate() - datetime.timedelta(days=90)).isoformat()
        end = (timezone.localdate() - datetime.timedelta(days=40)).isoformat()
        rows = self.table(f"{TERMS}?dates_from={start}&dates_to={end}")
        self.assertEqual(rows, [["tip", "1", "0.0", "1", "1", "100%", "7.0", "1", "0"]])
        everything = {row[0]: row[1] for row in self.table(f"{TERMS}?dates_from=&dates_to=")}
        self.assertEqual(everything["tip"], "4")

    def test_a_term_can_be_looked_up(self):
        self.assertEqual([row[0] for row in self.table(f"{TERMS}?q=sof")], ["sofa"])

    def test_the_csv_has_the_same_numbers(self):
        rows = self.csv_rows(f"{TERMS}?export=csv")
        tip = next(row for row in rows if row["Search term"] == "tip")
        self.assertEqual(
            tip,
            {
                "Search term": "tip",
                "Searches": "3",
                "Average results": "3.0",
                "Searches with no results": "0",
                "Clicks": "3",
                "Click-through rate (%)": "67",
                "Mean clicked position": "1.7",
                "Flows started": "1",
                "Flows finished": "1",
            },
        )
        self.assertEqual(len(rows), 4)

    def test_the_xlsx_keeps_numbers_as_numbers(self):
        response = self.client.get(f"{TERMS}?export=xlsx")
        self.assertEqual(response.status_code, 200)
        sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
        rows = list(sheet.iter_rows(values_only=True))
        self.assertEqual(rows[0][:3], ("Search term", "Searches", "Average results"))
        self.assertEqual(rows[1][:2], ("tip", 3))


class NoResultsReportTests(SearchReportTestCase):
    def test_terms_that_found_nothing_with_how_often_and_when_last(self):
        rows = self.table(NO_RESULTS)
        self.assertEqual(
            [row[:2] for row in rows], [["[postcode]", "2"], ["skip hire", "1"], ["sofa", "1"]]
        )
        last = timezone.localtime(days_ago(3, 9))
        self.assertEqual(rows[0][2], last.strftime("%-d %b %Y, %H:%M"))

    def test_the_csv_lists_them_with_the_last_time(self):
        rows = self.csv_rows(f"{NO_RESULTS}?export=csv")
        self.assertEqual(rows[0]["Search term"], "[postcode]")
        self.assertEqual(rows[0]["Times searched"], "2")
        self.assertEqual(
            rows[0]["Last searched"], timezone.localtime(days_ago(3, 9)).strftime("%Y-%m-%d %H:%M")
        )


class ClickThroughReportTests(SearchReportTestCase):
    def test_which_result_was_chosen_at_which_position(self):
        rows = self.table(CLICKS)
        self.assertEqual(
            rows,
            [
                ["tip", "1", "Recycling centres", "2"],
                ["sofa", "2", "Bulky waste", "1"],
                ["tip", "3", "Bulky waste", "1"],
            ],
        )

    def test_a_deleted_page_keeps_its_clicks(self):
        self.hwrc.delete()
        rows = self.table(CLICKS)
        self.assertIn(["tip", "1", "(page deleted)", "2"], rows)

    def test_the_csv(self):
        rows = self.csv_rows(f"{CLICKS}?export=csv")
        self.assertEqual(
            rows[0],
            {"Search term": "tip", "Position": "1", "Page": "Recycling centres", "Clicks": "2"},
        )


class FlowsFromSearchReportTests(SearchReportTestCase):
    def test_searches_that_led_to_starting_and_sending_a_request(self):
        rows = self.table(FLOWS)
        self.assertEqual(
            rows, [["sofa", "Bulky waste", "1", "0"], ["tip", "Bulky waste", "1", "1"]]
        )

    def test_the_csv(self):
        rows = self.csv_rows(f"{FLOWS}?export=csv")
        self.assertEqual(
            [tuple(row.values()) for row in rows],
            [("sofa", "Bulky waste", "1", "0"), ("tip", "Bulky waste", "1", "1")],
        )
        self.assertEqual(list(rows[0]), ["Search term", "Flow", "Started", "Finished"])


class ReportPermissionTests(SearchReportTestCase):
    def test_an_editor_without_the_permission_is_kept_out(self):
        self.client.force_login(self.editor)
        for report in (TERMS, NO_RESULTS, CLICKS, FLOWS):
            for url in (report, f"{report}?export=csv", f"{report}results/"):
                with self.subTest(url=url):
                    response = self.client.get(url)
                    self.assertEqual(response.status_code, 302)
                    self.assertEqual(response["Location"], "/admin/")
        menu = self.client.get("/admin/").content.decode()
        for report in (TERMS, NO_RESULTS, CLICKS, FLOWS):
            self.assertNotIn(report, menu)

    def test_the_web_team_find_the_reports_in_the_search_menu(self):
        menu = self.client.get("/admin/").content.decode()
        for report in (TERMS, NO_RESULTS, CLICKS, FLOWS):
            self.assertIn(report, menu)

    def test_superusers_see_the_reports(self):
        self.client.force_login(self.superuser)
        for report in (TERMS, NO_RESULTS, CLICKS, FLOWS):
            with self.subTest(report=report):
                self.assertEqual(self.client.get(report).status_code, 200)

    def test_the_permission_can_be_given_in_the_group_editor(self):
        self.client.force_login(self.superuser)
        response = self.client.get("/admin/groups/new/")
        self.assertContains(response, "Can view search reports")


class WebTeamDemoUserTests(SearchReportTestCase):
    @override_settings(DEBUG=True)
    def test_the_demo_web_team_user_tunes_search_and_reads_the_reports(self):
        Group.objects.create(name="Registration")
        call_command("create_demo_users", stdout=io.StringIO())
        user = get_user_model().objects.get(username="web.team")
        self.assertTrue(user.check_password("fernbridge-demo"))
        self.assertFalse(user.is_superuser)
        self.client.force_login(user)
        for url in (TERMS, NO_RESULTS, CLICKS, FLOWS, "/admin/search/synonyms/new/"):
            with self.subTest(url=url):
                self.assertEqual(self.client.get(url).status_code, 200)
        self.assertEqual(self.client.get("/admin/searchpicks/").status_code, 200)
        self.assertEqual(self.client.get("/admin/pages/").status_code, 302)  # no page rights
