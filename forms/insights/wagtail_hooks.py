"""The flow insights in the Wagtail admin: the drop-off report and the service KPI dashboard,
under Reports, for staff who may see at least one flow; channel volumes under Settings."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

import core.converters  # noqa: F401 - registers <id:...>

from .channels import ChannelVolumeViewSet
from .reports.access import can_see_flow_reports
from .reports.dropoff import FlowDropOffIndexView, FlowDropOffView
from .reports.kpis import ServiceKPIView


class FlowReportMenuItem(MenuItem):
    def is_shown(self, request: HttpRequest) -> bool:
        return can_see_flow_reports(request.user)


@hooks.register("register_admin_urls")
def register_insights_urls() -> list[Any]:
    return [
        path("reports/flows/", FlowDropOffIndexView.as_view(), name="flow_dropoff_index"),
        path("reports/flows/<id:flow_id>/", FlowDropOffView.as_view(), name="flow_dropoff"),
        path("reports/service-kpis/", ServiceKPIView.as_view(), name="service_kpis"),
    ]


@hooks.register("register_reports_menu_item")
def register_flow_dropoff_menu_item() -> MenuItem:
    return FlowReportMenuItem(
        _("Flow drop-off"),
        reverse("flow_dropoff_index"),
        name="flow-dropoff",
        icon_name="table",
        order=660,
    )


@hooks.register("register_reports_menu_item")
def register_service_kpis_menu_item() -> MenuItem:
    return FlowReportMenuItem(
        _("Service KPIs"),
        reverse("service_kpis"),
        name="service-kpis",
        icon_name="tasks",
        order=670,
    )


@hooks.register("register_admin_viewset")
def register_channel_volumes() -> ChannelVolumeViewSet:
    return ChannelVolumeViewSet()
