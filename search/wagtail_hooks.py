"""Search in the Wagtail admin: a "Search" menu for the web team with the synonyms editors
keep, Wagtail's promoted results, and the search reports; and the "Can view search reports"
permission in the group editor (so a Web team group can be given it)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import Permission
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.views.generic import RedirectView
from wagtail import hooks
from wagtail.admin.menu import Menu, MenuItem, SubmenuMenuItem
from wagtail.admin.viewsets.model import ModelViewSet

from search.models import VIEW_REPORTS_PERMISSION, Synonym
from search.reports import (
    ClickThroughReportView,
    FlowsFromSearchReportView,
    NoResultsReportView,
    SearchTermsReportView,
)

PROMOTION_PERMISSIONS = [
    f"wagtailsearchpromotions.{action}_searchpromotion" for action in ("add", "change", "delete")
]


class SynonymViewSet(ModelViewSet):
    """Editors' synonyms: saved, they apply to the very next search."""

    model = Synonym
    icon = "resubmit"
    menu_label = _("Synonyms")
    url_prefix = "search/synonyms"
    name = "synonyms"
    add_to_admin_menu = False  # it sits in the Search menu
    form_fields = ["terms", "also_find", "language", "note"]
    list_display = ["__str__", "get_language_display", "note", "updated_at"]
    list_filter = ["language"]
    search_fields = ["terms", "also_find", "note"]
    search_backend_name = None  # plain database matching: a synonym is not in the site index
    ordering = ["language", "terms"]


synonym_viewset = SynonymViewSet()


class ReportMenuItem(MenuItem):
    def is_shown(self, request: HttpRequest) -> bool:
        return request.user.has_perm(VIEW_REPORTS_PERMISSION)


class PromotionsMenuItem(MenuItem):
    def is_shown(self, request: HttpRequest) -> bool:
        return any(request.user.has_perm(permission) for permission in PROMOTION_PERMISSIONS)


@hooks.register("register_admin_viewset")
def register_synonyms() -> ModelViewSet:
    return synonym_viewset


@hooks.register("register_admin_urls")
def register_search_report_urls() -> list[Any]:
    urls = []
    for prefix, view, name in [
        ("search-terms", SearchTermsReportView, "search_terms_report"),
        ("searches-with-no-results", NoResultsReportView, "search_no_results_report"),
        ("search-click-through", ClickThroughReportView, "search_clicks_report"),
        ("searches-that-led-to-a-request", FlowsFromSearchReportView, "search_flows_report"),
    ]:
        urls += [
            path(f"reports/{prefix}/", view.as_view(), name=name),
            path(
                f"reports/{prefix}/results/",
                view.as_view(results_only=True),
                name=f"{name}_results",
            ),
        ]
    return urls


@hooks.register("register_admin_urls", order=-100)
def replace_basic_search_terms_report() -> list[Any]:
    """Wagtail's search promotions app has its own, simpler "Search terms" report (hits per
    day). Two reports of the same name disagree, so its address (bookmarks, old links) leads to
    ours. Registered first so that these paths win over the app's own."""
    return [
        path(
            f"searchpicks/reports/search-terms/{suffix}",
            RedirectView.as_view(pattern_name=name, query_string=True),
        )
        for suffix, name in [
            ("", "search_terms_report"),
            ("results/", "search_terms_report_results"),
        ]
    ]


@hooks.register("construct_reports_menu")
def hide_basic_search_terms_report(request: HttpRequest, menu_items: list[MenuItem]) -> None:
    # The web team's search terms report lives in the Search menu (see REPORT_MENU).
    menu_items[:] = [item for item in menu_items if item.name != "search-terms"]


# The reports in the Search menu: label, URL name, menu item name, icon.
REPORT_MENU = [
    (_("Search terms report"), "search_terms_report", "search-terms-report", "search"),
    (
        _("Searches with no results"),
        "search_no_results_report",
        "search-no-results-report",
        "warning",
    ),
    (_("Click-through report"), "search_clicks_report", "search-clicks-report", "link"),
    (
        _("Searches that led to a request"),
        "search_flows_report",
        "search-flows-report",
        "form",
    ),
]


@hooks.register("register_admin_menu_item")
def register_search_menu() -> SubmenuMenuItem:
    items = [
        synonym_viewset.get_menu_item(order=100),
        PromotionsMenuItem(
            _("Promoted results"),
            reverse("wagtailsearchpromotions:index"),
            name="search-promoted-results",
            icon_name="pick",
            order=200,
        ),
        *(
            ReportMenuItem(label, reverse(url_name), name=name, icon_name=icon, order=order * 100)
            for order, (label, url_name, name, icon) in enumerate(REPORT_MENU, start=3)
        ),
    ]
    return SubmenuMenuItem(
        _("Search"), Menu(items=items), name="search", icon_name="search", order=850
    )


@hooks.register("register_permissions")
def register_search_report_permission() -> QuerySet:
    app_label, codename = VIEW_REPORTS_PERMISSION.split(".")
    return Permission.objects.filter(content_type__app_label=app_label, codename=codename)
