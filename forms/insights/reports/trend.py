"""The drop-off report's trend: the chosen range week by week (weeks start on Monday), with the
journeys started, the journeys completed and the completion rate, as a table and as an SVG line.

The figures are the report's own (`forms.insights.metrics.flow_metrics`): the same language
copies and device, completion as the report counts it (sent, or stopped at an end point marked
as a success), the roll-ups (FlowDay) for the days rolled up and the raw events, through
`rollup.day_figures`, for the others (today, and every day when a device is chosen, since the
roll-ups are not split by device). But it is read for every copy at once and summed by the
database: one query groups the roll-ups by flow and week, and one more reads the events of each
run of days not rolled up (usually only today).
"""

from __future__ import annotations

import datetime
import functools
import operator
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db.models import Case, Count, IntegerField, Max, Min, Sum, Value, When
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast, Coalesce, TruncWeek
from django.utils import dateformat, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.dates import day_month_year
from forms.flows.models import FlowPage
from forms.insights.models import FlowDay
from forms.insights.outcomes import successful_end_points
from forms.insights.rollup import day_figures

from .formatting import day, percent, period_label

# A week with fewer journeys started than this shows no rate: a few journeys make one swing
# from 0% to 100%, which reads as a trend when it is chance.
MIN_STARTED = 10
# A range of years would be thousands of rows: the trend shows its last two years of weeks.
MAX_WEEKS = 104

ONE_DAY = datetime.timedelta(days=1)


@dataclass
class Week:
    """The journeys that started in one week (Monday to Sunday), or in the part of it that is
    in the range (`first` to `last`)."""

    monday: datetime.date
    first: datetime.date
    last: datetime.date
    started: int = 0
    submitted: int = 0
    successful_end_points: int = 0

    @property
    def completed(self) -> int:
        """Sent, or stopped at an end point marked as a success (as the report counts it)."""
        return self.submitted + self.successful_end_points

    @property
    def enough(self) -> bool:
        return self.started >= MIN_STARTED

    @property
    def completion_rate(self) -> float | None:
        """Completed / started, or None when too few journeys started to say."""
        return self.completed / self.started if self.enough else None


@dataclass
class Trend:
    weeks: list[Week]
    start: datetime.date  # the first day counted (after MAX_WEEKS and today have cut the range)
    end: datetime.date
    cut: bool = False  # True when the range was longer than MAX_WEEKS weeks


def monday(value: datetime.date) -> datetime.date:
    return value - datetime.timedelta(days=value.weekday())


def _days(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    return [first + n * ONE_DAY for n in range((last - first).days + 1)]


def _runs(days: set[datetime.date]) -> list[tuple[datetime.date, datetime.date]]:
    runs: list[tuple[datetime.date, datetime.date]] = []
    for each in sorted(days):
        if runs and runs[-1][1] + ONE_DAY == each:
            runs[-1] = (runs[-1][0], each)
        else:
            runs.append((each, each))
    return runs


def _successful(success: dict[int, set[str]]) -> Any:
    """The database's sum of a FlowDay's journeys at the end points counted as completed
    (`by_end_point` holds {end point name: journeys}), each copy by its own end points."""
    whens = []
    for flow_id, names in success.items():
        if not names:
            continue
        counts = [
            Coalesce(Cast(KeyTextTransform(name, "by_end_point"), IntegerField()), Value(0))
            for name in sorted(names)
        ]
        whens.append(When(flow_id=flow_id, then=functools.reduce(operator.add, counts)))
    if not whens:
        return None
    return Sum(Case(*whens, default=Value(0), output_field=IntegerField()))


def weekly_trend(
    copies: list[FlowPage],
    start: datetime.date,
    end: datetime.date,
    device: str = "",
) -> Trend:
    """The journeys of `copies` (a flow's language copies, as the report counts them) that
    started from `start` to `end`, week by week; on `device` only, when given. Days after today
    are left out; so are the weeks before the last MAX_WEEKS."""
    end = min(end, timezone.localdate())
    if end < start:
        return Trend(weeks=[], start=start, end=end)
    cut = False
    earliest = monday(end) - (MAX_WEEKS - 1) * 7 * ONE_DAY
    if start < earliest:
        start, cut = earliest, True
    weeks: dict[datetime.date, Week] = {}
    for week_start in _days(monday(start), monday(end))[::7]:
        first = max(week_start, start)
        weeks[week_start] = Week(week_start, first, min(week_start + 6 * ONE_DAY, end))

    by_pk = {flow.pk: flow for flow in copies}
    success = {pk: successful_end_points(flow) for pk, flow in by_pk.items()}
    rolled: dict[int, set[datetime.date]] = defaultdict(set)
    if by_pk and not device:  # the roll-ups are not split by device
        rolled = _add_rolled(weeks, list(by_pk), start, end, success)

    # The days not rolled up, from the events, as the report reads them (`rollup.day_figures`).
    every_day = set(_days(start, end))
    missing = {pk: every_day - rolled[pk] for pk in by_pk}
    for first, last in _runs(set().union(*missing.values())):
        wanted = [pk for pk, days in missing.items() if any(first <= d <= last for d in days)]
        figures = day_figures(first, last, flow_ids=wanted, device=device)
        for (flow_id, each), figure in figures.items():
            if each not in missing.get(flow_id, ()):
                continue
            week = weeks[monday(each)]
            week.started += figure.started
            week.submitted += figure.submitted
            week.successful_end_points += sum(
                n for name, n in figure.by_end_point.items() if name in success[flow_id]
            )
    return Trend(weeks=list(weeks.values()), start=start, end=end, cut=cut)


def _add_rolled(
    weeks: dict[datetime.date, Week],
    flow_ids: list[int],
    start: datetime.date,
    end: datetime.date,
    success: dict[int, set[str]],
) -> dict[int, set[datetime.date]]:
    """Adds the roll-ups' figures to `weeks`, summed by the database by flow and week, and
    returns the days rolled up for each flow (so the others are read from the events)."""
    sums: dict[str, Any] = {
        "n_started": Sum("started"),
        "n_submitted": Sum("submitted"),
        "n_days": Count("pk"),
        "first_day": Min("day"),
        "last_day": Max("day"),
    }
    successful = _successful(success)
    if successful is not None:
        sums["n_successful"] = successful
    rows = (
        FlowDay.objects.filter(flow_id__in=flow_ids, day__gte=start, day__lte=end)
        .annotate(week=TruncWeek("day"))
        .values("flow_id", "week")
        .annotate(**sums)
        .order_by()
    )
    rolled: dict[int, set[datetime.date]] = defaultdict(set)
    gaps: set[tuple[int, datetime.date]] = set()
    for row in rows:
        week = weeks[row["week"]]
        week.started += row["n_started"] or 0
        week.submitted += row["n_submitted"] or 0
        week.successful_end_points += row.get("n_successful") or 0
        first, last = row["first_day"], row["last_day"]
        if row["n_days"] == (last - first).days + 1:  # one run of days (FlowDay: one a day)
            rolled[row["flow_id"]].update(_days(first, last))
        else:  # a day missing in the middle of the week: which, the rows say
            gaps.add((row["flow_id"], row["week"]))
    if gaps:
        days = FlowDay.objects.filter(flow_id__in={flow_id for flow_id, _week in gaps})
        days = days.filter(day__gte=min(week for _flow_id, week in gaps), day__lte=end)
        for flow_id, each in days.values_list("flow_id", "day"):
            if (flow_id, monday(each)) in gaps and start <= each:
                rolled[flow_id].add(each)
    return rolled


# what the page shows


def _in_words(value: datetime.date) -> str:
    return day_month_year(value)


def trend_rows(trend: Trend) -> list[dict[str, Any]]:
    return [
        {
            "monday": week.monday.isoformat(),
            "label": day(week.monday),
            "dates": period_label(week.first, week.last),
            "started": f"{week.started:,}",
            "completed": f"{week.completed:,}",
            "completion_rate": percent(week.completion_rate)
            if week.enough
            else _("Not enough data"),
            "enough": week.enough,
        }
        for week in trend.weeks
    ]


def trend_description(trend: Trend) -> str:
    """The trend in words, for the chart's <desc>: from the first week with a rate to the last,
    the highest and lowest, and the weeks left out."""
    known = [week for week in trend.weeks if week.completion_rate is not None]
    left_out = [week for week in trend.weeks if week.completion_rate is None]
    sentences = []
    if not known:
        sentences.append(
            _("No week had enough journeys started (%(n)s or more) to give a completion rate.")
            % {"n": MIN_STARTED}
        )
    elif len(known) == 1:
        sentences.append(
            _(
                "Completion rate was %(rate)s in the week of %(week)s, the only week with "
                "enough data."
            )
            % {"rate": percent(known[0].completion_rate), "week": _in_words(known[0].monday)}
        )
    else:
        first, last = known[0], known[-1]
        sentences.append(
            _(
                "Completion rate went from %(first_rate)s in the week of %(first)s "
                "to %(last_rate)s in the week of %(last)s."
            )
            % {
                "first_rate": percent(first.completion_rate),
                "first": _in_words(first.monday),
                "last_rate": percent(last.completion_rate),
                "last": _in_words(last.monday),
            }
        )
        if len(known) > 2:
            high = max(known, key=lambda week: week.completion_rate or 0)
            low = min(known, key=lambda week: week.completion_rate or 0)
            if high.completion_rate != low.completion_rate:
                sentences.append(
                    _(
                        "It was highest, %(high_rate)s, in the week of %(high)s and lowest, "
                        "%(low_rate)s, in the week of %(low)s."
                    )
                    % {
                        "high_rate": percent(high.completion_rate),
                        "high": _in_words(high.monday),
                        "low_rate": percent(low.completion_rate),
                        "low": _in_words(low.monday),
                    }
                )
    if known and left_out:
        weeks = ", ".join(_in_words(week.monday) for week in left_out[:5])
        if len(left_out) > 5:
            weeks += ", …"
        sentences.append(
            ngettext(
                "%(count)s week had fewer than %(n)s journeys started and is not drawn "
                "(the week of %(weeks)s).",
                "%(count)s weeks had fewer than %(n)s journeys started and are not drawn "
                "(the weeks of %(weeks)s).",
                len(left_out),
            )
            % {"count": len(left_out), "n": MIN_STARTED, "weeks": weeks}
        )
    return " ".join(sentences)


def trend_chart(trend: Trend) -> dict[str, Any]:
    """The completion rate week by week as a line for an inline SVG, sizes as SVG attributes
    (no inline CSS) as the funnel's: 0% to 100% up the side, a point a week, and a gap (no
    point, the line broken) for a week with too few journeys to give a rate."""
    width, height = 720, 240
    left, right, top, bottom = 48, 28, 12, 36
    plot_width, plot_height = width - left - right, height - top - bottom
    count = len(trend.weeks)
    step = plot_width / (count - 1) if count > 1 else 0

    def x_at(index: int) -> float:
        return round(left + (index * step if count > 1 else plot_width / 2), 1)

    def y_at(rate: float) -> float:
        return round(top + plot_height * (1 - min(max(rate, 0.0), 1.0)), 1)

    grid = [
        {"y": y_at(share), "label": percent(share), "label_y": y_at(share) + 4}
        for share in (0.0, 0.25, 0.5, 0.75, 1.0)
    ]
    every = max(1, -(-count // 8))  # at most about 8 dates along the bottom
    labels = [
        {"x": x_at(index), "text": dateformat.format(week.monday, "j M")}
        for index, week in enumerate(trend.weeks)
        if index % every == 0
    ]
    lines: list[str] = []
    points = []
    run: list[str] = []
    for index, week in enumerate(trend.weeks):
        rate = week.completion_rate
        if rate is None:
            if len(run) > 1:
                lines.append(" ".join(run))
            run = []
            continue
        x, y = x_at(index), y_at(rate)
        run.append(f"{x},{y}")
        points.append({"x": x, "y": y})
    if len(run) > 1:
        lines.append(" ".join(run))
    return {
        "width": width,
        "height": height,
        "left": left,
        "axis_x": left - 6,
        "right": width - right,
        "label_y": height - bottom + 20,
        "grid": grid,
        "labels": labels,
        "lines": lines,
        "points": points,
        "title": _("Completion rate by week"),
        "description": trend_description(trend),
    }


def trend_context(trend: Trend) -> dict[str, Any]:
    note = ""
    if trend.cut:
        note = _("The range is longer than %(n)s weeks: the trend shows its last %(n)s.") % {
            "n": MAX_WEEKS
        }
    return {
        "rows": trend_rows(trend),
        "chart": trend_chart(trend) if trend.weeks else None,
        "label": period_label(trend.start, trend.end) if trend.weeks else "",
        "min_started": MIN_STARTED,
        "note": note,
    }
