"""Payments in the Wagtail admin: the finance report under Reports, and the "Can refund a
payment" permission in the group editor (so a Finance group can be given it)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import Permission
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from .report import REFUND_PERMISSION, PaymentReportView


class PaymentReportMenuItem(MenuItem):
    def is_shown(self, request: HttpRequest) -> bool:
        return request.user.has_perm(REFUND_PERMISSION)


@hooks.register("register_admin_urls")
def register_payment_report_urls() -> list[Any]:
    return [
        path("reports/payments/", PaymentReportView.as_view(), name="flows_payments_report"),
        path(
            "reports/payments/results/",
            PaymentReportView.as_view(results_only=True),
            name="flows_payments_report_results",
        ),
    ]


@hooks.register("register_reports_menu_item")
def register_payment_report_menu_item() -> MenuItem:
    return PaymentReportMenuItem(
        _("Payments"),
        reverse("flows_payments_report"),
        name="payments",
        icon_name="form",
        order=650,
    )


@hooks.register("register_permissions")
def register_refund_permission() -> QuerySet:
    return Permission.objects.filter(content_type__app_label="payments", codename="refund_payment")
