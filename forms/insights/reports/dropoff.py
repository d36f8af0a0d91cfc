"""The drop-off report: every flow the user may see with its last 30 days, and one flow over two
date ranges side by side (the funnel, drop-off and time per page, the errors that stop people,
payments, satisfaction, source and device)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from forms.flows.models import FlowPage
from forms.insights.metrics import flow_metrics
from forms.insights.models import FlowEvent

from .access import visible_flows
from .exports import DropOffSpreadsheet
from .formatting import percent, period_label
from .funnel import Period, breakdown, funnel_chart, headline, satisfaction_rows
from .periods import date_ranges_form, last_days


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


class FlowDropOffView(DropOffSpreadsheet, WagtailAdminTemplateMixin, TemplateView):
    """One flow over two date ranges side by side; `?export=csv` downloads the page table."""

    template_name = "insights/dropoff.html"
    header_icon = "table"

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

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(flow=self.flow, form=self.form, current=self.current)
        context["previous"] = self.previous
        if self.current is not None and self.previous is not None:
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
