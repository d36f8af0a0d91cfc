"""Drop-off report speed at scale: `manage.py insights_benchmark` (PostgreSQL;
`make bench-insights`, which uses a database of its own, council_insights_bench).

Generates N flow events (default 1,000,000) for the live flows (the demo flows: run
`load_demo_content` first) as plausible journeys over the last 90 days (drop-offs, validation
errors, end points, payments that succeed, fail or are left), written with bulk_create in
batches of 10,000 (on PostgreSQL, simpler journeys made by the database itself with
generate_series, in seconds). Before and after, it times the Service KPIs page as an
administrator sees it (every service). Then it times the roll-up of every complete day,
`flow_metrics` for 30 and 90 days and `service_kpis` + `kpi_trend` (p50/p95 of 20 runs each,
read from the roll-ups plus today live), and `flow_metrics` for one day computed live from
the raw events, for comparison.

The generated events carry the language code "zz". They and the roll-ups of their days are
deleted at the end (and any left by an interrupted run at the start) unless --keep is given;
the next `rollup_flow_events` rebuilds those days from the real events.
"""

from __future__ import annotations

import datetime
import functools
import random
import statistics
import time
import uuid
from collections import Counter
from collections.abc import Callable

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from forms.flows.models import FlowPage
from forms.insights.metrics import flow_metrics, kpi_trend, service_kpis
from forms.insights.models import FlowDay, FlowErrorDay, FlowEvent, FlowStepDay
from forms.insights.rollup import day_complete, rollup

LANGUAGE = "zz"
BATCH = 10_000
DAYS = 90
ERRORS = ["required", "invalid", "max_length", "invalid_date"]


def percentiles(timings: list[float]) -> str:
    timings = sorted(timings)
    p95 = timings[max(0, int(len(timings) * 0.95) - 1)]
    return f"p50={statistics.median(timings):.1f}ms p95={p95:.1f}ms max={timings[-1]:.1f}ms"


class Journeys:
    """Plausible journeys through one flow, as FlowEvent objects."""

    def __init__(self, flow: FlowPage, rng: random.Random) -> None:
        self.flow = flow
        self.rng = rng
        self.pages = []  # (name, [question names])
        self.end_points = []
        for step in flow.steps:
            if step.block_type == "question_page":
                names = [q.value["name"] for q in step.value["questions"]] or ["answer"]
                self.pages.append((step.value["name"], names))
            elif step.block_type == "end_point":
                self.end_points.append(step.value["name"])
        self.pays = flow.has_fee
        self.looks_up = bool(flow.result_handler)
        # Each page has its own difficulty, so the report has a page that stands out.
        self.drop = [rng.uniform(0.01, 0.08) for _ in self.pages]
        self.fail = [rng.uniform(0.02, 0.25) for _ in self.pages]

    def events(self, begin: datetime.datetime) -> list[FlowEvent]:
        rng = self.rng
        journey = uuid.uuid4()
        device = rng.choices(["mobile", "desktop", "tablet", "unknown"], [55, 35, 8, 2])[0]
        source = rng.choices(["search", "service_page", "elsewhere"], [25, 60, 15])[0]
        events: list[FlowEvent] = []
        now = [begin]

        def add(kind: str, step: str = "", field: str = "", error: str = "", wait=0.0):
            now[0] += datetime.timedelta(seconds=wait)
            events.append(
                FlowEvent(
                    flow_id=self.flow.pk,
                    journey=journey,
                    kind=kind,
                    step=step,
                    field=field,
                    error=error,
                    language=LANGUAGE,
                    device=device,
                    source=source,
                    created_at=now[0],
                )
            )

        def think() -> float:
            return min(rng.lognormvariate(3.0, 0.9), 3000)

        add("started")
        for i, (page, questions) in enumerate(self.pages):
            add("step_viewed", page, wait=0.3)
            if rng.random() < self.drop[i]:
                return events  # gave up on the page
            if rng.random() < self.fail[i]:
                for _ in range(rng.choice([1, 1, 2])):
                    add("step_failed", page, rng.choice(questions), rng.choice(ERRORS), think())
                if rng.random() < 0.15:
                    return events
            add("step_completed", page, wait=think())
            if i and rng.random() < 0.03:
                add("back", self.pages[i - 1][0], wait=2)
                add("step_viewed", self.pages[i - 1][0])
                add("step_completed", self.pages[i - 1][0], wait=think())
            if self.end_points and rng.random() < 0.04:
                add("end_point", rng.choice(self.end_points), wait=0.3)
                return events
        if self.looks_up:
            return events
        add("check_viewed", "check-your-answers", wait=0.3)
        if rng.random() < 0.04:
            return events
        if rng.random() < 0.05:
            add("change", self.pages[0][0] if self.pages else "", wait=think())
            add("check_viewed", "check-your-answers", wait=think())
        add("submitted", "check-your-answers", wait=think())
        if self.pays and rng.random() < 0.97:
            add("payment_started", "payment", wait=0.5)
            outcome = rng.choices(["paid", "failed", "cancelled", "left"], [85, 5, 5, 5])[0]
            if outcome != "left":
                add(f"payment_{'succeeded' if outcome == 'paid' else outcome}", "payment", wait=60)
        return events


class Command(BaseCommand):
    help = "Generate flow events, then time the roll-up and the drop-off report and KPIs."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--events", type=int, default=1_000_000)
        parser.add_argument("--runs", type=int, default=20)
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--keep", action="store_true", help="Keep the generated events.")

    def handle(self, *args, events: int, runs: int, seed: int, keep: bool, **options) -> None:
        if connection.vendor != "postgresql":
            self.stderr.write(
                f"Note: this database is {connection.vendor}; the goal is set for PostgreSQL."
            )
        settings.DEBUG = False
        flows = list(FlowPage.objects.live().specific())
        if not flows:
            raise CommandError("No live flows: run `manage.py load_demo_content` first.")
        self.clean()
        self.time_dashboard("on the demo", runs)
        started = time.perf_counter()
        if connection.vendor == "postgresql":
            made, days = self.generate_sql(flows, events)
        else:
            made, days = self.generate(flows, events, random.Random(seed))
        self.stdout.write(
            f"Generated {made:,} events for {len(flows)} flows over {DAYS} days "
            f"in {time.perf_counter() - started:.0f} s"
        )
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f"ANALYZE {FlowEvent._meta.db_table}")
        try:
            self.measure(flows, days, runs)
        finally:
            if not keep:
                self.clean()

    def clean(self) -> None:
        generated = FlowEvent.objects.filter(language=LANGUAGE)
        bounds = generated.order_by("created_at").values_list("created_at", flat=True)
        first = bounds.first()
        if first is None:
            return
        first_day = timezone.localtime(first).date()
        removed, _ = generated.delete()
        for model in (FlowDay, FlowStepDay, FlowErrorDay):
            model.objects.filter(day__gte=first_day).delete()
        self.stdout.write(f"(deleted {removed:,} generated events and the roll-ups since them)")

    def generate(self, flows, total: int, rng: random.Random):
        now = timezone.now()
        today = timezone.localdate()
        first = today - datetime.timedelta(days=DAYS - 1)
        midnight = timezone.make_aware(datetime.datetime.combine(first, datetime.time.min))
        span = (now - midnight).total_seconds() - 3600
        makers = [Journeys(flow, rng) for flow in flows]
        weights = [rng.paretovariate(1.2) for _ in flows]  # a few busy flows, a long tail
        batch: list[FlowEvent] = []
        made = 0
        while made < total:
            maker = rng.choices(makers, weights)[0]
            begin = midnight + datetime.timedelta(seconds=rng.uniform(0, span))
            batch.extend(maker.events(begin))
            if len(batch) >= BATCH:
                FlowEvent.objects.bulk_create(batch[:BATCH])
                made += BATCH
                batch = batch[BATCH:]  # the rest of a journey goes in the next batch
        if batch:
            FlowEvent.objects.bulk_create(batch)
            made += len(batch)
        return made, [first + datetime.timedelta(days=n) for n in range(DAYS)]

    def generate_sql(self, flows, total: int):
        """The same kind of journeys, made by PostgreSQL itself (generate_series): about four
        events a journey, each started, on the flow's first page, then (by chance) an error,
        given up, stopped at an end point or sent."""
        today = timezone.localdate()
        first = today - datetime.timedelta(days=DAYS - 1)
        midnight = timezone.make_aware(datetime.datetime.combine(first, datetime.time.min))
        span = (timezone.now() - midnight).total_seconds() - 3600
        pages, fields, ends = [], [], []
        for flow in flows:
            maker = Journeys(flow, random.Random(flow.pk))
            name, questions = maker.pages[0] if maker.pages else ("start", ["answer"])
            pages.append(name)
            fields.append(questions[0])
            ends.append(maker.end_points[0] if maker.end_points else "check-your-answers")
        sql = f"""
            WITH j AS (
                SELECT gen_random_uuid() AS journey, 1 + floor(random() * %(n)s)::int AS i,
                       %(since)s::timestamptz + random() * %(span)s * interval '1 second' AS t,
                       random() AS r,
                       (ARRAY['mobile', 'desktop', 'tablet'])[1 + floor(random() * 3)::int]
                           AS device
                FROM generate_series(1, %(journeys)s)
            )
            INSERT INTO {FlowEvent._meta.db_table}
                (flow_id, journey, kind, step, field, error, language, device, source,
                 created_at)
            SELECT (%(flows)s::int[])[i], journey, e.kind,
                   CASE e.step WHEN 'page' THEN (%(pages)s::text[])[i]
                               WHEN 'end' THEN (%(ends)s::text[])[i] ELSE e.step END,
                   CASE WHEN e.kind = 'step_failed' THEN (%(fields)s::text[])[i] ELSE '' END,
                   CASE WHEN e.kind = 'step_failed' THEN 'required' ELSE '' END,
                   %(language)s, device, 'service_page', t + e.after * interval '1 second'
            FROM j CROSS JOIN LATERAL (VALUES
                ('started', '', 0, true),
                ('step_viewed', 'page', 1, true),
                ('step_failed', 'page', 20, r < 0.1),
                ('step_completed', 'page', 40, r >= 0.3),
                ('end_point', 'end', 41, r >= 0.3 AND r < 0.4),
                ('check_viewed', 'check-your-answers', 42, r >= 0.4),
                ('submitted', 'check-your-answers', 60, r >= 0.4)
            ) AS e(kind, step, after, keep)
            WHERE e.keep
        """
        with connection.cursor() as cursor:
            cursor.execute(
                sql,
                {
                    "n": len(flows),
                    "since": midnight,
                    "span": span,
                    "journeys": max(1, round(total / 4.1)),
                    "flows": [flow.pk for flow in flows],
                    "pages": pages,
                    "fields": fields,
                    "ends": ends,
                    "language": LANGUAGE,
                },
            )
            made = cursor.rowcount
        return made, [first + datetime.timedelta(days=n) for n in range(DAYS)]

    def time_dashboard(self, label: str, runs: int) -> None:
        """The Service KPIs page as an administrator sees it (every service), end to end."""
        from django.contrib.auth import get_user_model
        from django.test import Client

        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
        users = get_user_model().objects
        user = users.filter(is_superuser=True, is_active=True).first()
        if user is None:
            user = users.create_superuser("insights-bench", "bench@example.com", None)
        client = Client()
        client.force_login(user)

        def page() -> None:
            response = client.get("/admin/reports/service-kpis/")
            if response.status_code != 200:
                raise CommandError(f"Service KPIs answered {response.status_code}")

        self.time(f"Service KPIs page {label}", page, min(runs, 5))

    def time(self, label: str, call: Callable[[], object], runs: int) -> None:
        call()  # warm
        timings = []
        for _ in range(runs):
            started = time.perf_counter()
            call()
            timings.append((time.perf_counter() - started) * 1000)
        self.stdout.write(f"{label}: {percentiles(timings)}")

    def measure(self, flows, days, runs: int) -> None:
        now = timezone.now()
        started = time.perf_counter()
        done = rollup([day for day in days if day_complete(day, now)], now=now)
        took = time.perf_counter() - started
        self.stdout.write(
            f"rollup: {len(done)} days, {sum(j for _, j in done):,} journeys in {took:.1f} s "
            f"({took / max(1, len(done)) * 1000:.0f} ms a day)"
        )
        volume = Counter(
            FlowEvent.objects.filter(language=LANGUAGE).values_list("flow_id", flat=True)
        )
        flow = next(f for f in flows if f.pk == volume.most_common(1)[0][0])
        self.stdout.write(
            f"busiest flow: {flow.title} ({volume[flow.pk]:,} events); {runs} runs each"
        )
        today = timezone.localdate()
        for span in (30, 90):
            start = today - datetime.timedelta(days=span - 1)
            self.time(
                f"flow_metrics {span} days",
                functools.partial(flow_metrics, flow, start, today),
                runs,
            )
        self.time_dashboard(f"with {volume.total():,} events", runs)
        start = today - datetime.timedelta(days=DAYS - 1)
        self.time(
            "service_kpis 90 days + kpi_trend 6 months",
            lambda: (service_kpis(flow.service, start, today), kpi_trend(flow.service)),
            runs,
        )
        day = today - datetime.timedelta(days=1)
        with transaction.atomic():  # the roll-ups of that day put back afterwards
            for model in (FlowDay, FlowStepDay, FlowErrorDay):
                model.objects.filter(day=day).delete()
            self.time(
                f"flow_metrics 1 day live from the events ({day})",
                lambda: flow_metrics(flow, day, day),
                runs,
            )
            transaction.set_rollback(True)
        metrics = flow_metrics(flow, start, today)
        worst = max(metrics.steps, key=lambda s: s.drop_off_rate or 0)
        self.stdout.write(
            f"(90 days: started {metrics.started:,}, completion {metrics.completion_rate:.1%}, "
            f"worst drop-off {worst.label!r} {worst.drop_off_rate or 0:.1%})"
        )
