"""The drop-off report: every flow the user may see with its last 30 days, and one flow over two
date ranges side by side (the funnel, drop-off and time per page, the errors that stop people,
payments, satisfaction, source and device, and the range's completion week by week)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.models import Page

from forms.flows.models import FlowPage
from forms.insights.metrics import flow_metrics
from forms.insights.models import FlowEvent
from forms.insights.outcomes import daily_outcomes, group_flows, total

from .access import visible_flows
from .exports import DropOffSpreadsheet
from .formatting import percent, period_label
from .funnel import (
    Period,
    breakdown,
    end_point_rows,
    funnel_chart,
    headline,
    satisfaction_rows,
)
from .periods import add_filters, date_ranges_form, last_days
from .trend import trend_context, weekly_trend


class FlowDropOffIndexView(WagtailAdminTemplateMixin, TemplateView):
    """Every flow the user may see, one row per flow whatever its languages (its English
    title, every language copy's journeys counted unless a language is chosen), with the last
    30 days' starts and completion rate."""

    template_name = "insights/dropoff_index.html"
    page_title = gettext_lazy("Flow drop-off")
    header_icon = "table"

    def get_breadcrumbs_items(self) -> list[dict[str, Any]]:
        return [*self.breadcrumbs_items, {"url": "", "label": self.page_title}]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        flows = list(visible_flows(self.request.user).select_related("locale"))
        if not flows:
            raise PermissionDenied
        form = LanguageForm(self.request.GET or None)
        language = form.cleaned_data.get("language", "") if form.is_valid() else ""
        start, end = last_days(timezone.localdate())
        groups = group_flows(flows)
        counted = {group.source.pk: group.in_language(language) for group in groups}
        daily = daily_outcomes([f for copies in counted.values() for f in copies], start, end)
        query = f"?{urlencode({'language': language})}" if language else ""
        parents = {group.source.path[: -Page.steplen] for group in groups}
        services = dict(Page.objects.filter(path__in=parents).values_list("path", "title"))
        rows = []
        for group in groups:
            outcome = total(daily, [flow.pk for flow in counted[group.source.pk]])
            rows.append(
                {
                    "service": services.get(group.source.path[: -Page.steplen], ""),
                    "flow": group.title,
                    "languages": ", ".join(group.languages()),
                    "live": any(flow.live for flow in group.flows),
                    "url": reverse("flow_dropoff", args=[group.source.pk]) + query,
                    "started": f"{outcome.started:,}",
                    "completion_rate": percent(outcome.completion_rate),
                }
            )
        rows.sort(key=lambda row: (row["service"].lower(), row["flow"].lower()))
        context.update(rows=rows, period=period_label(start, end), form=form)
        return context


class LanguageForm(forms.Form):
    """The index's one filter: the language of the copies to count (all unless chosen)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        add_filters(self)


class FlowDropOffView(DropOffSpreadsheet, WagtailAdminTemplateMixin, TemplateView):
    """One flow over two date ranges side by side; `?export=csv` downloads the page table."""

    template_name = "insights/dropoff.html"
    header_icon = "table"

    def get(self, request: HttpRequest, flow_id: int) -> HttpResponse:
        flows = visible_flows(request.user)
        try:
            flow = flows.get(pk=flow_id)
        except FlowPage.DoesNotExist:
            raise Http404 from None
        # The report is the service's, whatever the language: the English flow's pages, every
        # language copy's journeys (or one language's, when chosen).
        group = group_flows(flows.filter(translation_key=flow.translation_key).specific())[0]
        self.flow = group.source
        self.form = date_ranges_form(request)
        self.current = self.previous = None
        self.trend: dict[str, Any] | None = None
        if self.form.is_valid():
            data = self.form.cleaned_data
            copies = group.in_language(data.get("language") or "")
            device = data.get("device") or ""
            current = flow_metrics(self.flow, data["from"], data["to"], copies, device)
            previous = flow_metrics(
                self.flow, data["compare_from"], data["compare_to"], copies, device
            )
            end_points = bool(current.end_points or previous.end_points)
            self.current = Period("current", current, end_points)
            self.previous = Period("previous", previous, end_points)
            if self.is_export:
                return self.as_spreadsheet(self.export_rows(), request.GET["export"])
            # This range week by week: the same copies, device and definition of completed.
            self.trend = trend_context(weekly_trend(copies, data["from"], data["to"], device))
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

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(flow=self.flow, form=self.form, current=self.current)
        context["previous"] = self.previous
        if self.current is not None and self.previous is not None:
            now, before = self.current.metrics, self.previous.metrics
            dates = {
                name: value.isoformat() if hasattr(value, "isoformat") else value
                for name, value in self.form.cleaned_data.items()
                if value
            }
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
                xlsx_url=f"?{urlencode({**dates, 'export': 'xlsx'})}",
                end_points=end_point_rows(self.flow, now, before),
                trend=self.trend,
            )
        return context
