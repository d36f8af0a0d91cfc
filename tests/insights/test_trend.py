"""The drop-off report's trend: the chosen range week by week (weeks start on Monday) with the
journeys started, completed and the completion rate, as a table and as an SVG line whose <desc>
says the trend in words; the same figures as the report (roll-ups where there are, the events
for the days not rolled up, language and device filters, end points that count as completed),
"not enough data" for a week with fewer than 10 journeys started, and a few queries whatever the
number of weeks."""

from __future__ import annotations

import datetime
import uuid

from bs4 import BeautifulSoup
from django.contrib.auth import get_user_model
from django.test import TestCase
from django.utils import timezone

from forms.insights.models import FlowDay, FlowEvent
from forms.insights.reports.trend import weekly_trend
from tests.factories import CategoryPageFactory, ServicePageFactory, make_site
from tests.flows.factories import make_flow, page, question
from tests.inbox.test_service_filter import translate
from tests.insights.test_honest_reports import end_point

INDEX = "/admin/reports/flows/"
NOVEMBER = "?from=2025-11-03&to=2025-11-30"  # four weeks, Monday 3 to Sunday 30 November 2025


def local(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


class TrendTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        home = make_site()
        bins = CategoryPageFactory(parent=home, slug="bins", title="Bins")
        service = ServicePageFactory(parent=bins, slug="missed-bin", title="Missed bin")
        steps = [
            page("bin", question("short_text", "bin", "Which bin was missed?")),
            end_point("not-out", "We cannot come back for your bin"),
            end_point("tagged", "We will empty it next time", outcome="success"),
        ]
        cls.flow = make_flow(steps, service=service, slug="report", title="Report a bin")
        translate(home, "cy")
        translate(bins, "cy", title="Biniau")
        translate(service, "cy", title="Bin a fethwyd")
        cls.welsh = translate(cls.flow, "cy", title="Rhoi gwybod am fin")
        cls.admin = get_user_model().objects.create_superuser("admin", "a@example.com", "pw")

    def setUp(self):
        self.client.force_login(self.admin)

    # the figures

    def rolled(self, flow, day: str, started: int, submitted: int = 0, **end_points: int):
        """A day rolled up: FlowDay as `rollup_day` saves it (end points by their name)."""
        by_end_point = {name.replace("_", "-"): n for name, n in end_points.items()}
        FlowDay.objects.create(
            flow=flow,
            day=datetime.date.fromisoformat(day),
            started=started,
            submitted=submitted,
            end_points=sum(by_end_point.values()),
            by_end_point=by_end_point,
        )

    def journeys(self, flow, begin: datetime.datetime, count: int, *events, device="desktop"):
        """`count` journeys on `flow` from `begin`, each with `events` (kind, step) after it
        started, as the runtime records them; not rolled up."""
        rows = []
        for n in range(count):
            journey = uuid.uuid4()
            start = begin + datetime.timedelta(minutes=n)
            for i, (kind, step) in enumerate([("started", ""), *events]):
                rows.append(
                    FlowEvent(
                        flow=flow,
                        journey=journey,
                        kind=kind,
                        step=step,
                        device=device,
                        created_at=start + datetime.timedelta(seconds=10 * i),
                    )
                )
        FlowEvent.objects.bulk_create(rows)

    def november(self):
        """Four weeks of November 2025, in English and Welsh:

        week of 3 Nov (rolled up): 25 started, 13 completed (52%): the "not-out" end point is
        not a completion, "tagged" is;
        week of 10 Nov (rolled up): 6 started: not enough data;
        week of 17 Nov: rolled up on the 17th and 19th, the 18th (a day missed between them)
        from the events: 42 started, 18 completed (43%);
        week of 24 Nov (never rolled up, from the events): 12 started, 10 completed (83%).
        """
        flow, welsh = self.flow, self.welsh
        self.rolled(flow, "2025-11-03", 10, 4, tagged=1, not_out=2)
        self.rolled(welsh, "2025-11-04", 5, 2, tagged=1)
        self.rolled(flow, "2025-11-05", 10, 5)
        self.rolled(flow, "2025-11-12", 6, 3)
        self.rolled(flow, "2025-11-17", 10, 5, tagged=1)
        self.rolled(flow, "2025-11-19", 10, 5, tagged=1)
        self.rolled(welsh, "2025-11-17", 20, 4, not_out=5)
        self.journeys(flow, local(datetime.date(2025, 11, 18)), 2, ("submitted", ""))
        day = datetime.date(2025, 11, 25)
        self.journeys(flow, local(day), 7, ("submitted", "check-your-answers"), device="mobile")
        self.journeys(flow, local(day, 12), 1, ("end_point", "tagged"))
        self.journeys(flow, local(day, 13), 1, ("end_point", "not-out"))
        self.journeys(flow, local(day, 14), 1, ("step_viewed", "bin"))
        self.journeys(welsh, local(day + datetime.timedelta(days=1)), 2, ("submitted", ""))

    # the page

    def soup(self, query: str) -> BeautifulSoup:
        response = self.client.get(f"{INDEX}{self.flow.pk}/{query}")
        self.assertEqual(response.status_code, 200)
        return BeautifulSoup(response.content, "html.parser")

    def weeks(self, soup: BeautifulSoup) -> list[tuple[str, str, str, str]]:
        """(Monday, started, completed, completion rate) for each row of the trend table."""
        return [
            (
                row["data-week"],
                row.select_one("[data-figure=started]").get_text(strip=True),
                row.select_one("[data-figure=completed]").get_text(strip=True),
                row.select_one("[data-figure=completion_rate]").get_text(strip=True),
            )
            for row in soup.select("[data-table=trend] tbody tr")
        ]

    def headline(self, soup: BeautifulSoup) -> dict[str, str]:
        return {
            row.th.get_text(strip=True): row.select("td")[0].get_text(strip=True)
            for row in soup.select("[data-table=headline] tbody tr")
        }

    def test_weeks_started_completed_and_rate(self):
        self.november()
        soup = self.soup(NOVEMBER)
        self.assertEqual(
            self.weeks(soup),
            [
                ("2025-11-03", "25", "13", "52%"),
                ("2025-11-10", "6", "3", "Not enough data"),
                ("2025-11-17", "42", "18", "43%"),
                ("2025-11-24", "12", "10", "83%"),
            ],
        )
        # the report's own figures: the weeks add up to the headline
        headline = self.headline(soup)
        self.assertEqual(headline["Started"], "85")
        self.assertEqual(headline["Completed (sent, or an answer given at an end point)"], "44")
        rows = soup.select("[data-table=trend] tbody tr")
        self.assertEqual(rows[0].th.get_text(strip=True), "3 Nov 2025")
        self.assertIn("3 Nov 2025 to 9 Nov 2025", rows[0].get_text(" ", strip=True))
        self.assertTrue(rows[1].select_one("[data-not-enough]"))
        self.assertFalse(rows[0].select_one("[data-not-enough]"))
        # a wide table scrolls in its own region, which has a name
        region = soup.select_one("[data-table=trend]").parent
        self.assertIn("council-table-scroll", region["class"])
        self.assertEqual(region["role"], "region")
        self.assertTrue(region["aria-label"])

    def test_a_range_starting_midweek_counts_only_its_days(self):
        self.november()
        soup = self.soup("?from=2025-11-05&to=2025-11-30")
        self.assertEqual(self.weeks(soup)[0], ("2025-11-03", "10", "5", "50%"))
        first = soup.select_one("[data-table=trend] tbody tr")
        self.assertIn("5 Nov 2025 to 9 Nov 2025", first.get_text(" ", strip=True))

    def test_the_language_filter_applies_to_the_trend(self):
        self.november()
        self.assertEqual(
            self.weeks(self.soup(f"{NOVEMBER}&language=cy")),
            [
                ("2025-11-03", "5", "3", "Not enough data"),
                ("2025-11-10", "0", "0", "Not enough data"),
                ("2025-11-17", "20", "4", "20%"),
                ("2025-11-24", "2", "2", "Not enough data"),
            ],
        )
        english = self.weeks(self.soup(f"{NOVEMBER}&language=en-gb"))
        self.assertEqual(english[0], ("2025-11-03", "20", "10", "50%"))
        self.assertEqual(english[2], ("2025-11-17", "22", "14", "64%"))

    def test_the_device_filter_applies_to_the_trend(self):
        self.november()
        # the roll-ups are not split by device: only the events of the 24th's week were mobile
        weeks = self.weeks(self.soup(f"{NOVEMBER}&device=mobile"))
        self.assertEqual([week[1] for week in weeks], ["0", "0", "0", "7"])

    def test_the_chart_and_its_description(self):
        self.november()
        soup = self.soup(NOVEMBER)
        svg = soup.select_one("svg.flow-trend__chart")
        self.assertEqual(svg["role"], "img")
        self.assertEqual(svg["aria-labelledby"], "trend-title trend-desc")
        self.assertEqual(svg.title.get_text(), "Completion rate by week")
        self.assertEqual(
            svg.desc.get_text(),
            "Completion rate went from 52% in the week of 3 November 2025 to 83% in the week of "
            "24 November 2025. It was highest, 83%, in the week of 24 November 2025 and lowest, "
            "43%, in the week of 17 November 2025. 1 week had fewer than 10 journeys started and "
            "is not drawn (the week of 10 November 2025).",
        )
        # a point for each week with a rate; the week without one is a gap, not a zero: the
        # line stops before it and starts again after it
        points = svg.select("circle")
        self.assertEqual(len(points), 3)
        zero = max(float(line["y1"]) for line in svg.select("line"))
        self.assertNotIn(zero, [float(point["cy"]) for point in points])
        lines = svg.select("polyline")
        self.assertEqual(len(lines), 1)
        self.assertEqual(len(lines[0]["points"].split()), 2)
        self.assertFalse(soup.select("[style]"))

    def test_no_week_with_enough_journeys(self):
        self.rolled(self.flow, "2025-11-04", 3, 1)
        desc = self.soup(NOVEMBER).select_one("svg.flow-trend__chart desc").get_text()
        self.assertEqual(
            desc,
            "No week had enough journeys started (10 or more) to give a completion rate.",
        )

    def test_this_week_includes_today_from_the_events(self):
        today = timezone.localdate()
        yesterday = today - datetime.timedelta(days=1)
        self.rolled(self.flow, yesterday.isoformat(), 4, 2)
        begin = timezone.now() - datetime.timedelta(minutes=30)
        if timezone.localtime(begin).date() != today:
            begin = timezone.now() - datetime.timedelta(seconds=30)
        self.journeys(self.flow, begin, 1, ("submitted", ""))
        soup = self.soup("")
        weeks = self.weeks(soup)
        # the last 30 days: five or six weeks, this one last, up to today
        self.assertEqual(
            weeks[-1][0], (today - datetime.timedelta(days=today.weekday())).isoformat()
        )
        self.assertEqual(sum(int(week[1]) for week in weeks), 5)
        self.assertEqual(self.headline(soup)["Started"], "5")

    def test_a_few_queries_whatever_the_number_of_weeks(self):
        self.november()
        copies = [self.flow, self.welsh]
        # the roll-ups by flow and week, the days missing between them, the events of the two
        # runs of days not rolled up for both copies
        with self.assertNumQueries(4):
            four = weekly_trend(copies, datetime.date(2025, 11, 3), datetime.date(2025, 11, 30))
        with self.assertNumQueries(4):
            year = weekly_trend(copies, datetime.date(2025, 1, 1), datetime.date(2025, 12, 31))
        self.assertEqual(len(four.weeks), 4)
        self.assertEqual(len(year.weeks), 53)  # Monday 30 December 2024 to 29 December 2025
        self.assertEqual(sum(week.started for week in year.weeks), 85)
        with self.assertNumQueries(1):  # a device: the events only, in one pass
            weekly_trend(copies, datetime.date(2025, 1, 1), datetime.date(2025, 12, 31), "mobile")

    def test_downloads_are_unchanged(self):
        self.november()
        response = self.client.get(f"{INDEX}{self.flow.pk}/{NOVEMBER}&export=csv")
        self.assertEqual(response.status_code, 200)
        self.assertNotIn(b"Not enough data", b"".join(response.streaming_content))
