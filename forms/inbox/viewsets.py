"""The inbox in the Wagtail admin: Requests, at /admin/requests/."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import Permission
from django.db.models import QuerySet
from django.urls import path
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail.admin.admin_url_finder import ModelAdminURLFinder
from wagtail.admin.ui.tables import Column
from wagtail.admin.viewsets.model import ModelViewSet

import core.converters  # noqa: F401 - registers <id:...>
from forms.flows.models import Submission
from forms.inbox.views import (
    SubmissionDetailView,
    SubmissionFileDownloadView,
    SubmissionFilterSet,
    SubmissionIndexView,
    fee_column,
    sent_column,
    service_column,
    status_column,
)


class SubmissionViewSet(ModelViewSet):
    """Residents' requests for the teams that run their services: list, read, change status.

    Requests are only made by residents and only deleted by the retention command, so the
    viewset has no add, edit, copy or delete views."""

    model = Submission
    name = "requests"
    icon = "form"
    menu_label = _("Requests")
    menu_order = 150  # just after Pages
    add_to_admin_menu = True
    add_to_reference_index = False
    copy_view_enabled = False
    inspect_view_enabled = True

    index_view_class = SubmissionIndexView
    inspect_view_class = SubmissionDetailView
    download_view_class = SubmissionFileDownloadView

    list_display = [
        "reference",
        Column("service", label=_("Service"), accessor=service_column, sort_key="english_service"),
        Column("status", label=_("Status"), accessor=status_column, sort_key="status"),
        Column("sent", label=_("Sent"), accessor=sent_column, sort_key="created_at"),
        "contact_email",
        Column("fee", label=_("Fee"), accessor=fee_column, sort_key="fee_pence"),
    ]
    filterset_class = SubmissionFilterSet
    search_fields = ["reference"]
    search_backend_name = None
    ordering = "-created_at"
    list_per_page = 50

    def get_common_view_kwargs(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_common_view_kwargs(
            **{
                "add_url_name": None,
                "edit_url_name": None,
                "delete_url_name": None,
                "history_url_name": None,
                "usage_url_name": None,
                **kwargs,
            }
        )

    def get_inspect_view_kwargs(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_inspect_view_kwargs(
            download_url_name=self.get_url_name("download"), **kwargs
        )

    @property
    def download_view(self) -> Any:
        return self.construct_view(self.download_view_class)

    def get_urlpatterns(self) -> list:
        return [
            path("", self.index_view, name="index"),
            path("results/", self.index_results_view, name="index_results"),
            path("<id:pk>/", self.inspect_view, name="inspect"),
            path("<id:pk>/files/<id:file_pk>/", self.download_view, name="download"),
        ]

    @cached_property
    def url_finder_class(self) -> type:
        # Wagtail's "edit this object" links go to the request's page, where its status changes.
        return type(
            "SubmissionAdminURLFinder",
            (ModelAdminURLFinder,),
            {"edit_url_name": self.get_url_name("inspect")},
        )

    def get_permissions_to_register(self) -> QuerySet:
        # Access follows page permissions on the flows (see forms.flows.permissions); Django's
        # add/change/delete permissions on submissions would do nothing, so groups are not
        # offered them.
        return Permission.objects.none()
