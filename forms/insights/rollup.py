"""Daily roll-ups of the flow events, and the one function that works out a day's figures.

A journey belongs to the day (local time, Europe/London) of its `started` event. Its events are
read from that midnight up to the next midnight plus IDLE, so a journey that runs past midnight
is still seen whole. `day_figures` computes the figures of some days in memory, in one
streaming pass over their events ordered by journey (linear, one journey held at a time);
`rollup_day` saves them as FlowDay / FlowStepDay / FlowErrorDay rows, and the reports compute
the days not rolled up yet (today) with the very same function, so live and rolled-up figures
agree.

Definitions (per journey that started on the day):
- submitted: it sent its request; end point: it stopped at an end point (and did not send),
  counted by the end point's name too (the last it reached; a look-up's answer is
  "check-your-answers"). The reports count as completed the requests sent and the end points
  editors marked as a success (forms.insights.outcomes).
- abandoned: not completed and its last event is IDLE (30 minutes) or more before "now" (the
  roll-up's time). Journeys still active are neither completed nor abandoned.
- payment_*: journeys with at least one event of that kind.
- steps: question pages by their name, plus the pseudo-steps "check-your-answers"
  (check_viewed; completed = submitted) and "payment" (any payment event; completed =
  payment_succeeded, failed = payment_failed, abandoned = payment started, not succeeded, idle).
  reached/completed/failed are distinct journeys; abandoned counts the abandoned journeys whose
  last viewed page it was.
- time on a page: from each step_viewed (check_viewed, payment_started for the pseudo-steps) to
  the journey's next event, counted in the buckets of TIME_BUCKETS (the last, extra, bucket is
  "longer than 30 minutes"); a view with no later event gives no time.
- errors: step_failed events counted by (step, field, error).
"""

from __future__ import annotations

import bisect
import datetime
import itertools
from collections import Counter
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from forms.flows.constants import CHECK_ANSWERS_STEP
from forms.flows.models import FlowPage
from forms.insights.models import FlowDay, FlowErrorDay, FlowEvent, FlowStepDay
from forms.insights.models.days import JOURNEY_COUNTS, TIME_BUCKETS
from forms.insights.tracking import IDLE

PAYMENT_STEP = "payment"
PAYMENT_KINDS = ("payment_started", "payment_succeeded", "payment_failed", "payment_cancelled")
# A day is complete, and rolled up, once its journeys can no longer change: its events are read
# up to midnight + IDLE, and the last of them is idle IDLE later.
SETTLED = 2 * IDLE
NBUCKETS = len(TIME_BUCKETS) + 1


def bucket(seconds: float) -> int:
    """The index in a time histogram: the first bucket whose upper bound holds `seconds`."""
    return bisect.bisect_left(TIME_BUCKETS, seconds)


def median_from_buckets(counts: list[int]) -> float | None:
    """The median of a time histogram, interpolated linearly inside the bucket that holds it
    (bucket i spans TIME_BUCKETS[i-1]..TIME_BUCKETS[i], the first from 0); in the open last
    bucket ("longer") it is that bucket's lower bound, 1800 seconds."""
    total = sum(counts)
    if not total:
        return None
    rank = total / 2
    seen = 0
    for i, count in enumerate(counts):
        if count and seen + count >= rank:
            lower = TIME_BUCKETS[i - 1] if i else 0
            if i >= len(TIME_BUCKETS):
                return float(lower)
            upper = TIME_BUCKETS[i]
            return lower + (upper - lower) * (rank - seen) / count
        seen += count
    return float(TIME_BUCKETS[-1])


@dataclass
class StepDay:
    reached: int = 0
    completed: int = 0
    failed: int = 0
    abandoned: int = 0
    buckets: list[int] = field(default_factory=lambda: [0] * NBUCKETS)

    def add(self, other: StepDay) -> None:
        self.reached += other.reached
        self.completed += other.completed
        self.failed += other.failed
        self.abandoned += other.abandoned
        for i, count in enumerate(other.buckets[:NBUCKETS]):
            self.buckets[i] += count


@dataclass
class DayFigures:
    """One flow's figures for one day (or, merged, for several)."""

    flow_id: int
    day: datetime.date | None = None
    started: int = 0
    submitted: int = 0
    end_points: int = 0
    abandoned: int = 0
    payment_started: int = 0
    payment_succeeded: int = 0
    payment_failed: int = 0
    payment_cancelled: int = 0
    by_source: Counter = field(default_factory=Counter)
    by_device: Counter = field(default_factory=Counter)
    by_end_point: Counter = field(default_factory=Counter)  # end point name -> journeys
    steps: dict[str, StepDay] = field(default_factory=dict)
    errors: Counter = field(default_factory=Counter)  # (step, field, error) -> events

    def step(self, name: str) -> StepDay:
        if name not in self.steps:
            self.steps[name] = StepDay()
        return self.steps[name]

    def add(self, other: DayFigures) -> None:
        for name in JOURNEY_COUNTS:
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.by_source.update(other.by_source)
        self.by_device.update(other.by_device)
        self.by_end_point.update(other.by_end_point)
        for name, step in other.steps.items():
            self.step(name).add(step)
        self.errors.update(other.errors)


def local_midnight(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _add_journey(figures: DayFigures, events: list[tuple], now: datetime.datetime) -> None:
    """One journey's events (kind, step, field, error, device, source, created_at), in order."""
    kinds = {event[0] for event in events}
    first = next(event for event in events if event[0] == "started")
    figures.started += 1
    figures.by_device[first[4] or "unknown"] += 1
    figures.by_source[first[5] or "elsewhere"] += 1
    submitted = "submitted" in kinds
    completed = submitted or "end_point" in kinds
    if submitted:
        figures.submitted += 1
    elif completed:
        figures.end_points += 1
        last_end = [event[1] for event in events if event[0] == "end_point"][-1]
        figures.by_end_point[last_end or CHECK_ANSWERS_STEP] += 1
    idle = now - events[-1][6] >= IDLE
    abandoned = idle and not completed
    if abandoned:
        figures.abandoned += 1
    for kind in PAYMENT_KINDS:
        if kind in kinds:
            setattr(figures, kind, getattr(figures, kind) + 1)

    reached: set[str] = set()
    done: set[str] = set()
    failed: set[str] = set()
    last_viewed = ""
    for i, (kind, step, field_name, error, _, _, at) in enumerate(events):
        viewed = ""
        if kind == "step_viewed":
            viewed = step
        elif kind == "check_viewed":
            viewed = CHECK_ANSWERS_STEP
        elif kind in PAYMENT_KINDS:
            reached.add(PAYMENT_STEP)
            last_viewed = PAYMENT_STEP
            if kind == "payment_started":
                viewed = PAYMENT_STEP
            elif kind == "payment_succeeded":
                done.add(PAYMENT_STEP)
            elif kind == "payment_failed":
                failed.add(PAYMENT_STEP)
        elif kind == "step_completed":
            done.add(step)
        elif kind == "step_failed":
            failed.add(step)
            figures.errors[(step, field_name, error)] += 1
        elif kind == "submitted":
            done.add(CHECK_ANSWERS_STEP)
        if viewed:
            reached.add(viewed)
            last_viewed = viewed
            if i + 1 < len(events):
                seconds = (events[i + 1][6] - at).total_seconds()
                figures.step(viewed).buckets[bucket(seconds)] += 1
    for name in reached:
        figures.step(name).reached += 1
    for name in done:
        figures.step(name).completed += 1
    for name in failed:
        figures.step(name).failed += 1
    if abandoned and last_viewed:
        figures.step(last_viewed).abandoned += 1
    elif (
        idle
        and "payment_started" in kinds
        and "payment_succeeded" not in kinds
        and last_viewed == PAYMENT_STEP
    ):
        figures.step(PAYMENT_STEP).abandoned += 1


def day_figures(
    start: datetime.date,
    end: datetime.date | None = None,
    flow_ids: list[int] | None = None,
    now: datetime.datetime | None = None,
    device: str = "",
) -> dict[tuple[int, datetime.date], DayFigures]:
    """The figures of the journeys that started from `start` to `end` (inclusive local days),
    per (flow id, day), computed from the raw events without saving anything. Only flows and
    days with journeys appear."""
    end = end or start
    now = now or timezone.now()
    since = local_midnight(start)
    until = local_midnight(end + datetime.timedelta(days=1))
    events = FlowEvent.objects.filter(
        created_at__gte=since, created_at__lt=until + IDLE, flow__isnull=False
    )
    if flow_ids is not None:
        events = events.filter(flow_id__in=list(flow_ids))
    if device:  # the roll-ups are not split by device: a device's figures come from here
        events = events.filter(device=device)
    rows = events.order_by("journey", "created_at", "pk").values_list(
        "journey", "flow_id", "kind", "step", "field", "error", "device", "source", "created_at"
    )
    figures: dict[tuple[int, datetime.date], DayFigures] = {}
    for _journey, group in itertools.groupby(rows.iterator(chunk_size=5000), lambda r: r[0]):
        journey = list(group)
        started = next((row for row in journey if row[2] == "started"), None)
        if started is None or not since <= started[8] < until:
            continue  # started before the window (or its start was never recorded)
        flow_id = started[1]
        day = timezone.localtime(started[8]).date()
        key = (flow_id, day)
        if key not in figures:
            figures[key] = DayFigures(flow_id=flow_id, day=day)
        # Events before the start (none, unless clocks disagree) are left out.
        _add_journey(
            figures[key],
            [row[2:] for row in journey if row[8] >= started[8] and row[1] == flow_id],
            now,
        )
    return figures


def step_positions(flow: FlowPage) -> dict[str, int]:
    """The order of a flow's pages: question pages, then check your answers, then payment."""
    names = [step.value["name"] for step in flow.steps if step.block_type == "question_page"]
    names += [CHECK_ANSWERS_STEP, PAYMENT_STEP]
    return {name: i for i, name in enumerate(names)}


def day_complete(day: datetime.date, now: datetime.datetime | None = None) -> bool:
    now = now or timezone.now()
    return now >= local_midnight(day + datetime.timedelta(days=1)) + SETTLED


def rollup_day(day: datetime.date, now: datetime.datetime | None = None) -> int:
    """(Re)build the roll-ups of `day` in one transaction: a FlowDay for every flow (zeros
    included, so the reports know the day is done), and its pages and errors. Returns the
    number of journeys rolled up."""
    flows = {flow.pk: flow for flow in FlowPage.objects.all()}
    # By flow, so PostgreSQL reads the (flow, created_at) index rather than the whole table.
    figures = day_figures(day, flow_ids=list(flows), now=now)
    day_rows, step_rows, error_rows = [], [], []
    for flow_id, flow in flows.items():
        fig = figures.get((flow_id, day)) or DayFigures(flow_id=flow_id, day=day)
        day_rows.append(
            FlowDay(
                flow_id=flow_id,
                day=day,
                by_source=dict(fig.by_source),
                by_device=dict(fig.by_device),
                by_end_point=dict(fig.by_end_point),
                **{name: getattr(fig, name) for name in JOURNEY_COUNTS},
            )
        )
        positions = step_positions(flow)
        for name, step in fig.steps.items():
            step_rows.append(
                FlowStepDay(
                    flow_id=flow_id,
                    day=day,
                    step=name[:100],
                    position=positions.get(name, len(positions)),
                    reached=step.reached,
                    completed=step.completed,
                    failed=step.failed,
                    abandoned=step.abandoned,
                    time_buckets=step.buckets,
                )
            )
        for (step_name, field_name, error), count in fig.errors.items():
            error_rows.append(
                FlowErrorDay(
                    flow_id=flow_id,
                    day=day,
                    step=step_name,
                    field=field_name,
                    error=error,
                    count=count,
                )
            )
    with transaction.atomic():
        for model in (FlowDay, FlowStepDay, FlowErrorDay):
            model.objects.filter(day=day).delete()
        FlowDay.objects.bulk_create(day_rows, batch_size=1000)
        FlowStepDay.objects.bulk_create(step_rows, batch_size=1000)
        FlowErrorDay.objects.bulk_create(error_rows, batch_size=1000)
    return sum(fig.started for fig in figures.values())


def days_to_roll_up(now: datetime.datetime | None = None) -> list[datetime.date]:
    """Complete days from the first event on with no roll-up yet, and yesterday (or the last
    complete day) always, since late events may have changed it. Never today."""
    from django.db.models import Min

    now = now or timezone.now()
    last = timezone.localtime(now).date() - datetime.timedelta(days=1)
    while not day_complete(last, now):
        last -= datetime.timedelta(days=1)
    first_event = FlowEvent.objects.aggregate(first=Min("created_at"))["first"]
    if first_event is None:
        return []
    first = timezone.localtime(first_event).date()
    done = set(
        FlowDay.objects.filter(day__gte=first, day__lte=last)
        .values_list("day", flat=True)
        .distinct()
    )
    days = [
        first + datetime.timedelta(days=n)
        for n in range((last - first).days + 1)
        if first + datetime.timedelta(days=n) not in done
    ]
    if last >= first and last not in days:
        days.append(last)
    return days


def rollup(
    days: list[datetime.date] | None = None, now: datetime.datetime | None = None
) -> list[tuple[datetime.date, int]]:
    """Roll up `days` (default: `days_to_roll_up`), skipping any not complete yet.
    Returns (day, journeys) for each day rolled up."""
    now = now or timezone.now()
    if days is None:
        days = days_to_roll_up(now)
    return [(day, rollup_day(day, now=now)) for day in days if day_complete(day, now)]
