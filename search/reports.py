"""The web team's search reports in the admin: search terms, searches with
no results, click-through and searches that led to a request. Each covers the searches made
between two dates (the last 30 days unless chosen), can be searched for a term, and downloads as
CSV or XLSX. The numbers are counted by the database (grouped queries), never row by row.

Wagtail's `ReportView` does the listing, filters, pagination and export; the views here filter
the log first, then group it, then order the groups."""

from __future__ import annotations

import datetime
from collections import OrderedDict
from typing import TYPE_CHECKING, Any

import django_filters
from django.core.exceptions import PermissionDenied
from django.db.models import (
    Avg,
    CharField,
    Count,
    F,
    FloatField,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Cast, Coalesce, NullIf
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import dateformat, timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.ui.tables import Column, NumberColumn, TitleColumn
from wagtail.admin.views.reports import ReportView

from core.spreadsheets import SafeSpreadsheetExportMixin
from search.models import VIEW_REPORTS_PERMISSION, FlowFromSearch, SearchClick, SearchLog

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

DEFAULT_DAYS = 30


def last_days(days: int = DEFAULT_DAYS, today: datetime.date | None = None):
    """The last `days` days, today included."""
    today = today or timezone.localdate()
    return today - datetime.timedelta(days=days - 1), today


def dates_filter(field_name: str) -> django_filters.DateFromToRangeFilter:
    return django_filters.DateFromToRangeFilter(
        label=_("Searched between"), field_name=field_name, widget=DateRangePickerWidget
    )


class SearchLogFilterSet(WagtailFilterSet):
    dates = dates_filter("created_at")

    class Meta:
        model = SearchLog
        fields: list[str] = []


class SearchClickFilterSet(WagtailFilterSet):
    dates = dates_filter("log__created_at")

    class Meta:
        model = SearchClick
        fields: list[str] = []


class FlowFromSearchFilterSet(WagtailFilterSet):
    dates = dates_filter("log__created_at")

    class Meta:
        model = FlowFromSearch
        fields: list[str] = []


def count_per_log(queryset: QuerySet, expression: Any = None) -> Coalesce:
    """A correlated subquery: how many of `queryset`'s rows (or the sum of `expression`) belong
    to the outer search (counting through a join would multiply the rows)."""
    total = Count("pk") if expression is None else Sum(expression)
    rows = (
        queryset.filter(log=OuterRef("pk"))
        .order_by()
        .values("log")
        .annotate(total=total)
        .values("total")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), Value(0))


def ratio(numerator: Any, denominator: Any, scale: float = 1.0) -> Any:
    """numerator / denominator as a float in SQL; NULL when the denominator is 0."""
    return Cast(numerator, FloatField()) * scale / NullIf(Cast(denominator, FloatField()), 0.0)


def one_decimal(value: float | None) -> float | str:
    return "" if value is None else round(value, 1)


class SearchReportView(SafeSpreadsheetExportMixin, ReportView):
    """The shared part: who may see the reports, the date range and the order of work (filter
    and search the rows, then group them, then order the groups)."""

    header_icon = "search"
    template_name = "search/reports/report.html"
    results_template_name = "search/reports/report_results.html"
    filterset_class = SearchLogFilterSet
    is_searchable = True
    search_fields = ["query"]
    paginate_by = 50
    tie_break: tuple[str, ...] = ("query",)
    description: StrOrPromise = ""
    export_name = "search-report"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.has_perm(VIEW_REPORTS_PERMISSION):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    @property
    def permission_policy(self) -> None:
        return None  # the permission is checked in dispatch()

    def get_filterset_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_filterset_kwargs()
        data = kwargs["data"].copy()
        if "dates_from" not in data and "dates_to" not in data:
            start, end = last_days()
            data["dates_from"], data["dates_to"] = start.isoformat(), end.isoformat()
        kwargs["data"] = data
        return kwargs

    def group(self, queryset: QuerySet) -> QuerySet:
        raise NotImplementedError

    def get_queryset(self) -> QuerySet:
        queryset = self.get_base_queryset()
        queryset = self.filter_queryset(queryset)
        queryset = self.search_queryset(queryset)
        return self.order_queryset(self.group(queryset.order_by()))

    def order_queryset(self, queryset: QuerySet) -> QuerySet:
        queryset = super().order_queryset(queryset)
        return queryset.order_by(*queryset.query.order_by, *self.tie_break)

    def date_range_description(self) -> str:
        filters = self.filters
        if not filters or not filters.is_valid():
            return str(_("The dates could not be read, so this covers every search."))
        value = filters.form.cleaned_data.get("dates")
        start = value.start if value else None
        stop = value.stop if value else None
        day = "j F Y"
        if start and stop:
            return str(_("Searches from %(start)s to %(end)s")) % {
                "start": dateformat.format(start, day),
                "end": dateformat.format(stop, day),
            }
        if start:
            return str(_("Searches from %(start)s")) % {"start": dateformat.format(start, day)}
        if stop:
            return str(_("Searches up to %(end)s")) % {"end": dateformat.format(stop, day)}
        return str(_("All searches"))

    def get_context_data(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(*args, **kwargs)
        context["date_range"] = self.date_range_description()
        context["description"] = self.description
        return context

    def get_filename(self) -> str:
        return f"{self.export_name}-{timezone.localdate():%Y-%m-%d}"


class SearchTermsReportView(SearchReportView):
    """Per search term: how often, how many results, how often nothing was found, and what
    residents did next (clicked, which position, started or finished a flow)."""

    page_title = _("Search terms")
    description = _(
        "What residents searched for, and what they did next. Click-through rate is the share "
        "of searches where a result was chosen; flows started and finished are those begun "
        "within 2 hours of choosing a result."
    )
    index_url_name = "search_terms_report"
    index_results_url_name = "search_terms_report_results"
    default_ordering = "-searches"
    export_name = "search-terms"
    columns = [
        Column("query", label=_("Search term"), sort_key="query"),
        NumberColumn("searches", label=_("Searches"), sort_key="searches"),
        Column(
            "average_results",
            label=_("Average results"),
            accessor=lambda row: one_decimal(row["average_results"]),
            sort_key="average_results",
        ),
        NumberColumn("no_results", label=_("Searches with no results"), sort_key="no_results"),
        NumberColumn("clicks", label=_("Clicks"), sort_key="clicks"),
        Column(
            "click_rate",
            label=_("Click-through rate"),
            accessor=lambda row: f"{row['click_rate']:.0f}%",
            sort_key="click_rate",
        ),
        Column(
            "mean_position",
            label=_("Mean clicked position"),
            accessor=lambda row: one_decimal(row["mean_position"]),
            sort_key="mean_position",
        ),
        NumberColumn("flows_started", label=_("Flows started"), sort_key="flows_started"),
        NumberColumn("flows_finished", label=_("Flows finished"), sort_key="flows_finished"),
    ]
    list_export = [
        "query",
        "searches",
        "average_results",
        "no_results",
        "clicks",
        "click_rate",
        "mean_position",
        "flows_started",
        "flows_finished",
    ]
    export_headings = {
        "query": _("Search term"),
        "searches": _("Searches"),
        "average_results": _("Average results"),
        "no_results": _("Searches with no results"),
        "clicks": _("Clicks"),
        "click_rate": _("Click-through rate (%)"),
        "mean_position": _("Mean clicked position"),
        "flows_started": _("Flows started"),
        "flows_finished": _("Flows finished"),
    }

    def get_base_queryset(self) -> QuerySet:
        return SearchLog.objects.all()

    def group(self, queryset: QuerySet) -> QuerySet:
        flows = FlowFromSearch.objects.all()
        return (
            queryset.annotate(
                log_clicks=count_per_log(SearchClick.objects.all()),
                log_positions=count_per_log(SearchClick.objects.all(), F("position")),
                log_started=count_per_log(flows.filter(kind=FlowFromSearch.Kind.STARTED)),
                log_finished=count_per_log(flows.filter(kind=FlowFromSearch.Kind.FINISHED)),
            )
            .values("query")
            .annotate(
                searches=Count("pk"),
                average_results=Avg("result_count", output_field=FloatField()),
                no_results=Count("pk", filter=Q(result_count=0)),
                clicks=Sum("log_clicks"),
                clicked_searches=Count("pk", filter=Q(log_clicks__gt=0)),
                position_total=Sum("log_positions"),
                flows_started=Sum("log_started"),
                flows_finished=Sum("log_finished"),
            )
            .annotate(
                click_rate=Coalesce(ratio(F("clicked_searches"), F("searches"), 100.0), 0.0),
                mean_position=ratio(F("position_total"), F("clicks")),
            )
        )

    def to_row_dict(self, item: dict[str, Any]) -> OrderedDict:
        row = OrderedDict((field, item[field]) for field in self.list_export)
        row["average_results"] = one_decimal(item["average_results"])
        row["click_rate"] = round(item["click_rate"] or 0.0)
        row["mean_position"] = one_decimal(item["mean_position"])
        return row


class NoResultsReportView(SearchReportView):
    """The searches that found nothing: words to add as synonyms or keywords, or a gap."""

    page_title = _("Searches with no results")
    description = _(
        "Search terms that found nothing. Add a synonym or a page keyword, or promote a result, "
        "so residents find the service next time."
    )
    index_url_name = "search_no_results_report"
    index_results_url_name = "search_no_results_report_results"
    default_ordering = "-times"
    export_name = "searches-with-no-results"
    columns = [
        Column("query", label=_("Search term"), sort_key="query"),
        NumberColumn("times", label=_("Times searched"), sort_key="times"),
        Column(
            "last_searched",
            label=_("Last searched"),
            accessor=lambda row: dateformat.format(
                timezone.localtime(row["last_searched"]), "j M Y, H:i"
            ),
            sort_key="last_searched",
        ),
    ]
    list_export = ["query", "times", "last_searched"]
    export_headings = {
        "query": _("Search term"),
        "times": _("Times searched"),
        "last_searched": _("Last searched"),
    }

    def get_base_queryset(self) -> QuerySet:
        return SearchLog.objects.filter(result_count=0)

    def group(self, queryset: QuerySet) -> QuerySet:
        return queryset.values("query").annotate(times=Count("pk"), last_searched=Max("created_at"))

    def to_row_dict(self, item: dict[str, Any]) -> OrderedDict:
        row = super().to_row_dict(item)
        # Local time, as the web team read it; a spreadsheet cell has no time zone.
        row["last_searched"] = timezone.localtime(item["last_searched"]).replace(tzinfo=None)
        return row


def page_edit_url(row: dict[str, Any]) -> str | None:
    return reverse("wagtailadmin_pages:edit", args=[row["page_id"]]) if row["page_id"] else None


class ClickThroughReportView(SearchReportView):
    """Which result residents chose for which search term, by position."""

    page_title = _("Click-through")
    description = _(
        "Which result residents chose for each search term, and at which position (1 is the "
        "first result, promoted results included). Only first results pages are counted."
    )
    index_url_name = "search_clicks_report"
    index_results_url_name = "search_clicks_report_results"
    filterset_class = SearchClickFilterSet
    search_fields = ["log__query"]
    default_ordering = "-clicks"
    tie_break = ("query", "position", "title")
    export_name = "search-click-through"
    columns = [
        Column("query", label=_("Search term"), sort_key="query"),
        NumberColumn("position", label=_("Position"), sort_key="position"),
        TitleColumn("title", label=_("Page"), get_url=page_edit_url, sort_key="title"),
        NumberColumn("clicks", label=_("Clicks"), sort_key="clicks"),
    ]
    list_export = ["query", "position", "title", "clicks"]
    export_headings = {
        "query": _("Search term"),
        "position": _("Position"),
        "title": _("Page"),
        "clicks": _("Clicks"),
    }

    def get_base_queryset(self) -> QuerySet:
        return SearchClick.objects.all()

    def group(self, queryset: QuerySet) -> QuerySet:
        return (
            queryset.annotate(
                query=F("log__query"),
                title=Coalesce(
                    "page__title",
                    "promotion__external_link_text",
                    "promotion__external_link_url",
                    Value(str(_("(page deleted)"))),
                    output_field=CharField(),
                ),
            )
            .values("query", "position", "title", "page_id")
            .annotate(clicks=Count("pk"))
        )


class FlowsFromSearchReportView(SearchReportView):
    """The search terms that led residents to start, and to finish, an online flow."""

    page_title = _("Searches that led to a request")
    description = _(
        "Search terms after which residents started a service's online flow (within 2 hours of "
        "choosing a result), and how many of them sent their request."
    )
    index_url_name = "search_flows_report"
    index_results_url_name = "search_flows_report_results"
    filterset_class = FlowFromSearchFilterSet
    search_fields = ["log__query"]
    default_ordering = "-started"
    tie_break = ("query", "service_title")
    export_name = "searches-that-led-to-a-request"
    columns = [
        Column("query", label=_("Search term"), sort_key="query"),
        Column("service_title", label=_("Flow"), sort_key="service_title"),
        NumberColumn("started", label=_("Started"), sort_key="started"),
        NumberColumn("finished", label=_("Finished"), sort_key="finished"),
    ]
    list_export = ["query", "service_title", "started", "finished"]
    export_headings = {
        "query": _("Search term"),
        "service_title": _("Flow"),
        "started": _("Started"),
        "finished": _("Finished"),
    }

    def get_base_queryset(self) -> QuerySet:
        return FlowFromSearch.objects.all()

    def group(self, queryset: QuerySet) -> QuerySet:
        return (
            queryset.annotate(
                query=F("log__query"),
                service_title=Coalesce(
                    "service__title",
                    "flow__title",
                    Value(str(_("(flow deleted)"))),
                    output_field=CharField(),
                ),
            )
            .values("query", "flow_id", "service_title")
            .annotate(
                started=Count("pk", filter=Q(kind=FlowFromSearch.Kind.STARTED)),
                finished=Count("pk", filter=Q(kind=FlowFromSearch.Kind.FINISHED)),
            )
        )


REPORTS = [
    ("search-terms", SearchTermsReportView),
    ("searches-with-no-results", NoResultsReportView),
    ("search-click-through", ClickThroughReportView),
    ("searches-that-led-to-a-request", FlowsFromSearchReportView),
]
