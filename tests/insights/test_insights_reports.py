"""The drop-off report and the service KPI dashboard in the admin: who sees which flows, the
date ranges (defaults and mistakes), both ranges' figures side by side, the funnel chart and its
tables, the CSV, and the KPIs formatted with their trends.

The figures themselves come from `forms.insights.metrics` (tested on their own); here they are
hand-built dataclasses patched in where the reports import them."""

from __future__ import annotations

import csv
import datetime
import decimal
import io
import uuid
from unittest import mock

from bs4 import BeautifulSoup
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.test import TestCase
from django.utils import timezone
from wagtail.test.utils import WagtailTestUtils

from forms.insights.metrics import (
    ErrorMetrics,
    FlowMetrics,
    SatisfactionSummary,
    ServiceKPIs,
    StepMetrics,
)
from forms.insights.models import FlowEvent, SatisfactionResponse
from forms.insights.reports.periods import month_start
from tests.factories import CategoryPageFactory, ServicePageFactory, make_site
from tests.flows.factories import make_flow, page, question
from tests.inbox.test_inbox import team_group

INDEX = "/admin/reports/flows/"
KPIS = "/admin/reports/service-kpis/"
RANGES = "?from=2025-03-01&to=2025-03-31&compare_from=2025-02-01&compare_to=2025-02-28"


def fake_flow_metrics(flow, start, end, copies=None, device=""):
    """March 2025 (or any range starting on the 1st of a month after February) is 'busy', the
    rest 'quiet', so the two ranges' figures differ."""
    busy = start.month == 3 or start == timezone.localdate() - datetime.timedelta(days=29)
    scale = 2 if busy else 1
    return FlowMetrics(
        flow=flow,
        start=start,
        end=end,
        started=100 * scale,
        submitted=55 * scale,
        end_points=7 * scale,
        successful_end_points=7 * scale,
        by_end_point={"cannot-collect": 7 * scale},
        abandoned=30 * scale,
        payment_started=40 * scale,
        payment_succeeded=30 * scale,
        steps=[
            StepMetrics(
                "items", "What do you want us to collect?", 0,
                reached=90 * scale, completed=80 * scale, failed=12 * scale,
                abandoned=10 * scale, median_seconds=65,
            ),
            StepMetrics(
                "check-your-answers", "=Check your answers", 1,
                reached=80 * scale, completed=70 * scale, abandoned=8 * scale,
                median_seconds=20.4,
            ),
            StepMetrics(
                "payment", "Payment", 2, reached=40 * scale, completed=30 * scale,
                abandoned=10 * scale, median_seconds=None,
            ),
        ],
        errors=[
            ErrorMetrics("items", "items", "required", 9 * scale, "What do you want us to collect?"),  # noqa: E501
            ErrorMetrics("items", "photo", "file_too_big", 3 * scale, ""),
        ],
        satisfaction=SatisfactionSummary(
            responses=10 * scale, by_rating={5: 4 * scale, 4: 3 * scale, 2: 3 * scale}
        ),
        by_source={"search": 60 * scale, "service_page": 40 * scale},
        by_device={"mobile": 70 * scale, "desktop": 30 * scale},
    )  # fmt: skip


def kpis(service, start, end, **figures):
    return ServiceKPIs(service=service, start=start, end=end, **figures)


def fake_service_kpis(service, start, end, site=None):
    if service.slug == "bulky-waste":
        return kpis(
            service, start, end, started=100, digital_completions=62, phone=30, face_to_face=8,
            satisfaction=SatisfactionSummary(10, {5: 5, 4: 3, 1: 2}),
            costs={
                "online": decimal.Decimal("0.08"), "phone": decimal.Decimal("3.39"),
                "face_to_face": decimal.Decimal("10.53"), "post": decimal.Decimal("3.39"),
            },
        )  # fmt: skip
    return kpis(service, start, end)  # nothing yet: every figure is None


def fake_kpi_trend(service, months=6, site=None):
    this_month = month_start(timezone.localdate())
    trend = []
    for back in range(months - 1, -1, -1):
        start = month_start(this_month, back)
        if service.slug == "bulky-waste" and back < 3:
            trend.append(
                kpis(service, start, start, started=100, digital_completions=50 + 10 * (2 - back))
            )
        else:
            trend.append(kpis(service, start, start))
    return trend


patch_flow_metrics = mock.patch(
    "forms.insights.reports.dropoff.flow_metrics", side_effect=fake_flow_metrics
)


def fake_grouped_service_kpis(groups, start, end, language="", months=6):
    return [
        (fake_service_kpis(group["service"], start, end), fake_kpi_trend(group["service"], months))
        for group in groups
    ]


patch_service_kpis = mock.patch(
    "forms.insights.reports.kpis.grouped_service_kpis", side_effect=fake_grouped_service_kpis
)


class InsightsTestCase(WagtailTestUtils, TestCase):
    @classmethod
    def setUpTestData(cls):
        home = make_site()
        waste = CategoryPageFactory(parent=home, slug="bins-recycling-waste", title="Bins")
        births = CategoryPageFactory(parent=home, slug="births-deaths-marriages", title="Births")
        cls.bulky = ServicePageFactory(parent=waste, slug="bulky-waste", title="Bulky waste")
        cls.birth = ServicePageFactory(
            parent=births, slug="register-a-birth", title="Register a birth"
        )
        steps = [page("items", question("short_text", "items", "What do you want us to collect?"))]
        cls.bulky_flow = make_flow(steps, service=cls.bulky, slug="book")
        cls.birth_flow = make_flow(
            steps, service=cls.birth, slug="book", title="Book an appointment"
        )

        users = get_user_model().objects
        cls.superuser = users.create_superuser("admin", "admin@example.com", "password")
        cls.waste_editor = users.create_user("waste", "waste@example.com", "password")
        cls.waste_editor.groups.add(team_group("Waste and streets", waste))
        cls.no_flows = users.create_user("nobody", "nobody@example.com", "password")
        cls.no_flows.user_permissions.add(
            Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin")
        )

    def setUp(self):
        self.client.force_login(self.superuser)
        self.flow_metrics = patch_flow_metrics.start()
        self.service_kpis = patch_service_kpis.start()
        self.addCleanup(mock.patch.stopall)

    def report_url(self, flow=None, query: str = RANGES) -> str:
        return f"{INDEX}{(flow or self.bulky_flow).pk}/{query}"

    def soup(self, url: str) -> BeautifulSoup:
        response = self.client.get(url)
        self.assertEqual(response.status_code, 200)
        return BeautifulSoup(response.content, "html.parser")

    def csv_rows(self, url: str) -> list[dict[str, str]]:
        response = self.client.get(url)
        self.assertEqual(response.status_code, 200)
        self.assertIn("attachment", response["Content-Disposition"])
        raw = b"".join(response.streaming_content)
        self.assertTrue(raw.startswith(b"\xef\xbb\xbf"))
        return list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))


class PermissionTests(InsightsTestCase):
    def test_superusers_see_every_flow(self):
        soup = self.soup(INDEX)
        rows = [row.get_text(" ", strip=True) for row in soup.select("[data-flow-row]")]
        self.assertEqual(len(rows), 2)
        self.assertIn("Bulky waste Book a collection", rows[0])
        self.assertIn("Register a birth Book an appointment", rows[1])

    def test_a_service_team_sees_only_its_flows(self):
        self.client.force_login(self.waste_editor)
        soup = self.soup(INDEX)
        self.assertEqual(
            [row.th.get_text(strip=True) for row in soup.select("[data-flow-row]")],
            ["Bulky waste"],
        )
        self.assertEqual(self.client.get(self.report_url()).status_code, 200)
        self.assertEqual(self.client.get(self.report_url(self.birth_flow)).status_code, 404)
        self.assertEqual(
            self.client.get(self.report_url(self.birth_flow, "?export=csv")).status_code, 404
        )
        self.assertEqual(self.client.get(f"{INDEX}999999/").status_code, 404)

    def test_the_dashboard_lists_only_the_teams_services(self):
        self.client.force_login(self.waste_editor)
        soup = self.soup(KPIS)
        self.assertEqual(
            [row["data-service"] for row in soup.select("[data-service]")], ["bulky-waste"]
        )

    def test_users_without_flows_are_refused(self):
        self.client.force_login(self.no_flows)
        for url in [INDEX, self.report_url(), KPIS, f"{KPIS}?export=csv"]:
            self.assertIn(self.client.get(url).status_code, (302, 403, 404), url)

    def test_menu_items_for_users_who_see_a_flow(self):
        for user, shown in [
            (self.superuser, True),
            (self.waste_editor, True),
            (self.no_flows, False),
        ]:
            self.client.force_login(user)
            response = self.client.get("/admin/")
            self.assertEqual(response.status_code, 200)
            content = response.content.decode()
            self.assertEqual(INDEX in content, shown, user)
            self.assertEqual(KPIS in content, shown, user)
            self.assertEqual("Flow drop-off" in content, shown, user)
            self.assertEqual("Service KPIs" in content, shown, user)


class DateRangeTests(InsightsTestCase):
    def test_the_last_30_days_against_the_30_before_by_default(self):
        today = timezone.localdate()
        soup = self.soup(self.report_url(query=""))
        self.assertEqual(
            soup.select_one("input[name=from]")["value"], f"{today - datetime.timedelta(days=29)}"
        )
        self.assertEqual(soup.select_one("input[name=to]")["value"], f"{today}")
        calls = [call.args[1:3] for call in self.flow_metrics.call_args_list]
        self.assertEqual(
            calls,
            [
                (today - datetime.timedelta(days=29), today),
                (today - datetime.timedelta(days=59), today - datetime.timedelta(days=30)),
            ],
        )

    def test_the_comparison_defaults_to_the_same_length_just_before(self):
        self.soup(self.report_url(query="?from=2025-03-10&to=2025-03-19"))
        calls = [call.args[1:3] for call in self.flow_metrics.call_args_list]
        self.assertEqual(calls[-1], (datetime.date(2025, 2, 28), datetime.date(2025, 3, 9)))

    def assert_form_error(self, query: str, field: str, message: str) -> None:
        soup = self.soup(self.report_url(query=query))
        summary = soup.select_one("[data-error-summary]")
        self.assertIsNotNone(summary, query)
        self.assertIn(message, summary.get_text(" ", strip=True))
        self.assertIsNotNone(summary.select_one(f'a[href="#id_{field}"]'))
        self.assertIsNone(soup.select_one("[data-table=headline]"))

    def test_mistakes_are_form_errors_never_a_server_error(self):
        self.assert_form_error("?from=2025-02-30&to=2025-03-31", "from", "Enter a real date")
        self.assert_form_error("?from=yesterday&to=2025-03-31", "from", "Enter a real date")
        self.assert_form_error("?from=2025-03-31&to=2025-03-01", "to", "same as or after")
        self.assert_form_error("?from=0001-01-01&to=2025-03-01", "from", "between 2000 and 2100")
        self.assert_form_error("?from=2025-03-01", "to", "Enter a date")
        self.assert_form_error(
            "?from=2025-03-01&to=2025-03-31&compare_from=2025-02-01", "compare_to", "or neither"
        )
        self.assert_form_error(
            "?from=2025-03-01&to=2025-03-31&compare_from=2025-02-28&compare_to=2025-02-01",
            "compare_to",
            "same as or after",
        )
        response = self.client.get(self.report_url(query="?from=nope&to=2025-03-31&export=csv"))
        self.assertEqual(response.status_code, 200)
        self.assertNotIn("attachment", response.get("Content-Disposition", ""))


class DropOffReportTests(InsightsTestCase):
    def table(self, soup: BeautifulSoup, name: str) -> list[list[str]]:
        return [
            [cell.get_text(" ", strip=True) for cell in row.select("th, td")]
            for row in soup.select(f"[data-table={name}] tbody tr")
        ]

    def test_headline_figures_for_both_ranges_with_the_change(self):
        soup = self.soup(self.report_url())
        self.assertIn("1 Mar 2025 to 31 Mar 2025", soup.select_one("[data-periods]").get_text())
        self.assertIn("1 Feb 2025 to 28 Feb 2025", soup.select_one("[data-periods]").get_text())
        rows = {row[0]: row[1:] for row in self.table(soup, "headline")}
        self.assertEqual(rows["Started"], ["200", "100", "+100"])
        self.assertEqual(
            rows["Completed (sent, or an answer given at an end point)"], ["124", "62", "+62"]
        )
        self.assertEqual(rows["Completion rate"], ["62%", "62%", "0 pts"])
        self.assertEqual(rows["Abandoned"], ["60", "30", "+30"])
        self.assertEqual(rows["Payment abandonment"], ["25%", "25%", "0 pts"])
        self.assertEqual(
            rows["User satisfaction (satisfied or very satisfied)"], ["70%", "70%", "0 pts"]
        )
        self.assertEqual(rows["Satisfaction answers"], ["20", "10", "+10"])
        satisfaction = {row[0]: row[1:] for row in self.table(soup, "satisfaction")}
        self.assertEqual(satisfaction["Very satisfied"], ["8 (40%)", "4 (40%)"])
        self.assertEqual(satisfaction["Neither satisfied or dissatisfied"], ["0 (0%)", "0 (0%)"])

    def test_the_funnel_as_a_chart_and_as_tables(self):
        soup = self.soup(self.report_url())
        svg = soup.select_one("svg.flow-funnel__chart")
        self.assertEqual(svg["role"], "img")
        self.assertEqual(svg.title.get_text(), "People reaching each stage of the flow")
        self.assertIn("Started 200", svg.desc.get_text())
        self.assertIn("Compared with 1 Feb 2025 to 28 Feb 2025: Started 100", svg.desc.get_text())
        bars = svg.select("rect")
        # started, two pages, submitted, payment and paid (end points have a table of their
        # own); two each
        self.assertEqual(len(bars), 12)
        self.assertEqual(bars[0]["width"], "560.0")  # the largest figure fills the space
        self.assertEqual(bars[1]["width"], "280.0")
        self.assertFalse(soup.select("[style]"))

        current = self.table(soup, "steps-current")
        self.assertEqual(
            [row[0] for row in current],
            [
                "Started",
                "What do you want us to collect?",
                "=Check your answers",
                "Submitted",
                "Payment",
                "Paid",
            ],
        )
        self.assertEqual(
            current[1],
            [
                "What do you want us to collect?",
                "180",
                "90%",
                "90%",
                "160",
                "20",
                "11%",
                "24",
                "1 min 5 sec",
            ],
        )
        self.assertEqual(current[2][-1], "20 sec")
        # a paid flow's request is sent before it is paid: each stage a share of the one above
        self.assertEqual(current[3], ["Submitted", "110", "55%", "69%", "", "", "", "", ""])
        self.assertEqual(current[4][:4], ["Payment", "80", "40%", "73%"])
        self.assertEqual(current[4][-1], "No data")
        self.assertEqual(current[5], ["Paid", "60", "30%", "75%", "", "", "", "", ""])
        previous = self.table(soup, "steps-previous")
        self.assertEqual(previous[1][1:6], ["90", "90%", "90%", "80", "10"])

    def test_top_errors_source_and_device(self):
        soup = self.soup(self.report_url())
        self.assertEqual(
            self.table(soup, "errors-current"),
            [
                ["What do you want us to collect?", "What do you want us to collect?", "required", "18"],  # noqa: E501
                ["What do you want us to collect?", "photo", "file too big", "6"],
            ],
        )  # fmt: skip
        self.assertEqual(self.table(soup, "errors-previous")[0][-1], "9")
        self.assertEqual(
            self.table(soup, "sources"),
            [
                ["Site search", "120 (60%)", "60 (60%)"],
                ["The service page", "80 (40%)", "40 (40%)"],
            ],
        )
        self.assertEqual(self.table(soup, "devices")[0], ["Mobile", "140 (70%)", "70 (70%)"])

    def test_csv_of_the_page_table_for_both_ranges(self):
        soup = self.soup(self.report_url())
        csv_link = soup.select_one("[data-csv]")["href"]
        self.assertIn("export=csv", csv_link)
        rows = self.csv_rows(self.report_url(query=csv_link))
        self.assertEqual(len(rows), 12)
        self.assertEqual(
            list(rows[0]),
            [
                "Range", "From", "To", "Position", "Page", "Label", "Reached", "Completed",
                "Dropped off here", "Drop-off rate (%)", "Failed validation",
                "Median time (seconds)",
            ],
        )  # fmt: skip
        first = rows[1]
        self.assertEqual(first["Range"], "This range")
        self.assertEqual(first["From"], "2025-03-01")
        self.assertEqual(first["Page"], "items")
        self.assertEqual(
            [first[k] for k in ["Reached", "Completed", "Dropped off here", "Drop-off rate (%)"]],
            ["180", "160", "20", "11.1"],
        )
        self.assertEqual(first["Median time (seconds)"], "65")
        # a label an editor wrote cannot run as a formula
        self.assertEqual(rows[2]["Label"], "'=Check your answers")
        self.assertEqual(rows[6]["Range"], "Compared with")
        self.assertEqual(rows[6]["From"], "2025-02-01")
        self.assertEqual(rows[6]["Reached"], "100")


class KPIDashboardTests(InsightsTestCase):
    def test_superusers_also_see_services_with_no_online_form(self):
        ServicePageFactory(
            parent=self.bulky.get_parent(), slug="report-graffiti", title="Report graffiti"
        )
        soup = self.soup(KPIS)
        row = soup.select_one('[data-service="report-graffiti"]')
        self.assertIn("No online form on this site", row.get_text())
        self.client.force_login(self.waste_editor)
        soup = self.soup(KPIS)
        self.assertIsNone(soup.select_one('[data-service="report-graffiti"]'))

    def figures(self, soup: BeautifulSoup, slug: str) -> dict[str, str]:
        row = soup.select_one(f'[data-service="{slug}"]')
        return {
            cell["data-kpi"]: cell.select_one("[data-value]").get_text(strip=True)
            for cell in row.select("[data-kpi]")
        }

    def test_every_service_with_its_four_figures(self):
        soup = self.soup(KPIS)
        self.assertEqual(
            [row["data-service"] for row in soup.select("[data-service]")],
            ["bulky-waste", "register-a-birth"],
        )
        self.assertEqual(
            self.figures(soup, "bulky-waste"),
            {
                "completion_rate": "62%",
                "satisfaction": "80%",
                "digital_take_up": "62%",
                # (62 * 0.08 + 30 * 3.39 + 8 * 10.53) / 100 = 1.909
                "cost_per_transaction": "£1.91",
            },
        )
        self.assertEqual(set(self.figures(soup, "register-a-birth").values()), {"No data"})
        link = soup.select_one('[data-service="bulky-waste"] th a')["href"]
        self.assertEqual(link, f"{INDEX}{self.bulky_flow.pk}/")

    def test_the_default_months_and_the_trend(self):
        this_month = month_start(timezone.localdate())
        soup = self.soup(KPIS)
        self.assertEqual(
            soup.select_one("input[name=from]")["value"], f"{month_start(this_month, 1):%Y-%m}"
        )
        self.assertEqual(soup.select_one("input[name=to]")["value"], f"{this_month:%Y-%m}")
        cell = soup.select_one('[data-service="bulky-waste"] [data-kpi="completion_rate"]')
        svg = cell.select_one("svg")
        self.assertEqual(svg["role"], "img")
        label = svg["aria-label"]
        self.assertTrue(label.startswith("Completion rate by month: "))
        self.assertIn(f"{this_month:%B %Y} 70%", label)
        self.assertIn(f"{month_start(this_month, 1):%B %Y} 60%", label)
        self.assertIn(f"{month_start(this_month, 5):%B %Y} No data", label)
        self.assertEqual(
            cell.select_one("[data-change]").get_text(" ", strip=True),
            "↑ Up on last month by 10 pts",
        )
        birth = soup.select_one('[data-service="register-a-birth"] [data-kpi="completion_rate"]')
        self.assertIsNone(birth.select_one("svg"))

    def test_a_chosen_month_range_and_its_mistakes(self):
        self.soup(f"{KPIS}?from=2025-01&to=2025-03")
        call = self.service_kpis.call_args
        self.assertEqual(call.args[1:3], (datetime.date(2025, 1, 1), datetime.date(2025, 3, 31)))
        soup = self.soup(f"{KPIS}?from=2025-03&to=2025-01")
        self.assertIn("same as or after", soup.select_one("[data-error-summary]").get_text())
        soup = self.soup(f"{KPIS}?from=2025-13&to=2025-01")
        self.assertIn("Enter a real month", soup.select_one("[data-error-summary]").get_text())
        self.assertFalse(soup.select("[data-service]"))

    def test_csv(self):
        rows = self.csv_rows(f"{KPIS}?from=2025-01&to=2025-03&export=csv")
        self.assertEqual([row["Service"] for row in rows], ["Bulky waste", "Register a birth"])
        bulky = rows[0]
        self.assertEqual(bulky["From"], "2025-01-01")
        self.assertEqual(bulky["To"], "2025-03-31")
        self.assertEqual(bulky["Completion rate (%)"], "62.0")
        self.assertEqual(bulky["User satisfaction (%)"], "80.0")
        self.assertEqual(bulky["Cost per transaction (£)"], "1.91")
        self.assertEqual(rows[1]["Cost per transaction (£)"], "")

    def test_links_to_channel_volumes_and_unit_costs(self):
        soup = self.soup(KPIS)
        hrefs = [a["href"] for a in soup.select(".flow-insights__links a")]
        self.assertIn("/admin/settings/insights/channelcosts/", hrefs)
        self.client.force_login(self.waste_editor)
        soup = self.soup(KPIS)
        self.assertFalse(soup.select(".flow-insights__links a"))


class RealFiguresTests(InsightsTestCase):
    """The report on the figures `forms.insights.metrics` works out, nothing patched."""

    def setUp(self):
        self.client.force_login(self.superuser)

    def journey(self, begin, events, **fields):
        journey_id = uuid.uuid4()
        rows = [("started", "", "", ""), *events]
        FlowEvent.objects.bulk_create(
            FlowEvent(
                flow=self.bulky_flow, journey=journey_id, kind=kind, step=step, field=field,
                error=error, created_at=begin + datetime.timedelta(seconds=10 * n), **fields,
            )
            for n, (kind, step, field, error) in enumerate(rows)
        )  # fmt: skip
        return journey_id

    def test_the_report_and_dashboard_on_real_events(self):
        begin = timezone.now() - datetime.timedelta(hours=3)
        if timezone.localtime(begin).date() != timezone.localdate():
            begin = timezone.now() - datetime.timedelta(minutes=1)  # just after midnight
        sent = self.journey(
            begin,
            [
                ("step_viewed", "items", "", ""),
                ("step_completed", "items", "", ""),
                ("check_viewed", "check-your-answers", "", ""),
                ("submitted", "check-your-answers", "", ""),
            ],
            source="search",
            device="mobile",
        )
        self.journey(
            begin,
            [("step_viewed", "items", "", ""), ("step_failed", "items", "items", "required")],
        )
        SatisfactionResponse.objects.create(
            flow=self.bulky_flow, rating=5, journey=sent, created_at=begin
        )

        soup = self.soup(f"{INDEX}{self.bulky_flow.pk}/")
        rows = {
            row.th.get_text(strip=True): row.select("td")[0].get_text(strip=True)
            for row in soup.select("[data-table=headline] tbody tr")
        }
        self.assertEqual(rows["Started"], "2")
        self.assertEqual(rows["Completed (sent, or an answer given at an end point)"], "1")
        self.assertEqual(rows["Completion rate"], "50%")
        self.assertEqual(rows["User satisfaction (satisfied or very satisfied)"], "100%")
        errors = soup.select_one("[data-table=errors-current] tbody tr")
        self.assertIn("What do you want us to collect?", errors.get_text(" ", strip=True))
        # the message residents read, not the code "required"
        self.assertIn(
            'Enter an answer to "What do you want us to collect?"',
            errors.get_text(" ", strip=True),
        )
        rows = self.csv_rows(f"{INDEX}{self.bulky_flow.pk}/?export=csv")
        self.assertEqual(
            [(row["Page"], row["Reached"]) for row in rows if row["Range"] == "This range"][:2],
            [("started", "2"), ("items", "2")],
        )

        soup = self.soup(KPIS)
        cell = soup.select_one('[data-service="bulky-waste"] [data-kpi="completion_rate"]')
        self.assertEqual(cell.select_one("[data-value]").get_text(strip=True), "50%")
        self.assertIn(f"{timezone.localdate():%B %Y} 50%", cell.select_one("svg")["aria-label"])
