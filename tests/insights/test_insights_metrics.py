"""Where residents drop off: the figures worked out from the flow events, live and from the
daily roll-ups, and the four service KPIs."""

from __future__ import annotations

import datetime
import uuid
from decimal import Decimal
from io import StringIO
from unittest import mock

from django.core.management import call_command
from django.test import SimpleTestCase, TestCase
from django.utils import timezone

from forms.insights.metrics import FlowMetrics, flow_metrics, kpi_trend, service_kpis
from forms.insights.models import (
    JOURNEY_COUNTS,
    ChannelVolume,
    FlowDay,
    FlowErrorDay,
    FlowEvent,
    FlowStepDay,
    SatisfactionResponse,
)
from forms.insights.rollup import (
    TIME_BUCKETS,
    DayFigures,
    bucket,
    day_complete,
    median_from_buckets,
    rollup,
    rollup_day,
)
from tests.flows.test_runtime import FlowTestCase, crime_number_flow

UTC = datetime.UTC
DAY = datetime.date(2026, 3, 10)  # London is on GMT: local time is UTC


def at(hour: int, minute: int = 0, second: int = 0, day: datetime.date = DAY):
    return datetime.datetime.combine(day, datetime.time(hour, minute, second), tzinfo=UTC)


def frozen(now: datetime.datetime):
    return mock.patch("django.utils.timezone.now", return_value=now)


def journey(flow, begin, events, device="desktop", source="elsewhere"):
    """Events at `begin` + seconds: (seconds, kind, step[, field, error]); `started` first."""
    journey_id = uuid.uuid4()
    rows = [FlowEvent(flow=flow, journey=journey_id, kind="started", created_at=begin)]
    for seconds, kind, step, *detail in events:
        rows.append(
            FlowEvent(
                flow=flow,
                journey=journey_id,
                kind=kind,
                step=step,
                field=detail[0] if detail else "",
                error=detail[1] if detail else "",
                created_at=begin + datetime.timedelta(seconds=seconds),
            )
        )
    for row in rows:
        row.device, row.source, row.language = device, source, "en"
    FlowEvent.objects.bulk_create(rows)
    return journey_id


def to_check(stolen_seconds: int, contact_errors=()):
    """A journey's events from the first page to check your answers."""
    s = stolen_seconds
    events = [
        (0, "step_viewed", "stolen"),
        (s, "step_completed", "stolen"),
        (s, "step_viewed", "crime-number"),
        (s + 12, "step_completed", "crime-number"),
        (s + 12, "step_viewed", "contact"),
    ]
    for i, (field, error) in enumerate(contact_errors):
        events.append((s + 20 + i, "step_failed", "contact", field, error))
    events += [
        (s + 52, "step_completed", "contact"),
        (s + 52, "check_viewed", "check-your-answers"),
        (s + 82, "submitted", "check-your-answers"),
    ]
    return events


class JourneyCountsTests(SimpleTestCase):
    def test_the_day_rows_the_roll_up_and_the_reports_carry_the_same_counts(self):
        columns = {
            f.name for f in FlowDay._meta.fields if f.get_internal_type() == "PositiveIntegerField"
        }
        self.assertEqual(columns, set(JOURNEY_COUNTS))
        for figures in (DayFigures(flow_id=1), FlowMetrics(flow=None, start=DAY, end=DAY)):
            with self.subTest(type(figures).__name__):
                self.assertEqual(
                    {name: getattr(figures, name) for name in JOURNEY_COUNTS},
                    dict.fromkeys(JOURNEY_COUNTS, 0),
                )


class InsightsTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.flow = crime_number_flow()
        cls.service = cls.flow.service
        # Sent, on a phone, from search.
        journey(cls.flow, at(10), to_check(8), device="mobile", source="search")
        # Stopped at the end point: done.
        journey(
            cls.flow,
            at(10, 5),
            [
                (0, "step_viewed", "stolen"),
                (5, "step_completed", "stolen"),
                (5, "end_point", "cannot-order"),
            ],
            source="service_page",
        )
        # Gave up on the crime number after two errors.
        journey(
            cls.flow,
            at(10, 10),
            [
                (0, "step_viewed", "stolen"),
                (7, "step_completed", "stolen"),
                (7, "step_viewed", "crime-number"),
                (37, "step_failed", "crime-number", "crime_number", "required"),
                (47, "step_failed", "crime-number", "crime_number", "required"),
            ],
        )
        # Still on the first page at 14:50.
        journey(cls.flow, at(14, 50), [(0, "step_viewed", "stolen")], device="tablet")
        # Sent and paid.
        journey(
            cls.flow,
            at(11),
            [
                *to_check(12, [("email", "invalid"), ("full_name", "required")]),
                (95, "payment_started", "payment"),
                (162, "payment_succeeded", "payment"),
            ],
        )
        # Sent, then left the payment page.
        journey(
            cls.flow,
            at(12),
            [*to_check(25, [("email", "invalid")]), (108, "payment_started", "payment")],
        )

    def metrics(self, now, start=DAY, end=DAY):
        with frozen(now):
            return flow_metrics(self.flow, start, end)

    def step(self, metrics, name):
        return next(step for step in metrics.steps if step.step == name)


class FlowMetricsTests(InsightsTestCase):
    def test_sent_counts_as_completed_an_end_point_only_when_a_success(self):
        metrics = self.metrics(at(15))
        self.assertEqual(metrics.started, 6)
        self.assertEqual(metrics.submitted, 3)
        self.assertEqual(metrics.end_points, 1)
        # The flow's end point is "can't use this service" (the default): not a completion.
        self.assertEqual(metrics.by_end_point, {"cannot-order": 1})
        self.assertEqual(metrics.completed, 3)
        self.assertAlmostEqual(metrics.completion_rate, 3 / 6)

    def test_abandoned_only_after_30_idle_minutes(self):
        metrics = self.metrics(at(15))
        self.assertEqual(metrics.abandoned, 1)  # the crime number; 14:50 is still active
        self.assertEqual(self.step(metrics, "stolen").abandoned, 0)
        metrics = self.metrics(at(15, 19, 59))
        self.assertEqual(metrics.abandoned, 1)
        metrics = self.metrics(at(15, 20))
        self.assertEqual(metrics.abandoned, 2)
        self.assertEqual(self.step(metrics, "stolen").abandoned, 1)

    def test_drop_off_at_the_right_step(self):
        metrics = self.metrics(at(15))
        self.assertEqual(
            [(s.step, s.label, s.position) for s in metrics.steps],
            [
                ("stolen", "Was your bin stolen?", 0),
                ("crime-number", "What is the crime number?", 1),
                ("contact", "Your contact details", 2),
                ("check-your-answers", "Check your answers", 3),
                ("payment", "Payment", 4),  # not a fee flow, but it has figures
            ],
        )
        figures = {s.step: (s.reached, s.completed, s.failed, s.abandoned) for s in metrics.steps}
        self.assertEqual(
            figures,
            {
                "stolen": (6, 5, 0, 0),
                "crime-number": (4, 3, 1, 1),
                "contact": (3, 3, 2, 0),
                "check-your-answers": (3, 3, 0, 0),
                "payment": (2, 1, 0, 1),
            },
        )
        self.assertEqual(self.step(metrics, "crime-number").drop_off_rate, 0.25)

    def test_median_time_per_step(self):
        metrics = self.metrics(at(15))
        # Stolen: 8, 5, 7, 12 and 25 seconds (the 14:50 view has no next event yet): buckets
        # 0-5: 1, 5-10: 2, 10-15: 1, 20-30: 1; the 2.5th of 5 is 3/4 into 5-10 seconds.
        self.assertEqual(self.step(metrics, "stolen").median_seconds, 8.75)
        # Crime number: 12, 12, 12 and 30 seconds: three in 10-15, the 2nd of 4 two thirds in.
        self.assertAlmostEqual(self.step(metrics, "crime-number").median_seconds, 10 + 5 * 2 / 3)
        # Payment: 67 seconds at the provider (the other left): half way through 60-90.
        self.assertEqual(self.step(metrics, "payment").median_seconds, 75)
        self.assertEqual(self.step(metrics, "check-your-answers").median_seconds, 25)

    def test_median_from_buckets(self):
        self.assertIsNone(median_from_buckets([0] * (len(TIME_BUCKETS) + 1)))
        self.assertEqual(bucket(5), 0)
        self.assertEqual(bucket(5.1), 1)
        self.assertEqual(bucket(4000), len(TIME_BUCKETS))
        longer = [0] * len(TIME_BUCKETS) + [3]
        self.assertEqual(median_from_buckets(longer), 1800)
        self.assertEqual(median_from_buckets([2, 0, 2] + [0] * 12), 5)
        self.assertEqual(median_from_buckets([1, 0, 3] + [0] * 12), 10 + 5 * 1 / 3)

    def test_top_errors_by_field_with_the_question(self):
        metrics = self.metrics(at(15))
        self.assertEqual(
            [(e.step, e.field, e.error, e.count, e.label) for e in metrics.errors],
            [
                ("contact", "email", "invalid", 2, "Email address"),
                ("crime-number", "crime_number", "required", 2, "What is the crime number?"),
                ("contact", "full_name", "required", 1, "Full name"),
            ],
        )

    def test_payment_abandonment(self):
        metrics = self.metrics(at(15))
        self.assertEqual((metrics.payment_started, metrics.payment_succeeded), (2, 1))
        self.assertEqual(metrics.payment_abandonment, 0.5)

    def test_by_source_and_device(self):
        metrics = self.metrics(at(15))
        self.assertEqual(metrics.by_source, {"search": 1, "service_page": 1, "elsewhere": 4})
        self.assertEqual(metrics.by_device, {"mobile": 1, "desktop": 4, "tablet": 1})

    def test_satisfaction(self):
        for rating, when in [
            (5, at(11)),
            (4, at(12)),
            (2, at(13)),
            (1, at(1, day=DAY.replace(day=9))),
        ]:
            SatisfactionResponse.objects.create(flow=self.flow, rating=rating, created_at=when)
        metrics = self.metrics(at(15))
        self.assertEqual(metrics.satisfaction.responses, 3)
        self.assertEqual(metrics.satisfaction.by_rating, {5: 1, 4: 1, 2: 1})
        self.assertAlmostEqual(metrics.satisfaction.score, 2 / 3)

    def test_a_journey_belongs_to_the_day_it_started(self):
        # Started before midnight, sent after; and one from the day before that ends today.
        journey(
            self.flow,
            at(23, 50),
            [
                (0, "step_viewed", "stolen"),
                (900, "step_completed", "stolen"),
                (900, "end_point", "cannot-order"),
            ],
        )
        journey(
            self.flow,
            at(23, 55, day=DAY - datetime.timedelta(days=1)),
            [(0, "step_viewed", "stolen"), (600, "step_completed", "stolen")],
        )
        metrics = self.metrics(at(12, day=DAY + datetime.timedelta(days=2)))
        self.assertEqual((metrics.started, metrics.end_points), (7, 2))
        day_before = DAY - datetime.timedelta(days=1)
        earlier = self.metrics(at(12, day=DAY + datetime.timedelta(days=2)), day_before, day_before)
        self.assertEqual((earlier.started, earlier.abandoned), (1, 1))


class RollupTests(InsightsTestCase):
    def test_rolled_up_and_live_figures_are_the_same(self):
        later = at(12, day=DAY + datetime.timedelta(days=2))
        live = self.metrics(later)
        rollup_day(DAY, now=later)
        self.assertEqual(FlowDay.objects.get(flow=self.flow, day=DAY).started, 6)
        with mock.patch("forms.insights.rollup.day_figures", side_effect=AssertionError):
            rolled = self.metrics(later)  # read from the roll-ups only
        self.assertEqual(live, rolled)
        self.assertEqual(rolled.abandoned, 2)
        self.assertEqual(self.step(rolled, "stolen").median_seconds, 8.75)

    def test_rollup_is_idempotent(self):
        later = at(12, day=DAY + datetime.timedelta(days=2))
        rollup_day(DAY, now=later)
        counts = [m.objects.count() for m in (FlowDay, FlowStepDay, FlowErrorDay)]
        first = self.metrics(later)
        rollup_day(DAY, now=later)
        self.assertEqual([m.objects.count() for m in (FlowDay, FlowStepDay, FlowErrorDay)], counts)
        self.assertEqual(self.metrics(later), first)
        self.assertEqual(counts[2], 3)

    def test_a_range_mixes_roll_ups_and_today_live(self):
        today = DAY + datetime.timedelta(days=2)
        journey(self.flow, at(9, day=today), to_check(8))
        later = at(12, day=today)
        rollup_day(DAY, now=later)
        metrics = self.metrics(later, DAY, today)
        self.assertEqual((metrics.started, metrics.submitted), (7, 4))

    def test_rollup_does_complete_days_never_today(self):
        today = DAY + datetime.timedelta(days=2)
        journey(self.flow, at(9, day=today), to_check(8))
        done = rollup(now=at(12, day=today))
        self.assertEqual(done, [(DAY, 6), (DAY + datetime.timedelta(days=1), 0)])
        self.assertFalse(FlowDay.objects.filter(day=today).exists())
        self.assertFalse(day_complete(DAY, at(0, 59, day=DAY + datetime.timedelta(days=1))))
        self.assertTrue(day_complete(DAY, at(1, 0, day=DAY + datetime.timedelta(days=1))))
        # Next time: only yesterday again.
        self.assertEqual(
            [day for day, _ in rollup(now=at(12, day=today + datetime.timedelta(days=1)))],
            [today],
        )

    def test_command(self):
        out = StringIO()
        with frozen(at(12, day=DAY + datetime.timedelta(days=2))):
            call_command("rollup_flow_events", "--date", DAY.isoformat(), stdout=out)
        self.assertIn(f"{DAY}: 6 journeys rolled up", out.getvalue())
        self.assertEqual(FlowDay.objects.filter(day=DAY).count(), 1)
        out = StringIO()
        with frozen(at(12, day=DAY + datetime.timedelta(days=2))):
            call_command("rollup_flow_events", stdout=out)
        self.assertIn("Rolled up 1 day(s).", out.getvalue())  # yesterday


class ServiceKPITests(InsightsTestCase):
    def test_digital_take_up_and_cost_per_transaction(self):
        ChannelVolume.objects.create(
            service=self.service, month=DAY, phone=10, face_to_face=2, post=4
        )
        ChannelVolume.objects.create(
            service=self.service, month=DAY.replace(month=5), phone=99, face_to_face=0, post=0
        )
        with frozen(at(15)):
            kpis = service_kpis(self.service, DAY, DAY)
        # 3 sent; the journey stopped at "you cannot order a bin online" is not a completion
        self.assertEqual((kpis.started, kpis.digital_completions), (6, 3))
        self.assertEqual((kpis.phone, kpis.face_to_face, kpis.post), (10, 2, 4))
        self.assertEqual(kpis.digital_take_up, 3 / 19)
        self.assertEqual(
            kpis.costs,
            {
                "online": Decimal("0.08"),
                "phone": Decimal("3.39"),
                "face_to_face": Decimal("10.53"),
                "post": Decimal("3.39"),
            },
        )
        self.assertEqual(kpis.cost_per_transaction, Decimal("68.76") / 19)
        self.assertAlmostEqual(kpis.completion_rate, 3 / 6)

    def test_kpi_trend_months(self):
        ChannelVolume.objects.create(service=self.service, month=DAY, phone=4)
        with frozen(at(15)):
            trend = kpi_trend(self.service, months=3)
        self.assertEqual(
            [(k.start, k.end) for k in trend],
            [
                (datetime.date(2026, 1, 1), datetime.date(2026, 1, 31)),
                (datetime.date(2026, 2, 1), datetime.date(2026, 2, 28)),
                (datetime.date(2026, 3, 1), DAY),
            ],
        )
        self.assertEqual([k.digital_completions for k in trend], [0, 0, 3])
        self.assertEqual([k.phone for k in trend], [0, 0, 4])
        self.assertIsNone(trend[0].digital_take_up)


class RealJourneyTests(FlowTestCase):
    @classmethod
    def setUpTestData(cls):
        cls.flow = crime_number_flow()

    def test_a_walk_through_the_flow_gives_the_same_figures(self):
        self.client.get(self.base, follow=True)
        self.answer("stolen", {"stolen-stolen": "yes"}, follow=True)
        self.answer("crime-number", {"crime-number-crime_number": "AB/1"}, follow=True)
        check = self.answer(
            "contact",
            {"contact-full_name": "Sam Jones", "contact-email": "sam@example.org"},
            follow=True,
        )
        self.client.post(f"{self.base}check-your-answers/", {"token": self.token(check)})
        self.client = self.client_class()
        self.client.get(self.base, follow=True)
        self.answer("stolen", {"stolen-stolen": "yes"}, follow=True)
        self.answer("crime-number", {"crime-number-crime_number": ""})
        self.client = self.client_class()
        self.client.get(self.base, follow=True)
        self.answer("stolen", {"stolen-stolen": "no"}, follow=True)

        today = timezone.localdate()
        later = timezone.now() + datetime.timedelta(hours=1)
        with frozen(later):
            live = flow_metrics(self.flow, today, today)
        self.assertEqual(
            (live.started, live.submitted, live.end_points, live.abandoned), (3, 1, 1, 1)
        )
        steps = {s.step: (s.reached, s.completed, s.failed, s.abandoned) for s in live.steps}
        self.assertEqual(steps["stolen"], (3, 3, 0, 0))
        self.assertEqual(steps["crime-number"], (2, 1, 1, 1))
        self.assertEqual(steps["check-your-answers"], (1, 1, 0, 0))
        self.assertNotIn("payment", steps)
        self.assertEqual(
            [(e.field, e.error, e.count) for e in live.errors], [("crime_number", "required", 1)]
        )
        rollup_day(today, now=later)
        with frozen(later):
            self.assertEqual(flow_metrics(self.flow, today, today), live)
