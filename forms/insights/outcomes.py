"""Journeys started and completed for many flows at once, in a few grouped queries, and the
services and flows as staff read them: one per English source, whatever the languages.

Completed means: the request was sent, or the journey stopped at an end point that editors
marked "answer given (success)" (a look-up's answer always is). An end point that says "you
can't use this service" is reported, but is not a completion.

The figures are the ones `forms.insights.metrics` works out flow by flow (roll-ups where there
are, the raw events for the days not rolled up yet), read for every flow together: one query
for the roll-ups, one pass over the raw events per run of missing days.
"""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from forms.flows.blocks import EndPointBlock
from forms.flows.constants import CHECK_ANSWERS_STEP
from forms.flows.models import FlowPage
from forms.insights.models import FlowDay


class Completion:
    """What counts as a completed journey: sent, or stopped at an end point marked as a success
    ("answer given"); never an end point that turned the resident away."""

    started: int
    submitted: int
    successful_end_points: int

    @property
    def completed(self) -> int:
        return self.submitted + self.successful_end_points

    @property
    def completion_rate(self) -> float | None:
        return self.completed / self.started if self.started else None


@dataclass
class Outcome(Completion):
    """Journeys of one or more flows over some days."""

    started: int = 0
    submitted: int = 0
    end_points: int = 0
    successful_end_points: int = 0
    by_end_point: Counter = field(default_factory=Counter)

    def add(self, other: Outcome) -> None:
        self.started += other.started
        self.submitted += other.submitted
        self.end_points += other.end_points
        self.successful_end_points += other.successful_end_points
        self.by_end_point.update(other.by_end_point)


def successful_end_points(flow: FlowPage) -> set[str]:
    """The names of the flow's end points that count as completed, read from its stored steps
    (no block conversion: this runs for every flow on the KPI dashboard)."""
    raw = flow.steps.raw_data if hasattr(flow.steps, "raw_data") else flow.steps
    names = {
        step["value"].get("name", "")
        for step in raw
        if step.get("type") == "end_point" and step["value"].get("outcome") == EndPointBlock.SUCCESS
    }
    if getattr(flow, "result_handler", ""):
        names.add(CHECK_ANSWERS_STEP)  # a look-up's answer
    return names


def _outcome(counts: dict[str, Any], by_end_point: dict[str, int], success: set[str]) -> Outcome:
    return Outcome(
        started=counts["started"],
        submitted=counts["submitted"],
        end_points=counts["end_points"],
        successful_end_points=sum(n for name, n in by_end_point.items() if name in success),
        by_end_point=Counter(by_end_point),
    )


def consecutive_runs(days: Iterable[datetime.date]) -> list[tuple[datetime.date, datetime.date]]:
    """Consecutive days as (first, last) runs: the stretches of days to roll up in one go."""
    runs: list[tuple[datetime.date, datetime.date]] = []
    for day in sorted(days):
        if runs and runs[-1][1] + datetime.timedelta(days=1) == day:
            runs[-1] = (runs[-1][0], day)
        else:
            runs.append((day, day))
    return runs


def daily_outcomes(
    flows: Iterable[FlowPage], start: datetime.date, end: datetime.date
) -> dict[tuple[int, datetime.date], Outcome]:
    """(flow id, day) -> Outcome for the journeys that started from `start` to `end`."""
    by_pk = {flow.pk: flow for flow in flows}
    success = {pk: successful_end_points(flow) for pk, flow in by_pk.items()}
    end = min(end, timezone.localdate())
    result: dict[tuple[int, datetime.date], Outcome] = {}
    if end < start or not by_pk:
        return result
    rolled: dict[int, set[datetime.date]] = defaultdict(set)
    rows = FlowDay.objects.filter(flow_id__in=list(by_pk), day__gte=start, day__lte=end)
    for flow_id, day, started, submitted, end_points, by_end_point in rows.values_list(
        "flow_id", "day", "started", "submitted", "end_points", "by_end_point"
    ):
        rolled[flow_id].add(day)
        counts = {"started": started, "submitted": submitted, "end_points": end_points}
        if started:
            result[(flow_id, day)] = _outcome(counts, by_end_point, success[flow_id])
    days = [start + datetime.timedelta(days=n) for n in range((end - start).days + 1)]
    missing = {pk: {day for day in days if day not in rolled[pk]} for pk in by_pk}
    needed = set().union(*missing.values())
    for first, last in consecutive_runs(needed):
        wanted = [pk for pk, gaps in missing.items() if any(first <= d <= last for d in gaps)]
        for (flow_id, day), outcome in live_outcomes(first, last, wanted, success).items():
            if day in missing.get(flow_id, ()):
                result[(flow_id, day)] = outcome
    return result


def live_outcomes(
    first: datetime.date,
    last: datetime.date,
    flow_ids: list[int],
    success: dict[int, set[str]],
) -> dict[tuple[int, datetime.date], Outcome]:
    """What `rollup.day_figures` counts of started, sent and end points, worked out by the
    database: one row a journey rather than one an event (the KPI dashboard reads today's
    events of every flow on each view). A journey belongs to the day of its start; it was
    sent if it has a "submitted" event; otherwise it stopped at the last end point it reached."""
    from django.db.models import Count, Max, Min, Q

    from forms.insights.models import FlowEvent
    from forms.insights.rollup import local_midnight
    from forms.insights.tracking import IDLE

    since, until = local_midnight(first), local_midnight(last + datetime.timedelta(days=1))
    journeys = (
        FlowEvent.objects.filter(
            created_at__gte=since, created_at__lt=until + IDLE, flow_id__in=flow_ids
        )
        .values_list("journey", "flow_id")
        .annotate(
            began=Min("created_at", filter=Q(kind="started")),
            sent=Count("pk", filter=Q(kind="submitted")),
            ends=Count("step", filter=Q(kind="end_point"), distinct=True),
            end=Max("step", filter=Q(kind="end_point")),
        )
        .order_by()
    )
    rows = [row for row in journeys if row[2] is not None and since <= row[2] < until]
    # A journey that reached two end points (it went back) stopped at the later one.
    several = [row[0] for row in rows if not row[3] and row[4] > 1]
    last_end: dict[Any, str] = {}
    if several:
        events = FlowEvent.objects.filter(journey__in=several, kind="end_point")
        for journey, step in events.order_by("created_at", "pk").values_list("journey", "step"):
            last_end[journey] = step
    result: dict[tuple[int, datetime.date], Outcome] = {}
    for journey, flow_id, began, sent, ends, end in rows:
        key = (flow_id, timezone.localtime(began).date())
        outcome = result.setdefault(key, Outcome())
        outcome.started += 1
        if sent:
            outcome.submitted += 1
        elif ends:
            name = last_end.get(journey, end) or CHECK_ANSWERS_STEP
            outcome.end_points += 1
            outcome.by_end_point[name] += 1
            if name in success.get(flow_id, ()):
                outcome.successful_end_points += 1
    return result


def total(
    daily: dict[tuple[int, datetime.date], Outcome],
    flow_ids: Iterable[int],
    start: datetime.date | None = None,
    end: datetime.date | None = None,
) -> Outcome:
    """The sum of `daily` for these flows (and days, when given)."""
    wanted = set(flow_ids)
    result = Outcome()
    if start is not None and end is not None:
        days = (end - start).days + 1
        if 0 < days * len(wanted) < len(daily):  # look the days up rather than read them all
            for flow_id in wanted:
                for n in range(days):
                    found = daily.get((flow_id, start + datetime.timedelta(days=n)))
                    if found is not None:
                        result.add(found)
            return result
    for (flow_id, day), outcome in daily.items():
        if flow_id in wanted and (start is None or start <= day) and (end is None or day <= end):
            result.add(outcome)
    return result


@dataclass
class FlowGroup:
    """One flow and its language copies: the English (source) flow and every translation."""

    source: FlowPage
    flows: list[FlowPage]

    @property
    def title(self) -> str:
        return self.source.title

    def languages(self) -> list[str]:
        return sorted({flow.locale.language_code for flow in self.flows})

    def in_language(self, language: str) -> list[FlowPage]:
        if not language:
            return self.flows
        return [flow for flow in self.flows if flow.locale.language_code == language]


def group_flows(flows: Iterable[FlowPage]) -> list[FlowGroup]:
    """The flows grouped by their English source (FlowPage.translation_key), the source first;
    a translation whose source this user may not see is grouped under itself."""
    from wagtail.models import Locale

    default = Locale.get_default().pk
    groups: dict[Any, list[FlowPage]] = defaultdict(list)
    for flow in flows:
        groups[flow.translation_key].append(flow)
    result = []
    for copies in groups.values():
        copies.sort(key=lambda flow: (flow.locale_id != default, flow.pk))
        result.append(FlowGroup(source=copies[0], flows=copies))
    return sorted(result, key=lambda group: group.title.lower())


def satisfaction_by_flow(
    flows: Iterable[FlowPage], start: datetime.date, end: datetime.date
) -> dict[int, Counter]:
    """flow id -> {rating: answers} from `start` to `end`, in one grouped query."""
    from django.db.models import Count

    from forms.insights.models import SatisfactionResponse
    from forms.insights.rollup import local_midnight

    rows = (
        SatisfactionResponse.objects.filter(
            flow__in=[flow.pk for flow in flows],
            created_at__gte=local_midnight(start),
            created_at__lt=local_midnight(end + datetime.timedelta(days=1)),
        )
        .values_list("flow_id", "rating")
        .annotate(n=Count("pk"))
        .order_by()
    )
    result: dict[int, Counter] = defaultdict(Counter)
    for flow_id, rating, count in rows:
        result[flow_id][rating] += count
    return result


def merged_satisfaction(by_flow: dict[int, Counter], flow_ids: Iterable[int]) -> Any:
    """The SatisfactionSummary of these flows from `satisfaction_by_flow`."""
    from forms.insights.metrics import SatisfactionSummary

    ratings: Counter = Counter()
    for flow_id in flow_ids:
        ratings.update(by_flow.get(flow_id, {}))
    return SatisfactionSummary(responses=sum(ratings.values()), by_rating=dict(ratings))


class CostsBySite:
    """The channel unit costs of the site each service is on, read once a site."""

    def __init__(self) -> None:
        from wagtail.models import Site

        self.sites = sorted(
            Site.objects.select_related("root_page"),
            key=lambda site: (-len(site.root_page.path), not site.is_default_site),
        )
        self.default = next((site for site in self.sites if site.is_default_site), None)
        self.costs: dict[int | None, dict[str, Any]] = {}

    def for_service(self, service: Any) -> dict[str, Any]:
        from forms.insights.models import ChannelCosts

        site = next(
            (site for site in self.sites if service.path.startswith(site.root_page.path)),
            self.default,
        )
        key = site.pk if site is not None else None
        if key not in self.costs:
            costs = ChannelCosts.for_site(site) if site is not None else ChannelCosts()
            self.costs[key] = {
                name: getattr(costs, name) for name in ("online", "phone", "face_to_face", "post")
            }
        return self.costs[key]
