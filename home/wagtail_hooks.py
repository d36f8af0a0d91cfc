"""The home app in the Wagtail admin: the "Translation status" report under Reports, where
editors see which translated pages are out of date and how many pages in each language still
show the English text.

It is named "Translation status" because wagtail-localize already puts its own "Translations"
report (every translation, of pages and snippets, without dates) in the same menu.

Also, for every page on the site: the methods a page does not answer are refused with 405
(core/methods.py)."""

from __future__ import annotations

from collections import OrderedDict
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

import django_filters
from django.db.models import QuerySet
from django.http import HttpRequest
from django.templatetags.static import static
from django.urls import path, reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.tables import Column, DateColumn, TitleColumn
from wagtail.admin.views.reports import ReportView
from wagtail.models import Page
from wagtail.permissions import policy_registry
from wagtail_localize.models import Translation

from core.languages import language_label
from core.methods import refuse_other_methods
from core.spreadsheets import SafeSpreadsheetExportMixin
from home.translation_status import (
    TranslationStatus,
    filter_by_status,
    language_summaries,
    page_translations,
    status_of,
    target_languages,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User

# Anyone who may edit pages somewhere (as Wagtail's own page reports ask).
PAGE_EDITING_PERMISSIONS = ["add", "change", "publish"]
SYNC_PERMISSION = "wagtail_localize.submit_translation"


def can_edit_pages(user: User | AnonymousUser) -> bool:
    return policy_registry.get_by_type(Page).user_has_any_permission(user, PAGE_EDITING_PERMISSIONS)


class TranslationStatusFilterSet(WagtailFilterSet):
    language = django_filters.ChoiceFilter(
        label=_("Language"),
        field_name="target_locale__language_code",
        choices=target_languages,
        empty_label=_("All"),
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"),
        choices=TranslationStatus.choices,
        empty_label=_("All"),
        method="filter_status",
    )

    class Meta:
        model = Translation
        fields = ["language", "status"]

    def filter_status(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return filter_by_status(queryset, value)


def local_time(value: Any) -> Any:
    # Local time, as editors read it; a spreadsheet cell has no time zone.
    return timezone.localtime(value).replace(tzinfo=None) if value else ""


def progress(translation: Translation) -> str:
    return _("%(translated)s of %(total)s") % {
        "translated": translation.translated_strings,
        "total": translation.total_strings,
    }


def editor_url(translation: Translation) -> str | None:
    """wagtail-localize shows its translation editor in place of the translated page's editor;
    no link for those who may not edit the translated page (a team's rights are often on the
    English pages only)."""
    if not getattr(translation, "can_edit", False):
        return None
    return reverse("wagtailadmin_pages:edit", args=[translation.target_page_id])


class StatusColumn(Column):
    """The status as a tag, and where the English changed, a link to sync the translation."""

    cell_template_name = "home/reports/translation_status_cell.html"

    def get_cell_context_data(self, instance: Translation, parent_context: Any) -> dict:
        context = super().get_cell_context_data(instance, parent_context)
        code = status_of(instance)
        context["value"] = TranslationStatus.LABELS[code]
        context["code"] = code
        context["up_to_date"] = code == TranslationStatus.UP_TO_DATE
        request = parent_context.get("request")
        if (
            code == TranslationStatus.ENGLISH_CHANGED
            and request is not None
            and request.user.has_perm(SYNC_PERMISSION)
        ):
            context["sync_url"] = (
                reverse("wagtail_localize:update_translations", args=[instance.source_id])
                + "?"
                + urlencode({"next": reverse("translation_status_report")})
            )
        return context


class TranslationStatusReportView(SafeSpreadsheetExportMixin, ReportView):
    """One row per page translated with wagtail-localize and language, out-of-date first."""

    page_title = _("Translation status")
    header_icon = "site"
    results_template_name = "home/reports/translation_status_results.html"
    index_url_name = "translation_status_report"
    index_results_url_name = "translation_status_report_results"
    filterset_class = TranslationStatusFilterSet
    any_permission_required = PAGE_EDITING_PERMISSIONS
    default_ordering = "status_rank"
    paginate_by = 50
    verbose_name = _("translation")
    verbose_name_plural = _("translations")

    columns = [
        TitleColumn(
            "page",
            label=_("Page"),
            accessor="source_title",
            get_url=editor_url,
            sort_key="source_title",
        ),
        Column(
            "language",
            label=_("Language"),
            accessor=lambda t: language_label(t.target_locale.language_code),
            sort_key="target_locale__language_code",
        ),
        StatusColumn("status", label=_("Status"), sort_key="status_rank"),
        DateColumn(
            "english_published_at",
            label=_("English last changed"),
            sort_key="english_published_at",
        ),
        DateColumn(
            "synced_at",
            label=_("Translation last synced"),
            accessor="source.last_updated_at",
            sort_key="source__last_updated_at",
        ),
        Column("progress", label=_("Strings translated"), accessor=progress),
    ]

    list_export = [
        "page",
        "language",
        "status",
        "english_published_at",
        "synced_at",
        "translated_strings",
        "total_strings",
    ]
    export_headings = {
        "page": _("Page"),
        "language": _("Language"),
        "status": _("Status"),
        "english_published_at": _("English last changed"),
        "synced_at": _("Translation last synced"),
        "translated_strings": _("Strings translated"),
        "total_strings": _("Strings to translate"),
    }

    @cached_property
    def permission_policy(self) -> Any:
        # The rows are translations, but who may see them is decided by page permissions.
        return policy_registry.get_by_type(Page)

    def get_base_queryset(self) -> QuerySet:
        return page_translations()

    def order_queryset(self, queryset: QuerySet) -> QuerySet:
        queryset = super().order_queryset(queryset)
        return queryset.order_by(
            *queryset.query.order_by, "source_title", "target_locale__language_code", "pk"
        )

    def get_table(self, object_list: Any) -> Any:
        if not self.is_export:
            # Which of this page of rows the user may edit: one query, not one per row.
            rows = list(object_list)
            editable = set(
                self.permission_policy.instances_user_has_permission_for(
                    self.request.user, "change"
                )
                .filter(pk__in=[row.target_page_id for row in rows])
                .values_list("pk", flat=True)
            )
            for row in rows:
                row.can_edit = row.target_page_id in editable
        return super().get_table(object_list)

    def get_context_data(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(*args, **kwargs)
        if not self.is_export:
            context["language_summaries"] = language_summaries()
        return context

    def to_row_dict(self, item: Translation) -> OrderedDict:
        return OrderedDict(
            [
                ("page", item.source_title),
                ("language", language_label(item.target_locale.language_code)),
                ("status", str(TranslationStatus.LABELS[status_of(item)])),
                ("english_published_at", local_time(item.english_published_at)),
                ("synced_at", local_time(item.source.last_updated_at)),
                ("translated_strings", item.translated_strings),
                ("total_strings", item.total_strings),
            ]
        )

    def get_filename(self) -> str:
        return f"translation-status-{timezone.localdate():%Y-%m-%d}"


class TranslationStatusMenuItem(MenuItem):
    def is_shown(self, request: HttpRequest) -> bool:
        return can_edit_pages(request.user)


@hooks.register("register_admin_urls")
def register_translation_status_urls() -> list[Any]:
    return [
        path(
            "reports/translation-status/",
            TranslationStatusReportView.as_view(),
            name="translation_status_report",
        ),
        path(
            "reports/translation-status/results/",
            TranslationStatusReportView.as_view(results_only=True),
            name="translation_status_report_results",
        ),
    ]


@hooks.register("register_reports_menu_item")
def register_translation_status_menu_item() -> MenuItem:
    return TranslationStatusMenuItem(
        _("Translation status"),
        reverse("translation_status_report"),
        name="translation-status",
        icon_name="site",
        order=8900,
    )


# Before Wagtail's own method check (order 0), which reads `Page.allowed_http_methods` and so
# would let a page type that never declared its methods answer PUT and DELETE.
hooks.register("before_serve_page", refuse_other_methods, order=-10)


@hooks.register("insert_global_admin_css")
def council_admin_css() -> str:
    """The council's admin styles: wide report tables scroll in their own region."""
    return format_html('<link rel="stylesheet" href="{}">', static("home/css/admin.css"))
