"""The service KPI dashboard: every service with an online flow the user may see, with GOV.UK's
four KPIs (completion rate, user satisfaction, digital take-up, cost per transaction) over the
months asked for, and each one's six-month trend as a sparkline."""

from __future__ import annotations

import contextlib
from typing import Any
from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from forms.insights.metrics import ServiceKPIs, grouped_service_kpis
from forms.insights.outcomes import group_flows
from services.models import ServicePage

from .access import can_see_flow_reports, visible_flows
from .exports import ServiceKPISpreadsheet
from .formatting import half_up, percent, period_label, pounds
from .periods import month_end, month_range_form

TREND_MONTHS = 6

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
        amount = _("%(n)s pts") % {"n": abs(half_up(difference * 100))}
    else:
        amount = pounds(abs(difference))
    if not difference:
        return {"arrow": "→", "words": _("No change on last month"), "amount": ""}
    if difference > 0:
        return {"arrow": "↑", "words": _("Up on last month by"), "amount": amount}
    return {"arrow": "↓", "words": _("Down on last month by"), "amount": amount}


class ServiceKPIView(ServiceKPISpreadsheet, WagtailAdminTemplateMixin, TemplateView):
    """Every service with an online flow the user may see, with the four KPIs and trends."""

    template_name = "insights/service_kpis.html"
    page_title = gettext_lazy("Service KPIs")
    header_icon = "table"

    def get_breadcrumbs_items(self) -> list[dict[str, Any]]:
        return [*self.breadcrumbs_items, {"url": "", "label": self.page_title}]

    def service_groups(self) -> list[dict[str, Any]]:
        """One entry per service whatever its languages: the English service page, every
        language copy of it, and the live flows this user may see under any of them (with
        the English source flow for the link); for superusers also every other live English
        service (no flow: its figures are the other channels', so digital take-up shows how
        much is still done offline). A handful of queries, however many services."""
        from wagtail.models import Locale, Page

        flows = list(visible_flows(self.request.user).live().select_related("locale"))
        parents = {flow.pk: flow.path[: -Page.steplen] for flow in flows}
        services = {
            service.path: service
            for service in ServicePage.objects.filter(path__in=set(parents.values()))
        }
        keys = {service.translation_key for service in services.values()}
        default = Locale.get_default()
        english = ServicePage.objects.filter(locale=default)
        if self.request.user.is_superuser:
            english = english.filter(Q(translation_key__in=keys) | Q(live=True))
        else:
            english = english.filter(translation_key__in=keys)
        groups: dict[Any, dict[str, Any]] = {}
        for service in english:
            groups[service.translation_key] = {"service": service, "copies": [], "flows": []}
        for service in ServicePage.objects.filter(translation_key__in=set(groups) | keys):
            group = groups.setdefault(
                service.translation_key, {"service": service, "copies": [], "flows": []}
            )
            group["copies"].append(service)
        for flow in flows:
            service = services.get(parents[flow.pk])
            if service is not None:
                groups[service.translation_key]["flows"].append(flow)
        for group in groups.values():
            group["source"] = group_flows(group["flows"])[0].source if group["flows"] else None
        return sorted(groups.values(), key=lambda group: group["service"].title.lower())

    def get(self, request: HttpRequest) -> HttpResponse:
        if not can_see_flow_reports(request.user):
            raise PermissionDenied
        self.form = month_range_form(request)
        self.rows = []
        if self.form.is_valid():
            self.start = self.form.cleaned_data["from"]
            self.end = month_end(self.form.cleaned_data["to"])
            self.language = self.form.cleaned_data.get("language") or ""
            self.rows = self.service_rows(self.service_groups())
            if self.is_export:
                return self.as_spreadsheet(self.rows, request.GET["export"])
        return self.render_to_response(self.get_context_data())

    def service_rows(self, groups: list[dict[str, Any]]) -> list[dict[str, Any]]:
        figures = grouped_service_kpis(groups, self.start, self.end, self.language, TREND_MONTHS)
        return [
            self.service_row(group, kpis, trend)
            for group, (kpis, trend) in zip(groups, figures, strict=True)
        ]

    def service_row(
        self, group: dict[str, Any], kpis: ServiceKPIs, trend: list[ServiceKPIs]
    ) -> dict[str, Any]:
        service, flow = group["service"], group["source"]
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
            months = {"from": f"{self.start:%Y-%m}", "to": f"{self.end:%Y-%m}"}
            if self.language:
                months["language"] = self.language
            context["csv_url"] = f"?{urlencode({**months, 'export': 'csv'})}"
            context["xlsx_url"] = f"?{urlencode({**months, 'export': 'xlsx'})}"
        return context
