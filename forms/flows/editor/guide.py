"""The editors' guide to building a flow: a help page in the Wagtail admin, with the demo's
"Report a missed bin collection" flow as its worked example throughout."""

from __future__ import annotations

from typing import Any

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

TITLE = _("Help: building a flow")


class FlowGuideView(WagtailAdminTemplateMixin, TemplateView):
    """How to build a flow, for anyone who uses the admin (Wagtail asks for admin access)."""

    template_name = "flows/editor/guide.html"
    page_title = TITLE
    header_icon = "help"

    def get_breadcrumbs_items(self) -> list[dict[str, Any]]:
        return [*self.breadcrumbs_items, {"url": "", "label": self.page_title}]


@hooks.register("register_admin_urls")
def register_guide_url() -> list[Any]:
    return [path("flows/help/", FlowGuideView.as_view(), name="flow_guide")]


@hooks.register("register_admin_menu_item")
def register_guide_menu_item() -> MenuItem:
    # Beside Wagtail's own Help menu (11000), after Settings (10000).
    return MenuItem(TITLE, reverse("flow_guide"), name="flow-guide", icon_name="help", order=10500)
