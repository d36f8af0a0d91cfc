"""The drop-off report's figures as the page shows them: the funnel (as rows and as an SVG
chart), the headline figures, satisfaction, and where people came from and on what device, each
for this range beside the range it is compared with."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from forms.insights.metrics import FlowMetrics
from forms.insights.models import Satisfaction
from forms.insights.rollup import PAYMENT_STEP

from .formatting import count_change, duration, percent, period_label, rate_change


@dataclass
class FunnelRow:
    key: str  # "started", a page's name, "submitted", "end_points"
    label: str
    reached: int
    completed: int | None = None
    abandoned: int | None = None
    drop_off_rate: float | None = None
    failed: int | None = None
    median_seconds: float | None = None
    of_started: float | None = None  # share of the journeys started that reached this row
    of_previous: float | None = None  # share of the row before

    def display(self) -> dict[str, str]:
        def number(value: int | None) -> str:
            return "" if value is None else f"{value:,}"

        is_step = self.completed is not None
        return {
            "label": self.label,
            "reached": number(self.reached),
            "of_started": "" if self.of_started is None else percent(self.of_started),
            "of_previous": "" if self.of_previous is None else percent(self.of_previous),
            "completed": number(self.completed),
            "abandoned": number(self.abandoned),
            "drop_off_rate": percent(self.drop_off_rate) if is_step else "",
            "failed": number(self.failed),
            "median": duration(self.median_seconds) if is_step else "",
        }


def funnel(metrics: FlowMetrics, with_end_points: bool = False) -> list[FunnelRow]:
    rows = [FunnelRow("started", _("Started"), metrics.started)]
    for step in sorted(metrics.steps, key=lambda s: s.position):
        rows.append(
            FunnelRow(
                step.step,
                step.label or step.step,
                step.reached,
                step.completed,
                step.abandoned,
                step.drop_off_rate,
                step.failed,
                step.median_seconds,
            )
        )
    submitted = FunnelRow("submitted", _("Submitted"), metrics.submitted)
    payment = next((i for i, row in enumerate(rows) if row.key == PAYMENT_STEP), None)
    if payment is None:
        rows.append(submitted)
    else:
        # A paid flow saves the request before the payment page: each row is a stage people
        # reach after the one above it, so no share goes over 100%.
        rows.insert(payment, submitted)
        rows.append(FunnelRow("paid", _("Paid"), metrics.payment_succeeded))
    # End points are not a stage people go through: they are in a table of their own.
    for before, row in itertools.pairwise(rows):
        row.of_started = row.reached / metrics.started if metrics.started else None
        row.of_previous = row.reached / before.reached if before.reached else None
    return rows


class Period:
    """One of the two date ranges, its figures and what the page shows of them."""

    def __init__(self, name: str, metrics: FlowMetrics, with_end_points: bool) -> None:
        self.name = name
        self.metrics = metrics
        self.label = period_label(metrics.start, metrics.end)
        self.funnel = funnel(metrics, with_end_points)
        self.rows = [row.display() for row in self.funnel]
        labels = {step.step: step.label or step.step for step in metrics.steps}
        self.errors = [
            {
                "page": labels.get(error.step, error.step),
                "question": error.label or error.field,
                "error": error.message or error.error.replace("_", " "),
                "count": f"{error.count:,}",
            }
            for error in metrics.errors
        ]


def funnel_chart(current: Period, previous: Period) -> dict[str, Any]:
    """Bars for an inline SVG: sizes as SVG attributes (no inline CSS), one row per funnel row,
    this range's bar above the comparison's."""
    width, bar_space, label_height, row_height = 720, 560, 18, 62
    largest = max([row.reached for row in current.funnel + previous.funnel] + [1])
    rows = []
    for index, (now, before) in enumerate(zip(current.funnel, previous.funnel, strict=False)):
        top = index * row_height
        bars = []
        for offset, height, row, css in [
            (label_height + 4, 18, now, "current"),
            (label_height + 24, 12, before, "previous"),
        ]:
            bar_width = round(bar_space * row.reached / largest, 1)
            bars.append(
                {
                    "css": css,
                    "y": top + offset,
                    "height": height,
                    "width": bar_width,
                    "text_x": bar_width + 6,
                    "text_y": top + offset + height - 3,
                    "value": f"{row.reached:,}",
                }
            )
        rows.append({"label": now.label, "label_y": top + label_height - 4, "bars": bars})

    def summary(period: Period) -> str:
        parts = ", ".join(f"{row.label} {row.reached:,}" for row in period.funnel)
        return _("%(period)s: %(parts)s") % {"period": period.label, "parts": parts}

    return {
        "width": width,
        "height": max(len(rows), 1) * row_height,
        "rows": rows,
        "title": _("People reaching each stage of the flow"),
        "description": ". ".join([summary(current), _("Compared with ") + summary(previous)]),
    }


def headline(current: FlowMetrics, previous: FlowMetrics) -> list[dict[str, str]]:
    def counts(label: str, attribute: str) -> dict[str, str]:
        now, before = getattr(current, attribute), getattr(previous, attribute)
        return {
            "key": attribute,
            "label": label,
            "current": f"{now:,}",
            "previous": f"{before:,}",
            "change": count_change(now, before),
        }

    def rates(label: str, key: str, now: float | None, before: float | None) -> dict[str, str]:
        return {
            "key": key,
            "label": label,
            "current": percent(now),
            "previous": percent(before),
            "change": rate_change(now, before),
        }

    return [
        counts(_("Started"), "started"),
        counts(_("Completed (sent, or an answer given at an end point)"), "completed"),
        counts(_("Stopped at an end point"), "end_points"),
        rates(
            _("Completion rate"),
            "completion_rate",
            current.completion_rate,
            previous.completion_rate,
        ),
        counts(_("Abandoned"), "abandoned"),
        counts(_("Payments started"), "payment_started"),
        rates(
            _("Payment abandonment"),
            "payment_abandonment",
            current.payment_abandonment,
            previous.payment_abandonment,
        ),
        rates(
            _("User satisfaction (satisfied or very satisfied)"),
            "satisfaction",
            current.satisfaction.score,
            previous.satisfaction.score,
        ),
        {
            "key": "satisfaction_responses",
            "label": _("Satisfaction answers"),
            "current": f"{current.satisfaction.responses:,}",
            "previous": f"{previous.satisfaction.responses:,}",
            "change": count_change(current.satisfaction.responses, previous.satisfaction.responses),
        },
    ]


def satisfaction_rows(current: FlowMetrics, previous: FlowMetrics) -> list[dict[str, str]]:
    def cell(summary: Any, rating: int) -> str:
        number = summary.by_rating.get(rating, 0)
        if not summary.responses:
            return f"{number:,}"
        return f"{number:,} ({percent(number / summary.responses)})"

    return [
        {
            "label": str(rating.label),
            "current": cell(current.satisfaction, rating.value),
            "previous": cell(previous.satisfaction, rating.value),
        }
        for rating in Satisfaction  # 5 (very satisfied) first
    ]


def breakdown(current: dict[str, int], previous: dict[str, int], choices: Any) -> list[dict]:
    labels = dict(choices.choices)
    keys = [key for key in labels if key in current or key in previous]
    keys += sorted((set(current) | set(previous)) - set(keys))
    total_now, total_before = sum(current.values()), sum(previous.values())

    def cell(values: dict[str, int], key: str, total: int) -> str:
        number = values.get(key, 0)
        return f"{number:,} ({percent(number / total)})" if total else f"{number:,}"

    return [
        {
            "label": str(labels.get(key, key)),
            "current": cell(current, key, total_now),
            "previous": cell(previous, key, total_before),
        }
        for key in keys
    ]


def end_point_rows(flow: Any, current: FlowMetrics, previous: FlowMetrics) -> list[dict[str, str]]:
    """Each end point reached in either range, by its heading, with whether it counts as a
    success (an answer given) and how many journeys stopped there."""
    from forms.flows.constants import CHECK_ANSWERS_STEP
    from forms.insights.outcomes import successful_end_points

    headings = {
        step.value["name"]: str(step.value.get("heading") or step.value["name"])
        for step in flow.steps
        if step.block_type == "end_point"
    }
    headings[CHECK_ANSWERS_STEP] = _("The answer (look-up result)")
    success = successful_end_points(flow)
    names = [
        name for name in headings if name in current.by_end_point or name in previous.by_end_point
    ]
    names += sorted((set(current.by_end_point) | set(previous.by_end_point)) - set(names))
    return [
        {
            "name": name,
            "label": headings.get(name, name),
            "outcome": _("Answer given (success)")
            if name in success
            else _("Can't use this service (not a success)"),
            "current": f"{current.by_end_point.get(name, 0):,}",
            "previous": f"{previous.by_end_point.get(name, 0):,}",
        }
        for name in names
    ]
