"""The payments report for finance, at /admin/reports/payments/: payments started (or paid)
between two dates, by status and provider, with totals and a CSV or XLSX download.

Wagtail's own `ReportView` does the listing, filters, pagination and spreadsheet export; this
adds the totals, the default range (this month) and the rows each user may see."""

from __future__ import annotations

import calendar
import datetime
import decimal
from collections import OrderedDict
from typing import TYPE_CHECKING, Any

import django_filters
from django import forms
from django.db.models import Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.http import HttpRequest
from django.urls import reverse
from django.utils import dateformat, timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.ui.tables import Column, TitleColumn
from wagtail.admin.views.reports import ReportView
from wagtail.permission_policies import ModelPermissionPolicy

from core.money import format_pence
from core.spreadsheets import SafeSpreadsheetExportMixin
from forms.flows.permissions import submission_permission_policy
from forms.payments.models import Payment

from .constants import SETTLED, PaymentStatus

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

REFUND_PERMISSION = "payments.refund_payment"
# A spreadsheet opens a cell starting with one of these as a formula.
KNOWN_PROVIDERS = {"sandbox": _("Sandbox"), "stripe": _("Stripe")}


def provider_choices(request: HttpRequest | None = None) -> list[tuple[str, StrOrPromise]]:
    """The providers payments were taken with, and the ones the site knows."""
    used = set(Payment.objects.order_by().values_list("provider", flat=True).distinct())
    return [(id, KNOWN_PROVIDERS.get(id, id)) for id in sorted(used | set(KNOWN_PROVIDERS))]


def this_month(today: datetime.date | None = None) -> tuple[datetime.date, datetime.date]:
    today = today or timezone.localdate()
    last_day = calendar.monthrange(today.year, today.month)[1]
    return today.replace(day=1), today.replace(day=last_day)


class PaymentReportFilterSet(WagtailFilterSet):
    """Which dates (started or paid), between when, and by status and provider."""

    DATE_FIELDS = {"created": "created_at", "paid": "paid_at"}

    date_field = django_filters.ChoiceFilter(
        label=_("Dates"),
        choices=[("created", _("Started between")), ("paid", _("Paid between"))],
        empty_label=None,
        method="filter_nothing",
        widget=forms.RadioSelect,
    )
    dates = django_filters.DateFromToRangeFilter(
        label=_("Between"), widget=DateRangePickerWidget, method="filter_dates"
    )
    status = django_filters.MultipleChoiceFilter(
        label=_("Status"), choices=PaymentStatus.choices, widget=forms.CheckboxSelectMultiple
    )
    provider = django_filters.ChoiceFilter(
        label=_("Provider"), choices=provider_choices, empty_label=_("All")
    )

    class Meta:
        model = Payment
        fields = ["date_field", "dates", "status", "provider"]

    def filter_nothing(self, queryset: QuerySet, name: str, value: Any) -> QuerySet:
        return queryset  # it only says which field `dates` filters

    def filter_dates(self, queryset: QuerySet, name: str, value: slice) -> QuerySet:
        field = self.DATE_FIELDS.get(self.form.cleaned_data.get("date_field"), "created_at")
        if value.start is not None:
            queryset = queryset.filter(**{f"{field}__gte": value.start})
        if value.stop is not None:
            queryset = queryset.filter(**{f"{field}__lte": value.stop})
        return queryset


def local_datetime(value: Any) -> str:
    return dateformat.format(timezone.localtime(value), "j M Y, H:i") if value else ""


def pounds(pence: int | None) -> decimal.Decimal | str:
    if pence is None:
        return ""
    return (decimal.Decimal(pence) / 100).quantize(decimal.Decimal("0.01"))


def naive_local(value: datetime.datetime | None) -> datetime.datetime | str:
    # Local time, as finance reads it; a spreadsheet cell has no time zone.
    return timezone.localtime(value).replace(tzinfo=None) if value else ""


class PaymentReportView(SafeSpreadsheetExportMixin, ReportView):
    """Payments finance reconciles with the provider's payouts. Users with "Can refund a
    payment" (and superusers) see it, and in it only the payments of requests they may see."""

    page_title = _("Payments")
    header_icon = "form"
    template_name = "payments/report.html"
    results_template_name = "payments/report_results.html"
    index_url_name = "flows_payments_report"
    index_results_url_name = "flows_payments_report_results"
    filterset_class = PaymentReportFilterSet
    permission_policy = ModelPermissionPolicy(Payment)
    permission_required = "refund"  # payments.refund_payment
    model = Payment
    verbose_name = _("payment")
    verbose_name_plural = _("payments")
    default_ordering = "-created_at"
    paginate_by = 100

    columns = [
        TitleColumn(
            "reference",
            label=_("Reference"),
            accessor="submission.reference",
            get_url=lambda payment: reverse("requests:inspect", args=[payment.submission_id]),
        ),
        Column("service", label=_("Service"), accessor="submission.service_title"),
        Column(
            "amount",
            label=_("Amount"),
            accessor=lambda p: format_pence(p.amount_pence),
            sort_key="amount_pence",
        ),
        Column("status", label=_("Status"), accessor="get_status_display", sort_key="status"),
        Column(
            "refunded",
            label=_("Refunded"),
            accessor=lambda p: format_pence(p.refunded_pence) if p.refunded_pence else "",
        ),
        Column("provider", label=_("Provider"), sort_key="provider"),
        Column("session", label=_("Checkout session ID"), accessor="provider_session_id"),
        Column("payment_intent", label=_("Payment intent ID"), accessor="provider_payment_id"),
        Column(
            "created",
            label=_("Started"),
            accessor=lambda p: local_datetime(p.created_at),
            sort_key="created_at",
        ),
        Column(
            "paid_at",
            label=_("Paid"),
            accessor=lambda p: local_datetime(p.paid_at),
            sort_key="paid_at",
        ),
    ]

    list_export = [
        "reference",
        "service",
        "amount",
        "status",
        "refunded",
        "provider",
        "session",
        "payment_intent",
        "created",
        "paid_at",
    ]
    export_headings = {
        "reference": _("Reference"),
        "service": _("Service"),
        "amount": _("Amount (£)"),
        "status": _("Status"),
        "refunded": _("Refunded (£)"),
        "provider": _("Provider"),
        "session": _("Checkout session ID"),
        "payment_intent": _("Payment intent ID"),
        "created": _("Started"),
        "paid_at": _("Paid"),
    }
    # Amounts stay numbers in XLSX (Wagtail would write them as text).
    custom_value_preprocess = {
        **ReportView.custom_value_preprocess,
        decimal.Decimal: {ReportView.FORMAT_XLSX: None, ReportView.FORMAT_CSV: str},
    }

    # the rows: what this user may see, this month unless they chose other dates

    def get_filterset_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_filterset_kwargs()
        data = kwargs["data"].copy()
        if "dates_from" not in data and "dates_to" not in data:
            start, end = this_month()
            data["dates_from"], data["dates_to"] = start.isoformat(), end.isoformat()
        data.setdefault("date_field", "created")
        kwargs["data"] = data
        return kwargs

    def get_base_queryset(self) -> QuerySet:
        # Reconciliation is council-wide: finance (who may refund) see every payment, whichever
        # service it is for; anyone else let in sees only their services' payments.
        payments = Payment.objects.select_related("submission")
        if self.request.user.has_perm("payments.refund_payment"):
            return payments
        visible = submission_permission_policy.instances_user_has_permission_for(
            self.request.user, "view"
        )
        return payments.filter(submission__in=visible)

    def order_queryset(self, queryset: QuerySet) -> QuerySet:
        queryset = super().order_queryset(queryset)
        return queryset.order_by(*queryset.query.order_by, "-pk")

    # totals of everything filtered, not just this page

    def totals(self, queryset: QuerySet) -> dict[str, Any]:
        sums = queryset.order_by().aggregate(
            taken=Coalesce(Sum("amount_pence", filter=Q(status__in=SETTLED)), 0),
            refunded=Coalesce(Sum("refunded_pence"), 0),
        )
        paid_count = queryset.filter(status__in=SETTLED).count()
        return {
            "count": queryset.count(),
            "paid_count": paid_count,
            "taken": format_pence(sums["taken"]),
            "refunded": format_pence(sums["refunded"]),
            "net": format_pence(sums["taken"] - sums["refunded"]),
        }

    def date_range_description(self) -> StrOrPromise:
        filters = self.filters
        if not filters or not filters.is_valid():
            return _("The dates could not be read, so these are all the payments.")
        value = filters.form.cleaned_data.get("dates")
        start = value.start if value else None
        stop = value.stop if value else None
        which = filters.form.cleaned_data.get("date_field") or "created"
        verb = _("started") if which == "created" else _("paid")
        day = "j F Y"
        if start and stop:
            return _("Payments %(verb)s from %(start)s to %(end)s") % {
                "verb": verb,
                "start": dateformat.format(timezone.localtime(start), day),
                "end": dateformat.format(timezone.localtime(stop), day),
            }
        if start:
            return _("Payments %(verb)s from %(start)s") % {
                "verb": verb,
                "start": dateformat.format(timezone.localtime(start), day),
            }
        if stop:
            return _("Payments %(verb)s up to %(end)s") % {
                "verb": verb,
                "end": dateformat.format(timezone.localtime(stop), day),
            }
        return _("All payments")

    def get_context_data(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(*args, **kwargs)
        context["totals"] = self.totals(self.object_list)
        context["date_range"] = self.date_range_description()
        return context

    # the spreadsheet: the same rows, amounts in pounds and times in local time

    def to_row_dict(self, item: Payment) -> OrderedDict:
        return OrderedDict(
            [
                ("reference", item.submission.reference),
                ("service", item.submission.service_title),
                ("amount", pounds(item.amount_pence)),
                ("status", item.get_status_display()),
                ("refunded", pounds(item.refunded_pence)),
                ("provider", item.provider),
                ("session", item.provider_session_id),
                ("payment_intent", item.provider_payment_id),
                ("created", naive_local(item.created_at)),
                ("paid_at", naive_local(item.paid_at)),
            ]
        )

    def get_filename(self) -> str:
        return f"payments-{timezone.localdate():%Y-%m-%d}"
