"""Channel volumes in the Wagtail admin (Settings > Channel volumes): each month, staff enter
how many of a service's transactions came by phone, face to face and by post, for digital
take-up and cost per transaction. The unit costs are the "Channel unit costs" site setting."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, FieldRowPanel, ObjectList
from wagtail.admin.ui.tables import Column
from wagtail.admin.viewsets.model import ModelViewSet

from forms.insights.models import ChannelVolume


class ChannelVolumeForm(WagtailAdminModelForm):
    def clean_month(self) -> Any:
        # Stored as the first of the month: "any day in March" is March, and a second entry
        # for the same month is caught as a duplicate rather than saved twice.
        month = self.cleaned_data.get("month")
        return month.replace(day=1) if month else month


def month_column(volume: ChannelVolume) -> str:
    return f"{volume.month:%B %Y}"


class ChannelVolumeViewSet(ModelViewSet):
    model = ChannelVolume
    name = "channel_volumes"  # the URL namespace
    url_prefix = "channel-volumes"
    icon = "chart-bar"
    menu_label = _("Channel volumes")
    add_to_settings_menu = True
    add_to_reference_index = False
    copy_view_enabled = False
    inspect_view_enabled = False

    list_display = [
        "service",
        Column("month", label=_("Month"), accessor=month_column, sort_key="month"),
        "phone",
        "face_to_face",
        "post",
    ]
    list_filter = ["month"]
    ordering = ["-month", "service__title"]
    list_per_page = 50

    edit_handler = ObjectList(
        [
            FieldPanel("service"),
            FieldPanel("month"),
            FieldRowPanel(
                [FieldPanel("phone"), FieldPanel("face_to_face"), FieldPanel("post")],
                heading=_("Transactions in the month"),
            ),
        ],
        base_form_class=ChannelVolumeForm,
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[ChannelVolume]:
        return ChannelVolume.objects.select_related("service")

    def get_permissions_to_register(self) -> QuerySet:
        # Add, change, delete and view (the listing alone) in the group editor.
        content_type = ContentType.objects.get_for_model(ChannelVolume)
        return Permission.objects.filter(content_type=content_type)
