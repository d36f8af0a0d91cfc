"""Reports that tell the truth: each service once whatever its languages, end points counted as
completed only when editors marked them a success (and listed on their own), the funnel's rates,
errors by the message residents read, and the KPI dashboard's grouped figures equal to the old
per-service calculation."""

from __future__ import annotations

import datetime
import uuid

from bs4 import BeautifulSoup
from django.contrib.auth import get_user_model
from django.test import SimpleTestCase, TestCase
from django.utils import timezone
from wagtail.models import Page

from demo.flow_loader import with_outcomes
from forms.insights.metrics import (
    FlowMetrics,
    StepMetrics,
    grouped_service_kpis,
    kpi_trend,
    service_kpis,
)
from forms.insights.models import ChannelVolume, FlowEvent, SatisfactionResponse
from forms.insights.reports.funnel import funnel
from forms.insights.rollup import rollup_day
from tests.factories import CategoryPageFactory, ServicePageFactory, make_site
from tests.flows.factories import make_flow, page, question
from tests.inbox.test_service_filter import translate

INDEX = "/admin/reports/flows/"
KPIS = "/admin/reports/service-kpis/"
NO_CONDITION = {"question": "", "options": [], "negate": False}


def end_point(name: str, heading: str, outcome: str = "") -> dict:
    value = {"name": name, "heading": heading, "reason": "<p>Why</p>", "show_if": NO_CONDITION}
    if outcome:
        value["outcome"] = outcome
    return {"type": "end_point", "value": value}


class HonestReportTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        home = make_site()
        bins = CategoryPageFactory(parent=home, slug="bins", title="Bins")
        cls.service = ServicePageFactory(parent=bins, slug="missed-bin", title="Missed bin")
        steps = [
            page("bin", question("short_text", "bin", "Which bin was missed?")),
            end_point("not-out", "We cannot come back for your bin"),
            end_point("tagged", "We will empty it next time", outcome="success"),
        ]
        cls.flow = make_flow(steps, service=cls.service, slug="report", title="Report a bin")
        translate(home, "cy")
        translate(bins, "cy", title="Biniau")
        cls.welsh_service = translate(cls.service, "cy", title="Bin a fethwyd")
        cls.welsh_flow = translate(cls.flow, "cy", title="Rhoi gwybod am fin")
        cls.admin = get_user_model().objects.create_superuser("admin", "a@example.com", "pw")

    def setUp(self):
        self.client.force_login(self.admin)
        self.begin = timezone.now() - datetime.timedelta(hours=2)
        if timezone.localtime(self.begin).date() != timezone.localdate():
            self.begin = timezone.now() - datetime.timedelta(minutes=1)

    def journey(self, flow, *events, begin=None, device="desktop"):
        journey_id = uuid.uuid4()
        rows = [("started", "", "", ""), *events]
        FlowEvent.objects.bulk_create(
            FlowEvent(
                flow=flow, journey=journey_id, kind=kind, step=step, field=field, error=error,
                device=device, created_at=(begin or self.begin) + datetime.timedelta(seconds=n),
            )
            for n, (kind, step, field, error) in enumerate(rows)
        )  # fmt: skip
        return journey_id

    def soup(self, url: str) -> BeautifulSoup:
        response = self.client.get(url)
        self.assertEqual(response.status_code, 200)
        return BeautifulSoup(response.content, "html.parser")

    def headline(self, soup: BeautifulSoup) -> dict[str, str]:
        return {
            row.th.get_text(strip=True): row.select("td")[0].get_text(strip=True)
            for row in soup.select("[data-table=headline] tbody tr")
        }

    def test_one_row_per_service_counting_every_language(self):
        self.journey(self.flow, ("step_viewed", "bin", "", ""))
        self.journey(self.welsh_flow, ("step_viewed", "bin", "", ""))
        self.journey(self.welsh_flow, ("end_point", "tagged", "", ""))

        rows = self.soup(INDEX).select("[data-flow-row]")
        self.assertEqual(len(rows), 1)
        self.assertIn("Report a bin", rows[0].get_text(" ", strip=True))
        self.assertNotIn("Rhoi gwybod", rows[0].get_text(" ", strip=True))
        self.assertEqual(rows[0].select_one("[data-figure=started]").get_text(strip=True), "3")
        self.assertEqual(rows[0].select_one("a")["href"], f"{INDEX}{self.flow.pk}/")

        welsh = self.soup(f"{INDEX}?language=cy").select("[data-flow-row]")
        self.assertEqual(welsh[0].select_one("[data-figure=started]").get_text(strip=True), "2")

        kpis = self.soup(KPIS).select("[data-service]")
        self.assertEqual([row["data-service"] for row in kpis], ["missed-bin"])
        self.assertIn("Missed bin", kpis[0].th.get_text())
        value = kpis[0].select_one('[data-kpi="completion_rate"] [data-value]')
        self.assertEqual(value.get_text(strip=True), "33%")  # 1 success of 3 started

        # the drop-off report of either copy is the service's, in English, all languages
        soup = self.soup(f"{INDEX}{self.welsh_flow.pk}/")
        self.assertEqual(self.headline(soup)["Started"], "3")
        soup = self.soup(f"{INDEX}{self.flow.pk}/?language=en-gb")
        self.assertEqual(self.headline(soup)["Started"], "1")

    def test_an_end_point_that_is_not_a_success_is_not_a_completion(self):
        # Before: every journey that stopped at an end point was "completed" (100% here).
        self.journey(self.flow, ("step_viewed", "bin", "", ""), ("end_point", "not-out", "", ""))
        self.journey(self.flow, ("step_viewed", "bin", "", ""), ("end_point", "not-out", "", ""))
        soup = self.soup(f"{INDEX}{self.flow.pk}/")
        headline = self.headline(soup)
        self.assertEqual(headline["Started"], "2")
        self.assertEqual(headline["Completion rate"], "0%")
        self.assertEqual(headline["Stopped at an end point"], "2")
        end_points = soup.select_one("[data-end-point=not-out]").get_text(" ", strip=True)
        self.assertIn("We cannot come back for your bin", end_points)
        self.assertIn("Can't use this service (not a success)", end_points)
        self.assertIn("2", end_points)
        self.assertIn("divided by journeys started", soup.select_one("[data-definition]").text)

        self.journey(self.flow, ("end_point", "tagged", "", ""))
        soup = self.soup(f"{INDEX}{self.flow.pk}/")
        self.assertEqual(self.headline(soup)["Completion rate"], "33%")
        tagged = soup.select_one("[data-end-point=tagged]").get_text(" ", strip=True)
        self.assertIn("Answer given (success)", tagged)

    def test_the_funnel_shows_rates_and_errors_by_their_message(self):
        self.journey(
            self.flow, ("step_viewed", "bin", "", ""), ("step_failed", "bin", "bin", "required")
        )
        self.journey(self.flow)
        soup = self.soup(f"{INDEX}{self.flow.pk}/")
        rows = soup.select("[data-table=steps-current] tbody tr")
        page_row = rows[1]
        self.assertEqual(page_row.select_one("[data-rate=of-started]").get_text(strip=True), "50%")
        self.assertEqual(page_row.select_one("[data-rate=of-previous]").get_text(strip=True), "50%")
        errors = soup.select_one("[data-table=errors-current] tbody tr").get_text(" ", strip=True)
        self.assertIn('Enter an answer to "Which bin was missed?"', errors)
        self.assertNotIn("required", errors)

    def test_device_filter_and_xlsx(self):
        self.journey(self.flow, device="mobile")
        self.journey(self.flow, device="desktop")
        soup = self.soup(f"{INDEX}{self.flow.pk}/?device=mobile")
        self.assertEqual(self.headline(soup)["Started"], "1")
        xlsx = soup.select_one("[data-xlsx]")["href"]
        response = self.client.get(f"{INDEX}{self.flow.pk}/{xlsx}")
        self.assertEqual(response.status_code, 200)
        self.assertIn("spreadsheetml", response["Content-Type"])

    def test_grouped_kpis_equal_the_per_service_calculation(self):
        yesterday = timezone.localdate() - datetime.timedelta(days=1)
        long_ago = timezone.make_aware(datetime.datetime.combine(yesterday, datetime.time(10)))
        self.journey(self.flow, ("end_point", "tagged", "", ""), begin=long_ago)
        self.journey(self.flow, ("submitted", "check-your-answers", "", ""), begin=long_ago)
        self.journey(self.welsh_flow, ("end_point", "not-out", "", ""), begin=long_ago)
        rollup_day(yesterday, now=timezone.now() + datetime.timedelta(days=2))
        self.journey(self.flow, ("end_point", "tagged", "", ""))  # today: live
        self.journey(self.welsh_flow)
        sent = self.journey(self.flow, ("submitted", "check-your-answers", "", ""))
        SatisfactionResponse.objects.create(flow=self.flow, rating=5, journey=sent)
        ChannelVolume.objects.create(service=self.service, month=yesterday, phone=4, post=1)

        start = timezone.localdate() - datetime.timedelta(days=40)
        end = timezone.localdate()
        group = {
            "service": self.service,
            "copies": [self.service, self.welsh_service],
            "flows": [self.flow, self.welsh_flow],
        }
        (grouped, trend), *_ = grouped_service_kpis([group], start, end)
        old = [service_kpis(s, start, end) for s in (self.service, self.welsh_service)]
        self.assertEqual(grouped.started, sum(k.started for k in old))
        self.assertEqual(grouped.started, 6)
        self.assertEqual(grouped.digital_completions, sum(k.digital_completions for k in old))
        self.assertEqual(grouped.digital_completions, 4)
        self.assertEqual(grouped.phone, sum(k.phone for k in old))
        self.assertEqual(grouped.satisfaction.by_rating, {5: 1})
        costs = old[0].costs
        expected = (costs["online"] * 4 + costs["phone"] * 4 + costs["post"] * 1) / 9
        self.assertEqual(grouped.cost_per_transaction, expected)
        old_trend = [kpi_trend(s) for s in (self.service, self.welsh_service)]
        self.assertEqual(
            [(m.start, m.started, m.digital_completions) for m in trend],
            [
                (a.start, a.started + b.started, a.digital_completions + b.digital_completions)
                for a, b in zip(*old_trend, strict=True)
            ],
        )

    def test_the_dashboard_takes_a_few_queries_whatever_the_number_of_services(self):
        def queries() -> int:
            from django.db import connection
            from django.test.utils import CaptureQueriesContext

            with CaptureQueriesContext(connection) as captured:
                self.assertEqual(self.client.get(KPIS).status_code, 200)
            return len(captured)

        before = queries()
        parent = Page.objects.get(pk=self.service.get_parent().pk)
        for n in range(5):
            service = ServicePageFactory(parent=parent, slug=f"service-{n}", title=f"S {n}")
            make_flow([page("a", question("short_text", "a"))], service=service, slug="go")
        self.assertLessEqual(queries(), before + 2)


class DemoOutcomeTests(TestCase):
    def test_demo_end_points_carry_their_outcome(self):
        flow = {
            "step": [
                {"type": "end_point", "name": "bin-was-tagged", "outcome": "success"},
                {"type": "end_point", "name": "bin-not-out-in-time", "outcome": "not_success"},
                {"type": "end_point", "name": "no-outcome"},
            ]
        }
        steps = [
            {"type": "end_point", "value": {"name": name}}
            for name in ("bin-was-tagged", "bin-not-out-in-time", "no-outcome")
        ]
        outcomes = [step["value"]["outcome"] for step in with_outcomes(steps, flow)]
        self.assertEqual(outcomes, ["success", "not_success", "not_success"])


class PaidFunnelOrderTests(SimpleTestCase):
    def test_a_paid_flows_funnel_sends_before_it_pays_and_never_goes_over_100_percent(self):
        metrics = FlowMetrics(
            flow=None, start=datetime.date(2026, 11, 1), end=datetime.date(2026, 11, 30)
        )
        metrics.started, metrics.submitted, metrics.payment_succeeded = 100, 60, 45
        metrics.steps = [
            StepMetrics("items", "How many items?", 0, reached=100, completed=80),
            StepMetrics("check-your-answers", "Check your answers", 1, reached=70, completed=60),
            StepMetrics("payment", "Payment", 2, reached=55, completed=45),
        ]
        rows = funnel(metrics)
        self.assertEqual(
            [(row.key, row.reached) for row in rows],
            [
                ("started", 100),
                ("items", 100),
                ("check-your-answers", 70),
                ("submitted", 60),
                ("payment", 55),
                ("paid", 45),
            ],
        )
        self.assertTrue(all(row.of_previous <= 1 for row in rows[1:]))
