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
from forms.insights.outcomes import Completion, consecutive_runs, successful_end_points
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
    message: str = ""  # the message residents read, in English, when it can be worked out


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
class FlowMetrics(Completion):
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
    by_end_point: dict[str, int] = field(default_factory=dict)  # end point name -> journeys
    successful_end_points: int = 0  # of end_points, those marked "answer given (success)"

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


def _collect(
    flow: FlowPage,
    start: datetime.date,
    end: datetime.date,
    details: bool = True,
    device: str = "",
) -> DayFigures:
    """One flow's figures from `start` to `end`, merged: roll-ups where there are, live
    figures for the other days (today included, the future left out). The journeys on one
    `device` only, when given, are all read from the events (the roll-ups do not split them)."""
    from django.db.models import Sum
    from django.utils import timezone

    total = DayFigures(flow_id=flow.pk)
    end = min(end, timezone.localdate())
    if end < start:
        return total
    rolled = FlowDay.objects.filter(flow=flow, day__gte=start, day__lte=end)
    if device:
        rolled = rolled.none()
    rolled_days = set()
    for row in rolled.only("day", "by_source", "by_device", "by_end_point", *JOURNEY_COUNTS):
        rolled_days.add(row.day)
        for name in JOURNEY_COUNTS:
            setattr(total, name, getattr(total, name) + getattr(row, name))
        total.by_source.update(row.by_source)
        total.by_device.update(row.by_device)
        total.by_end_point.update(row.by_end_point)
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
    for first, last in consecutive_runs(missing):
        for figures in day_figures(first, last, flow_ids=[flow.pk], device=device).values():
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


def _error_messages(flow: FlowPage) -> dict[tuple[str, str], str]:
    """(question name, error code) -> the message residents read, in English, for every code
    the flow's question fields know; the tracking records the field and the code only."""
    from django.utils import translation

    from forms.flows.questions import build_step_form

    messages: dict[tuple[str, str], str] = {}
    with translation.override("en-gb"):
        for step in flow.steps:
            if step.block_type != "question_page":
                continue
            try:
                form = build_step_form(list(step.value["questions"]), name=step.value["name"])()
            except Exception:  # a draft that no longer builds: the codes are shown instead
                continue
            for name, form_field in form.fields.items():
                fields = [form_field, *getattr(form_field, "fields", ())]
                for each in fields:
                    for code, message in each.error_messages.items():
                        messages.setdefault((name, code), str(message))
    return messages


def error_message(messages: dict[tuple[str, str], str], field_name: str, error: str) -> str:
    """The message for a recorded error: the text itself when the runtime recorded the message
    (it has spaces), else the question's message for the code, else the code in words."""
    if " " in error.strip():
        return error.strip()
    found = messages.get((field_name, error))
    if found and "%(" not in found:
        return found
    return error.replace("_", " ")


def flow_metrics(
    flow: FlowPage,
    start: datetime.date,
    end: datetime.date,
    copies: list[FlowPage] | None = None,
    device: str = "",
) -> FlowMetrics:
    """The flow's figures for the journeys that started from `start` to `end` (inclusive),
    counting the journeys of `copies` (its language copies, itself included) when given; the
    pages are named as in `flow`; only the journeys on `device` when given.

    Steps: the flow's question pages in their order (all of them, reached or not), then
    "Check your answers" (unless the flow is a look-up with nothing to check) and "Payment"
    (when the flow takes a fee), then any page with figures that is no longer in the flow.
    End points are not steps: a journey that reaches one is counted in `end_points`.
    """
    total = DayFigures(flow_id=flow.pk)
    successful = 0
    for copy in copies or [flow]:
        collected = _collect(copy, start, end, device=device)
        success = successful_end_points(copy)
        successful += sum(n for name, n in collected.by_end_point.items() if name in success)
        total.add(collected)
    labels, question_labels = _step_labels(flow)
    names = [name for name in labels if name not in (CHECK_ANSWERS_STEP, PAYMENT_STEP)]
    if not getattr(flow, "result_handler", "") or CHECK_ANSWERS_STEP in total.steps:
        names.append(CHECK_ANSWERS_STEP)
    if flow.has_fee or PAYMENT_STEP in total.steps:
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
    messages = _error_messages(flow)
    errors = [
        ErrorMetrics(
            step=step_name,
            field=field_name,
            error=error,
            count=count,
            label=question_labels.get(field_name, ""),
            message=error_message(messages, field_name, error),
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
        satisfaction=_satisfaction(copies or [flow], start, end),
        by_source=dict(total.by_source),
        by_device=dict(total.by_device),
        by_end_point=dict(total.by_end_point),
        successful_end_points=successful,
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
    sent, or ended at an end point marked as a success), the other channels' volumes for
    every month the range touches (whole months: volumes are entered per month), and the
    unit costs of `site` (the default site when None)."""
    from django.db.models import Sum

    flows = list(FlowPage.objects.child_of(service))
    kpis = ServiceKPIs(service=service, start=start, end=end, costs=_costs(site))
    for flow in flows:
        total = _collect(flow, start, end, details=False)
        success = successful_end_points(flow)
        kpis.started += total.started
        kpis.digital_completions += total.submitted + sum(
            n for name, n in total.by_end_point.items() if name in success
        )
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


def grouped_service_kpis(
    groups: list[dict[str, Any]],
    start: datetime.date,
    end: datetime.date,
    language: str = "",
    months: int = 6,
) -> list[tuple[ServiceKPIs, list[ServiceKPIs]]]:
    """`service_kpis` and `kpi_trend` for many services at once, in a few grouped queries
    whatever their number: (KPIs from `start` to `end`, one per month of the last `months`)
    for each group. A group is one service in all its languages: {"service": the English
    page, "copies": every language copy, "flows": the flows under any of them}; only the
    flows in `language` are counted when it is given. The figures are those the two
    functions give, summed over the copies."""
    from django.utils import timezone

    from forms.insights.outcomes import (
        CostsBySite,
        daily_outcomes,
        merged_satisfaction,
        satisfaction_by_flow,
        total,
    )

    today = timezone.localdate()
    firsts = []
    year, month = today.year, today.month
    for _ in range(months):
        firsts.append(datetime.date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    firsts.reverse()
    ranges = [(start, end)]
    for first in firsts:
        following = (first + datetime.timedelta(days=32)).replace(day=1)
        ranges.append((first, min(following - datetime.timedelta(days=1), today)))
    counted = [
        [f for f in group["flows"] if not language or f.locale.language_code == language]
        for group in groups
    ]
    flows = [flow for copies in counted for flow in copies]
    # The roll-ups and live days are read once for the trend's months, and once more only for
    # the days of the range asked for that the trend does not cover.
    in_trend = daily_outcomes(flows, firsts[0], today)
    in_range = in_trend
    if start < firsts[0]:
        in_range = {
            **daily_outcomes(flows, start, min(end, firsts[0] - datetime.timedelta(days=1))),
            **in_trend,
        }
    satisfaction = [satisfaction_by_flow(flows, first, last) for first, last in ranges]
    services = [service.pk for group in groups for service in group["copies"]]
    volumes = list(
        ChannelVolume.objects.filter(
            service_id__in=services,
            month__gte=min(start, firsts[0]).replace(day=1),
            month__lte=max(end, today),
        ).values_list("service_id", "month", "phone", "face_to_face", "post")
    )
    costs = CostsBySite()
    result = []
    for group, copies in zip(groups, counted, strict=True):
        flow_ids = [flow.pk for flow in copies]
        services_here = {service.pk for service in group["copies"]}
        unit_costs = costs.for_service(group["service"])
        figures = []
        for index, (first, last) in enumerate(ranges):
            outcome = total(in_range if index == 0 else in_trend, flow_ids, first, last)
            kpis = ServiceKPIs(
                service=group["service"],
                start=first,
                end=last,
                started=outcome.started,
                digital_completions=outcome.completed,
                costs=unit_costs,
            )
            for service_id, month_first, phone, face_to_face, post in volumes:
                if service_id in services_here and first.replace(day=1) <= month_first <= last:
                    kpis.phone += phone
                    kpis.face_to_face += face_to_face
                    kpis.post += post
            if flow_ids:
                kpis.satisfaction = merged_satisfaction(satisfaction[index], flow_ids)
            figures.append(kpis)
        result.append((figures[0], figures[1:]))
    return result
