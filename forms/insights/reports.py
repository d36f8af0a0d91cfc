"""The drop-off report and the service KPI dashboard in the Wagtail admin.

- /admin/reports/flows/: the flows this user may see, with the last 30 days' figures;
- /admin/reports/flows/<id>/: one flow over two date ranges side by side (the funnel as an SVG
  chart and as tables, drop-off and median time per page, the validation errors that stop people,
  payment abandonment, satisfaction, source and device), with a CSV/XLSX of the page table;
- /admin/reports/service-kpis/: the four GOV.UK KPIs per service with a six-month trend.

The figures come from `forms.insights.metrics`; this module only chooses, formats and draws.
A user sees the flows the inbox lets them see (a service team sees the flows it may edit)."""

from __future__ import annotations

import calendar
import contextlib
import datetime
import decimal
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import NoReverseMatch, reverse
from django.utils import dateformat, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.views.mixins import SpreadsheetExportMixin

from core.spreadsheets import SafeSpreadsheetExportMixin
from forms.flows.models import FlowPage
from forms.flows.permissions import editable_flow_ids
from forms.insights.metrics import FlowMetrics, flow_metrics, kpi_trend, service_kpis
from forms.insights.models import FlowEvent, Satisfaction

NO_DATA = gettext_lazy("No data")
# Dates outside these are typing mistakes (and would overflow working out a comparison range).
EARLIEST, LATEST = datetime.date(2000, 1, 1), datetime.date(2100, 12, 31)
REPORT_DAYS = 30


# who sees what: the inbox rule


def visible_flows(user: Any) -> QuerySet:
    """The flows whose figures this user may see: superusers all, staff with admin access the
    flows they may edit (the inbox's service-team rule), anyone else none."""
    flows = FlowPage.objects.all()
    if not user.is_active:
        return flows.none()
    if user.is_superuser:
        return flows
    if not user.has_perm("wagtailadmin.access_admin"):
        return flows.none()
    return flows.filter(pk__in=editable_flow_ids(user))


def can_see_flow_reports(user: Any) -> bool:
    return visible_flows(user).exists()


# formatting: what the web team reads


def _half_up(value: float | decimal.Decimal, places: str = "1") -> decimal.Decimal:
    return decimal.Decimal(str(value)).quantize(decimal.Decimal(places), decimal.ROUND_HALF_UP)


def percent(value: float | None) -> str:
    """0.62 -> '62%'; None -> 'No data'."""
    return str(NO_DATA) if value is None else f"{_half_up(value * 100)}%"


def pounds(value: Any) -> str:
    """Decimal('1.234') -> '£1.23'; None -> 'No data'."""
    return str(NO_DATA) if value is None else f"£{_half_up(value, '0.01'):,}"


def duration(seconds: float | None) -> str:
    if seconds is None:
        return str(NO_DATA)
    minutes, rest = divmod(int(_half_up(seconds)), 60)
    if not minutes:
        return _("%(s)d sec") % {"s": rest}
    return _("%(m)d min %(s)d sec") % {"m": minutes, "s": rest}


def count_change(now: int, before: int) -> str:
    difference = now - before
    return f"+{difference:,}" if difference > 0 else f"-{-difference:,}" if difference else "0"


def rate_change(now: float | None, before: float | None) -> str:
    """Percentage points between two rates, '+4 pts'."""
    if now is None or before is None:
        return ""
    points = _half_up((now - before) * 100)
    if points > 0:
        return _("+%(n)s pts") % {"n": points}
    return _("-%(n)s pts") % {"n": -points} if points else _("0 pts")


def day(value: datetime.date) -> str:
    return dateformat.format(value, "j M Y")


def period_label(start: datetime.date, end: datetime.date) -> str:
    return _("%(start)s to %(end)s") % {"start": day(start), "end": day(end)}


# the drop-off report's two date ranges


def last_days(today: datetime.date, days: int = REPORT_DAYS) -> tuple[datetime.date, datetime.date]:
    return today - datetime.timedelta(days=days - 1), today


class DateRangesForm(forms.Form):
    """From and to, and the range to compare with (the same length just before, unless given)."""

    FIELDS = [
        ("from", gettext_lazy("From"), True),
        ("to", gettext_lazy("To"), True),
        ("compare_from", gettext_lazy("Compare with: from"), False),
        ("compare_to", gettext_lazy("Compare with: to"), False),
    ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, label, required in self.FIELDS:  # "from" cannot be a class attribute
            self.fields[name] = forms.DateField(
                label=label,
                required=required,
                help_text=_("For example, 2025-03-27") if name == "from" else "",
                widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                error_messages={
                    "required": _("Enter a date"),
                    "invalid": _("Enter a real date, such as 2025-03-27"),
                },
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        for name, _label, _required in self.FIELDS:
            value = data.get(name)
            if value and not EARLIEST <= value <= LATEST:
                self.add_error(name, _("Enter a date between 2000 and 2100"))
                data.pop(name, None)
        start, end = data.get("from"), data.get("to")
        if start and end and end < start:
            self.add_error("to", _("The end date must be the same as or after the start date"))
        compare_from, compare_to = data.get("compare_from"), data.get("compare_to")
        if compare_from and compare_to and compare_to < compare_from:
            self.add_error(
                "compare_to", _("The end date must be the same as or after the start date")
            )
        elif not self.errors and bool(compare_from) != bool(compare_to):
            missing = "compare_to" if compare_from else "compare_from"
            self.add_error(missing, _("Enter both dates to compare with, or neither"))
        if not self.errors and not compare_from and start and end:
            length = end - start + datetime.timedelta(days=1)
            data["compare_from"] = start - length
            data["compare_to"] = start - datetime.timedelta(days=1)
        return data


def date_ranges_form(request: HttpRequest) -> DateRangesForm:
    names = [name for name, _label, _required in DateRangesForm.FIELDS]
    if any(name in request.GET for name in names):
        return DateRangesForm({name: request.GET.get(name, "") for name in names})
    start, end = last_days(timezone.localdate())
    return DateRangesForm({"from": start.isoformat(), "to": end.isoformat()})


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

    def display(self) -> dict[str, str]:
        def number(value: int | None) -> str:
            return "" if value is None else f"{value:,}"

        is_step = self.completed is not None
        return {
            "label": self.label,
            "reached": number(self.reached),
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
    rows.append(FunnelRow("submitted", _("Submitted"), metrics.submitted))
    if with_end_points:
        rows.append(FunnelRow("end_points", _("Stopped at an end point"), metrics.end_points))
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
                "error": error.error.replace("_", " "),
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
        counts(_("Completed (sent, or stopped at an end point)"), "completed"),
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


class FlowDropOffIndexView(WagtailAdminTemplateMixin, TemplateView):
    """Every flow the user may see, with the last 30 days' starts and completion rate."""

    template_name = "insights/dropoff_index.html"
    page_title = gettext_lazy("Flow drop-off")
    header_icon = "table"

    def get_breadcrumbs_items(self) -> list[dict[str, Any]]:
        return [*self.breadcrumbs_items, {"url": "", "label": self.page_title}]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        flows = list(visible_flows(self.request.user).specific())
        if not flows:
            raise PermissionDenied
        start, end = last_days(timezone.localdate())
        rows = []
        for flow in flows:
            metrics = flow_metrics(flow, start, end)
            rows.append(
                {
                    "service": flow.service.title,
                    "flow": flow.title,
                    "live": flow.live,
                    "url": reverse("flow_dropoff", args=[flow.pk]),
                    "started": f"{metrics.started:,}",
                    "completion_rate": percent(metrics.completion_rate),
                }
            )
        rows.sort(key=lambda row: (row["service"].lower(), row["flow"].lower()))
        context.update(rows=rows, period=period_label(start, end))
        return context


class FlowDropOffView(
    SafeSpreadsheetExportMixin, SpreadsheetExportMixin, WagtailAdminTemplateMixin, TemplateView
):
    """One flow over two date ranges side by side; `?export=csv` downloads the page table."""

    template_name = "insights/dropoff.html"
    header_icon = "table"
    list_export = [
        "period",
        "from",
        "to",
        "position",
        "page",
        "label",
        "reached",
        "completed",
        "abandoned",
        "drop_off_rate",
        "failed",
        "median_seconds",
    ]
    export_headings = {
        "period": gettext_lazy("Range"),
        "from": gettext_lazy("From"),
        "to": gettext_lazy("To"),
        "position": gettext_lazy("Position"),
        "page": gettext_lazy("Page"),
        "label": gettext_lazy("Label"),
        "reached": gettext_lazy("Reached"),
        "completed": gettext_lazy("Completed"),
        "abandoned": gettext_lazy("Dropped off here"),
        "drop_off_rate": gettext_lazy("Drop-off rate (%)"),
        "failed": gettext_lazy("Failed validation"),
        "median_seconds": gettext_lazy("Median time (seconds)"),
    }

    def get(self, request: HttpRequest, flow_id: int) -> HttpResponse:
        try:
            self.flow = visible_flows(request.user).get(pk=flow_id).specific
        except FlowPage.DoesNotExist:
            raise Http404 from None
        self.form = date_ranges_form(request)
        self.current = self.previous = None
        if self.form.is_valid():
            data = self.form.cleaned_data
            current = flow_metrics(self.flow, data["from"], data["to"])
            previous = flow_metrics(self.flow, data["compare_from"], data["compare_to"])
            end_points = bool(current.end_points or previous.end_points)
            self.current = Period("current", current, end_points)
            self.previous = Period("previous", previous, end_points)
            if self.is_export:
                return self.as_spreadsheet(self.export_rows(), request.GET["export"])
        return self.render_to_response(self.get_context_data())

    def get_page_title(self) -> str:
        return _("Drop-off: %(service)s") % {"service": self.flow.service.title}

    def get_page_subtitle(self) -> str:
        return self.flow.title

    def get_breadcrumbs_items(self) -> list[dict[str, Any]]:
        return [
            *self.breadcrumbs_items,
            {"url": reverse("flow_dropoff_index"), "label": _("Flow drop-off")},
            {"url": "", "label": self.flow.title},
        ]

    def export_rows(self) -> list[OrderedDict]:
        rows = []
        for name, period in [(_("This range"), self.current), (_("Compared with"), self.previous)]:
            for position, row in enumerate(period.funnel):
                rate = row.drop_off_rate
                rows.append(
                    OrderedDict(
                        period=name,
                        **{"from": period.metrics.start, "to": period.metrics.end},
                        position=position,
                        page=row.key,
                        label=row.label,
                        reached=row.reached,
                        completed="" if row.completed is None else row.completed,
                        abandoned="" if row.abandoned is None else row.abandoned,
                        drop_off_rate="" if rate is None else float(_half_up(rate * 100, "0.1")),
                        failed="" if row.failed is None else row.failed,
                        median_seconds=""
                        if row.median_seconds is None
                        else int(_half_up(row.median_seconds)),
                    )
                )
        return rows

    def to_row_dict(self, item: OrderedDict) -> OrderedDict:
        return item

    def get_filename(self) -> str:
        return f"drop-off-{self.flow.slug}-{self.current.metrics.start:%Y-%m-%d}"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(flow=self.flow, form=self.form, current=self.current)
        context["previous"] = self.previous
        if self.current:
            now, before = self.current.metrics, self.previous.metrics
            dates = {name: value.isoformat() for name, value in self.form.cleaned_data.items()}
            context.update(
                headline=headline(now, before),
                satisfaction=satisfaction_rows(now, before),
                chart=funnel_chart(self.current, self.previous),
                periods=[self.current, self.previous],
                breakdowns=[
                    (
                        _("Came from"),
                        breakdown(now.by_source, before.by_source, FlowEvent.Source),
                        "sources",
                    ),
                    (
                        _("Device"),
                        breakdown(now.by_device, before.by_device, FlowEvent.Device),
                        "devices",
                    ),
                ],
                csv_url=f"?{urlencode({**dates, 'export': 'csv'})}",
            )
        return context


# the service KPI dashboard


def month_start(value: datetime.date, months_back: int = 0) -> datetime.date:
    index = value.year * 12 + value.month - 1 - months_back
    return datetime.date(index // 12, index % 12 + 1, 1)


def month_end(value: datetime.date) -> datetime.date:
    return value.replace(day=calendar.monthrange(value.year, value.month)[1])


class MonthRangeForm(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, label in [("from", _("From month")), ("to", _("To month"))]:
            self.fields[name] = forms.DateField(
                label=label,
                input_formats=["%Y-%m"],
                help_text=_("For example, 2025-03") if name == "from" else "",
                widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
                error_messages={
                    "required": _("Enter a month"),
                    "invalid": _("Enter a real month, such as 2025-03"),
                },
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        for name in ["from", "to"]:
            if data.get(name) and not EARLIEST <= data[name] <= LATEST:
                self.add_error(name, _("Enter a month between 2000 and 2100"))
        if not self.errors and data["to"] < data["from"]:
            self.add_error("to", _("The last month must be the same as or after the first"))
        return data


def month_range_form(request: HttpRequest) -> MonthRangeForm:
    if "from" in request.GET or "to" in request.GET:
        return MonthRangeForm({name: request.GET.get(name, "") for name in ["from", "to"]})
    this_month = month_start(timezone.localdate())
    last_month = month_start(this_month, 1)
    return MonthRangeForm({"from": f"{last_month:%Y-%m}", "to": f"{this_month:%Y-%m}"})


KPIS = [
    ("completion_rate", gettext_lazy("Completion rate"), percent),
    ("satisfaction", gettext_lazy("User satisfaction"), percent),
    ("digital_take_up", gettext_lazy("Digital take-up"), percent),
    ("cost_per_transaction", gettext_lazy("Cost per transaction"), pounds),
]


def kpi_value(kpis: Any, key: str) -> Any:
    return kpis.satisfaction.score if key == "satisfaction" else getattr(kpis, key)


def sparkline(label: str, months: list[Any], values: list[Any], fmt: Any, rate: bool) -> dict:
    """A small line of the monthly values for an inline SVG, and its text alternative."""
    width, height, pad = 120, 32, 3
    text = ", ".join(f"{m.start:%B %Y} {fmt(v)}" for m, v in zip(months, values, strict=False))
    known = [float(v) for v in values if v is not None]
    result: dict[str, Any] = {"width": width, "height": height, "lines": [], "points": []}
    result["label"] = _("%(kpi)s by month: %(values)s") % {"kpi": label, "values": text}
    if not known:
        return result
    top = 1.0 if rate else max(known) or 1.0
    step = (width - 2 * pad) / max(len(values) - 1, 1)
    line: list[str] = []
    for index, value in enumerate(values):
        if value is None:
            if line:
                result["lines"].append(" ".join(line))
            line = []
            continue
        x = round(pad + index * step, 1)
        y = round(height - pad - (height - 2 * pad) * min(float(value) / top, 1.0), 1)
        line.append(f"{x},{y}")
        result["points"].append({"x": x, "y": y})
    if line:
        result["lines"].append(" ".join(line))
    result["last"] = result["points"][-1]
    return result


def trend_change(values: list[Any], rate: bool) -> dict[str, str] | None:
    """The last month against the one before: direction and how much."""
    if len(values) < 2 or values[-1] is None or values[-2] is None:
        return None
    difference = values[-1] - values[-2]
    if rate:
        amount = _("%(n)s pts") % {"n": abs(_half_up(difference * 100))}
    else:
        amount = pounds(abs(difference))
    if not difference:
        return {"arrow": "→", "words": _("No change on last month"), "amount": ""}
    if difference > 0:
        return {"arrow": "↑", "words": _("Up on last month by"), "amount": amount}
    return {"arrow": "↓", "words": _("Down on last month by"), "amount": amount}


class ServiceKPIView(
    SafeSpreadsheetExportMixin, SpreadsheetExportMixin, WagtailAdminTemplateMixin, TemplateView
):
    """Every service with an online flow the user may see, with the four KPIs and trends."""

    template_name = "insights/service_kpis.html"
    page_title = gettext_lazy("Service KPIs")
    header_icon = "table"
    list_export = [
        "service",
        "from",
        "to",
        "started",
        "digital_completions",
        "phone",
        "face_to_face",
        "post",
        "completion_rate",
        "satisfaction",
        "satisfaction_responses",
        "digital_take_up",
        "cost_per_transaction",
    ]
    export_headings = {
        "service": gettext_lazy("Service"),
        "from": gettext_lazy("From"),
        "to": gettext_lazy("To"),
        "started": gettext_lazy("Started online"),
        "digital_completions": gettext_lazy("Completed online"),
        "phone": gettext_lazy("By phone"),
        "face_to_face": gettext_lazy("Face to face"),
        "post": gettext_lazy("By post"),
        "completion_rate": gettext_lazy("Completion rate (%)"),
        "satisfaction": gettext_lazy("User satisfaction (%)"),
        "satisfaction_responses": gettext_lazy("Satisfaction answers"),
        "digital_take_up": gettext_lazy("Digital take-up (%)"),
        "cost_per_transaction": gettext_lazy("Cost per transaction (£)"),
    }
    custom_value_preprocess = {
        **SpreadsheetExportMixin.custom_value_preprocess,
        decimal.Decimal: {SpreadsheetExportMixin.FORMAT_XLSX: None},
    }

    def get_breadcrumbs_items(self) -> list[dict[str, Any]]:
        return [*self.breadcrumbs_items, {"url": "", "label": self.page_title}]

    def services(self) -> list[tuple[Any, FlowPage | None]]:
        """(service, flow) for each service with a live flow this user may see; for
        superusers also every other live service (flow None: its figures are the other
        channels', so digital take-up shows how much is still done offline)."""
        from services.models import ServicePage

        found: dict[int, tuple[Any, FlowPage | None]] = {}
        for flow in visible_flows(self.request.user).live().specific():
            service = flow.service
            found.setdefault(service.pk, (service, flow))
        if self.request.user.is_superuser:
            for service in ServicePage.objects.live().filter(locale__language_code="en-gb"):
                found.setdefault(service.pk, (service, None))
        return sorted(found.values(), key=lambda pair: pair[0].title.lower())

    def get(self, request: HttpRequest) -> HttpResponse:
        if not can_see_flow_reports(request.user):
            raise PermissionDenied
        self.form = month_range_form(request)
        self.rows = []
        if self.form.is_valid():
            self.start = self.form.cleaned_data["from"]
            self.end = month_end(self.form.cleaned_data["to"])
            self.rows = [self.service_row(s, f) for s, f in self.services()]
            if self.is_export:
                return self.as_spreadsheet(self.rows, request.GET["export"])
        return self.render_to_response(self.get_context_data())

    def service_row(self, service: Any, flow: FlowPage | None) -> dict[str, Any]:
        site = service.get_site()
        kpis = service_kpis(service, self.start, self.end, site=site)
        trend = kpi_trend(service, months=6, site=site)
        figures = []
        for key, label, fmt in KPIS:
            values = [kpi_value(month, key) for month in trend]
            rate = fmt is percent
            figures.append(
                {
                    "key": key,
                    "label": label,
                    "value": fmt(kpi_value(kpis, key)),
                    "sparkline": sparkline(str(label), trend, values, fmt, rate),
                    "change": trend_change(values, rate),
                }
            )
        return {
            "service": service,
            "flow": flow,
            "url": reverse("flow_dropoff", args=[flow.pk]) if flow else service.url,
            "kpis": kpis,
            "figures": figures,
        }

    def to_row_dict(self, item: dict[str, Any]) -> OrderedDict:
        kpis = item["kpis"]

        def share(value: float | None) -> Any:
            return "" if value is None else float(_half_up(value * 100, "0.1"))

        cost = kpis.cost_per_transaction
        return OrderedDict(
            service=item["service"].title,
            **{"from": self.start, "to": self.end},
            started=kpis.started,
            digital_completions=kpis.digital_completions,
            phone=kpis.phone,
            face_to_face=kpis.face_to_face,
            post=kpis.post,
            completion_rate=share(kpis.completion_rate),
            satisfaction=share(kpis.satisfaction.score),
            satisfaction_responses=kpis.satisfaction.responses,
            digital_take_up=share(kpis.digital_take_up),
            cost_per_transaction="" if cost is None else _half_up(cost, "0.01"),
        )

    def get_filename(self) -> str:
        return f"service-kpis-{self.start:%Y-%m}-to-{self.end:%Y-%m}"

    def admin_links(self) -> dict[str, str]:
        user, links = self.request.user, {}
        if any(user.has_perm(f"insights.{a}_channelvolume") for a in ("view", "add", "change")):
            with contextlib.suppress(NoReverseMatch):  # its viewset may not be registered
                links["channel_volumes"] = reverse("channel_volumes:index")
        if user.has_perm("insights.change_channelcosts"):
            links["channel_costs"] = reverse(
                "wagtailsettings:edit", args=["insights", "channelcosts"]
            )
        return links

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(form=self.form, rows=self.rows, links=self.admin_links())
        if self.form.is_valid():
            context["period"] = period_label(self.start, self.end)
            months = {"from": f"{self.start:%Y-%m}", "to": f"{self.end:%Y-%m}", "export": "csv"}
            context["csv_url"] = f"?{urlencode(months)}"
        return context
