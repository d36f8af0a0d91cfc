"""The figures the reports show: `flow_metrics` for the drop-off report, `service_kpis` and
`kpi_trend` for the service KPI dashboard, each returning the dataclasses below.

Dates are inclusive local dates. Days already rolled up are read from FlowDay, FlowStepDay
and FlowErrorDay; days not rolled up yet (today) are computed from the raw FlowEvent rows
the same way, so the figures never lag.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from forms.flows.constants import CHECK_ANSWERS_STEP
from forms.flows.models import FlowPage
from forms.insights.models import (
    ChannelCosts,
    ChannelVolume,
    FlowDay,
    FlowErrorDay,
    FlowStepDay,
    SatisfactionResponse,
)
from forms.insights.models.days import JOURNEY_COUNTS
from forms.insights.rollup import (
    PAYMENT_STEP,
    DayFigures,
    StepDay,
    day_figures,
    local_midnight,
    median_from_buckets,
)

if TYPE_CHECKING:
    from wagtail.models import Site

    from services.models import ServicePage


@dataclass
class StepMetrics:
    step: str  # the page's name in the flow ("check-your-answers" and "payment" included)
    label: str  # what the web team reads: the page's heading or first question
    position: int
    reached: int = 0
    completed: int = 0
    failed: int = 0  # journeys with at least one error on the page
    abandoned: int = 0  # journeys whose last page this was, idle 30 minutes or more
    median_seconds: float | None = None

    @property
    def drop_off_rate(self) -> float | None:
        return self.abandoned / self.reached if self.reached else None


@dataclass
class ErrorMetrics:
    step: str
    field: str
    error: str
    count: int
    label: str = ""  # the question as asked, when it still exists


@dataclass
class SatisfactionSummary:
    responses: int = 0
    by_rating: dict[int, int] = field(default_factory=dict)  # 5 (very satisfied) .. 1

    @property
    def score(self) -> float | None:
        """Share satisfied or very satisfied (GOV.UK's user satisfaction), 0-1."""
        if not self.responses:
            return None
        return (self.by_rating.get(5, 0) + self.by_rating.get(4, 0)) / self.responses


@dataclass
class FlowMetrics:
    flow: FlowPage
    start: datetime.date
    end: datetime.date
    started: int = 0
    submitted: int = 0
    end_points: int = 0
    abandoned: int = 0
    payment_started: int = 0
    payment_succeeded: int = 0
    payment_failed: int = 0
    payment_cancelled: int = 0
    steps: list[StepMetrics] = field(default_factory=list)
    errors: list[ErrorMetrics] = field(default_factory=list)  # most frequent first, top 10
    satisfaction: SatisfactionSummary = field(default_factory=SatisfactionSummary)
    by_source: dict[str, int] = field(default_factory=dict)
    by_device: dict[str, int] = field(default_factory=dict)

    @property
    def completed(self) -> int:
        """Completed journeys: sent, or stopped at an end point (which counts as done)."""
        return self.submitted + self.end_points

    @property
    def completion_rate(self) -> float | None:
        return self.completed / self.started if self.started else None

    @property
    def payment_abandonment(self) -> float | None:
        """Share of payments started that were not completed."""
        if not self.payment_started:
            return None
        return 1 - self.payment_succeeded / self.payment_started


@dataclass
class ServiceKPIs:
    service: ServicePage
    start: datetime.date
    end: datetime.date
    started: int = 0
    digital_completions: int = 0
    phone: int = 0
    face_to_face: int = 0
    post: int = 0
    satisfaction: SatisfactionSummary = field(default_factory=SatisfactionSummary)
    costs: dict[str, Any] = field(default_factory=dict)  # unit cost (Decimal) per channel

    @property
    def completion_rate(self) -> float | None:
        return self.digital_completions / self.started if self.started else None

    @property
    def all_channels(self) -> int:
        return self.digital_completions + self.phone + self.face_to_face + self.post

    @property
    def digital_take_up(self) -> float | None:
        return self.digital_completions / self.all_channels if self.all_channels else None

    @property
    def cost_per_transaction(self):
        """Total cost over all channels / transactions in all channels (Decimal, pounds)."""
        if not self.all_channels or not self.costs:
            return None
        total = (
            self.costs["online"] * self.digital_completions
            + self.costs["phone"] * self.phone
            + self.costs["face_to_face"] * self.face_to_face
            + self.costs["post"] * self.post
        )
        return total / self.all_channels


# How the figures are worked out (see forms/insights/rollup.py for the definitions): for the
# days in range with a FlowDay row for the flow, the roll-ups are summed (the time histograms
# merged); the other days up to today are computed from the raw events by
# `rollup.day_figures`, the function the roll-up saves, so both give the same figures. A
# median time is read from the merged histogram of TIME_BUCKETS, interpolated linearly inside
# the bucket that holds the middle view (`rollup.median_from_buckets`).

ERRORS_SHOWN = 10


def _days(start: datetime.date, end: datetime.date) -> list[datetime.date]:
    return [start + datetime.timedelta(days=n) for n in range((end - start).days + 1)]


def _runs(days: list[datetime.date]) -> list[tuple[datetime.date, datetime.date]]:
    """Consecutive days as (first, last) runs."""
    runs: list[tuple[datetime.date, datetime.date]] = []
    for day in sorted(days):
        if runs and runs[-1][1] + datetime.timedelta(days=1) == day:
            runs[-1] = (runs[-1][0], day)
        else:
            runs.append((day, day))
    return runs


def _collect(
    flow: FlowPage, start: datetime.date, end: datetime.date, details: bool = True
) -> DayFigures:
    """One flow's figures from `start` to `end`, merged: roll-ups where there are, live
    figures for the other days (today included, the future left out)."""
    from django.db.models import Sum
    from django.utils import timezone

    total = DayFigures(flow_id=flow.pk)
    end = min(end, timezone.localdate())
    if end < start:
        return total
    rolled = FlowDay.objects.filter(flow=flow, day__gte=start, day__lte=end)
    rolled_days = set()
    for row in rolled.only("day", "by_source", "by_device", *JOURNEY_COUNTS):
        rolled_days.add(row.day)
        for name in JOURNEY_COUNTS:
            setattr(total, name, getattr(total, name) + getattr(row, name))
        total.by_source.update(row.by_source)
        total.by_device.update(row.by_device)
    if details and rolled_days:
        steps = FlowStepDay.objects.filter(flow=flow, day__gte=start, day__lte=end)
        for name, reached, completed, failed, abandoned, buckets in steps.values_list(
            "step", "reached", "completed", "failed", "abandoned", "time_buckets"
        ):
            total.step(name).add(StepDay(reached, completed, failed, abandoned, list(buckets)))
        errors = (
            FlowErrorDay.objects.filter(flow=flow, day__gte=start, day__lte=end)
            .values_list("step", "field", "error")
            .annotate(total=Sum("count"))
        )
        for step_name, field_name, error, count in errors:
            total.errors[(step_name, field_name, error)] += count
    missing = [day for day in _days(start, end) if day not in rolled_days]
    for first, last in _runs(missing):
        for figures in day_figures(first, last, flow_ids=[flow.pk]).values():
            total.add(figures)
    return total


def _satisfaction(
    flows: Iterable[FlowPage], start: datetime.date, end: datetime.date
) -> SatisfactionSummary:
    from django.db.models import Count

    rows = (
        SatisfactionResponse.objects.filter(
            flow__in=flows,
            created_at__gte=local_midnight(start),
            created_at__lt=local_midnight(end + datetime.timedelta(days=1)),
        )
        .values_list("rating")
        .annotate(n=Count("pk"))
    )
    by_rating = dict(rows)
    return SatisfactionSummary(responses=sum(by_rating.values()), by_rating=by_rating)


def _step_labels(flow: FlowPage) -> tuple[dict[str, str], dict[str, str]]:
    """(page name -> label, question name -> label) from the flow as it is now."""
    from django.utils.translation import gettext

    steps: dict[str, str] = {}
    questions: dict[str, str] = {}
    for step in flow.steps:
        if step.block_type != "question_page":
            continue
        asked = list(step.value["questions"])
        for question in asked:
            questions.setdefault(question.value["name"], str(question.value.get("label") or ""))
        first = str(asked[0].value.get("label") or "") if asked else ""
        steps[step.value["name"]] = (
            str(step.value.get("heading") or "") or first or step.value["name"]
        )
    steps[CHECK_ANSWERS_STEP] = gettext("Check your answers")
    steps[PAYMENT_STEP] = gettext("Payment")
    return steps, questions


def flow_metrics(flow: FlowPage, start: datetime.date, end: datetime.date) -> FlowMetrics:
    """The flow's figures for the journeys that started from `start` to `end` (inclusive).

    Steps: the flow's question pages in their order (all of them, reached or not), then
    "Check your answers" (unless the flow is a look-up with nothing to check) and "Payment"
    (when the flow takes a fee), then any page with figures that is no longer in the flow.
    End points are not steps: a journey that reaches one is counted in `end_points`.
    """
    total = _collect(flow, start, end)
    labels, question_labels = _step_labels(flow)
    names = [name for name in labels if name not in (CHECK_ANSWERS_STEP, PAYMENT_STEP)]
    if not getattr(flow, "result_handler", "") or CHECK_ANSWERS_STEP in total.steps:
        names.append(CHECK_ANSWERS_STEP)
    if getattr(flow, "fee_handler", "") or PAYMENT_STEP in total.steps:
        names.append(PAYMENT_STEP)
    names += sorted(name for name in total.steps if name not in names)
    steps = []
    for position, name in enumerate(names):
        figures = total.steps.get(name)
        step = StepMetrics(step=name, label=labels.get(name, name), position=position)
        if figures is not None:
            step.reached = figures.reached
            step.completed = figures.completed
            step.failed = figures.failed
            step.abandoned = figures.abandoned
            step.median_seconds = median_from_buckets(figures.buckets)
        steps.append(step)
    errors = [
        ErrorMetrics(
            step=step_name,
            field=field_name,
            error=error,
            count=count,
            label=question_labels.get(field_name, ""),
        )
        for (step_name, field_name, error), count in sorted(
            total.errors.items(), key=lambda item: (-item[1], item[0])
        )[:ERRORS_SHOWN]
    ]
    return FlowMetrics(
        flow=flow,
        start=start,
        end=end,
        **{name: getattr(total, name) for name in JOURNEY_COUNTS},
        steps=steps,
        errors=errors,
        satisfaction=_satisfaction([flow], start, end),
        by_source=dict(total.by_source),
        by_device=dict(total.by_device),
    )


def _costs(site: Site | None = None) -> dict[str, Any]:
    from wagtail.models import Site

    site = site or Site.objects.filter(is_default_site=True).first()
    costs = ChannelCosts.for_site(site) if site is not None else ChannelCosts()
    return {name: getattr(costs, name) for name in ("online", "phone", "face_to_face", "post")}


def service_kpis(
    service: ServicePage, start: datetime.date, end: datetime.date, site: Site | None = None
) -> ServiceKPIs:
    """The four KPIs for a service from `start` to `end`: its flows' journeys (completed =
    sent or ended at an end point), the other channels' volumes for every month the range
    touches (whole months: volumes are entered per month), and the unit costs of `site`
    (the default site when None)."""
    from django.db.models import Sum

    flows = list(FlowPage.objects.child_of(service))
    kpis = ServiceKPIs(service=service, start=start, end=end, costs=_costs(site))
    for flow in flows:
        total = _collect(flow, start, end, details=False)
        kpis.started += total.started
        kpis.digital_completions += total.submitted + total.end_points
    volumes = ChannelVolume.objects.filter(
        service=service, month__gte=start.replace(day=1), month__lte=end
    ).aggregate(phone=Sum("phone"), face_to_face=Sum("face_to_face"), post=Sum("post"))
    kpis.phone = volumes["phone"] or 0
    kpis.face_to_face = volumes["face_to_face"] or 0
    kpis.post = volumes["post"] or 0
    if flows:
        kpis.satisfaction = _satisfaction(flows, start, end)
    return kpis


def kpi_trend(service: ServicePage, months: int = 6, site: Site | None = None) -> list[ServiceKPIs]:
    """One ServiceKPIs per calendar month, oldest first, the current month last (its `end`
    is today: the month so far)."""
    from django.utils import timezone

    today = timezone.localdate()
    year, month = today.year, today.month
    firsts = []
    for _ in range(months):
        firsts.append(datetime.date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    trend = []
    for first in reversed(firsts):
        following = (first + datetime.timedelta(days=32)).replace(day=1)
        last = min(following - datetime.timedelta(days=1), today)
        trend.append(service_kpis(service, first, last, site=site))
    return trend
