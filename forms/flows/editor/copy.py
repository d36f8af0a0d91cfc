"""'Copy this flow': a flow built for one service, copied as a draft for a service with none.

Wagtail's own copy does the work (its CopyView's permission checks and hooks, its CopyForm's
checks of the new address, its CopyPageAction); this adds what a flow needs: only the services
that have no flow yet may be chosen (a service has one flow: FlowPage.max_count_per_parent), the
copy is never live, and the editor lands in the copy's editor to make it their service's.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView
from wagtail import hooks
from wagtail.actions.copy_page import CopyPageAction
from wagtail.admin import messages
from wagtail.admin.forms.pages import CopyForm
from wagtail.admin.ui.menus.pages import PageMenuItem
from wagtail.admin.views.pages.copy import CopyView
from wagtail.models import Page

from forms.flows.models import FlowPage
from services.models import ServicePage

URL_NAME = "flows_copy"


def services_without_a_flow(flow: Page, user: Any) -> list[ServicePage]:
    """The services, in the flow's language, that have no flow yet and where `user` may add
    one, by title."""
    with_flow = {path[: -Page.steplen] for path in FlowPage.objects.values_list("path", flat=True)}
    services = (
        ServicePage.objects.filter(locale_id=flow.locale_id)
        .exclude(path__in=with_flow)
        .order_by("title")
    )
    permissions = flow.permissions_for_user(user)
    return [service for service in services if permissions.can_copy_to(service)]


class FlowCopyForm(CopyForm):
    """Wagtail's copy form with the service chosen from a list, and nothing published."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.services = services_without_a_flow(self.page, self.user)
        self.fields["new_parent_page"] = forms.ModelChoiceField(
            queryset=ServicePage.objects.filter(pk__in=[s.pk for s in self.services]),
            label=gettext_lazy("Service"),
            help_text=gettext_lazy(
                "The service the copy is for. Only services without an online flow are listed."
            ),
            empty_label=gettext_lazy("Choose a service"),
        )
        self.fields["new_title"].help_text = gettext_lazy(
            "You can change this and everything else in the copy before you publish it."
        )
        # Always one draft page: a flow has no subpages, and a copy for another service is its
        # own flow (never an alias kept in step with this one), published when it is ready.
        for name in ("copy_subpages", "publish_copies", "alias"):
            self.fields.pop(name, None)


class FlowCopyView(CopyView):
    """Copy a flow as a draft under a service with no flow, then open the copy's editor."""

    template_name = "flows/editor/copy.html"

    def dispatch(self, request: HttpRequest, page_id: int, *args: Any, **kwargs: Any) -> Any:
        if not FlowPage.objects.filter(pk=page_id).exists():
            raise Http404
        return super().dispatch(request, page_id, *args, **kwargs)

    def get_form_class(self) -> type[CopyForm]:
        return FlowCopyForm

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        # Not CopyView's: it reads the chosen parent before the form checks it.
        return FormView.post(self, request, *args, **kwargs)

    def form_valid(self, form: FlowCopyForm) -> HttpResponse:
        # The flow as the editor last saved it (its draft), not only as published; the copy's
        # history starts with the copy.
        flow = self.page.specific.get_latest_revision_as_object()
        copy = CopyPageAction(
            page=flow,
            to=form.cleaned_data["new_parent_page"],
            update_attrs={
                "title": form.cleaned_data["new_title"],
                "slug": form.cleaned_data["new_slug"],
            },
            copy_revisions=False,
            keep_live=False,
            user=self.request.user,
        ).execute()
        messages.success(
            self.request,
            _("'%(title)s' copied for %(service)s as a draft: make it theirs, then publish it.")
            % {"title": flow.title, "service": form.cleaned_data["new_parent_page"].title},
        )
        for hook in hooks.get_hooks("after_copy_page"):
            result = hook(self.request, self.page, copy)
            if hasattr(result, "status_code"):
                return result
        return redirect("wagtailadmin_pages:edit", copy.pk)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["action_url"] = reverse(URL_NAME, args=[self.page.pk])
        return context


class CopyFlowButton(PageMenuItem):
    label = gettext_lazy("Copy this flow")
    icon_name = "copy"
    url_name = URL_NAME

    def is_shown(self, user: Any) -> bool:
        return issubclass(self.page.specific_class or Page, FlowPage) and (
            self.page.permissions_for_user(user).can_copy()
        )


@hooks.register("register_admin_urls")
def register_copy_url() -> list[Any]:
    return [path("flows/<int:page_id>/copy/", FlowCopyView.as_view(), name=URL_NAME)]


@hooks.register("register_page_header_buttons")
def copy_flow_header_button(
    page: Page, user: Any, view_name: str, next_url: str | None = None
) -> list[PageMenuItem]:
    return [CopyFlowButton(page=page, priority=35)]


@hooks.register("register_page_listing_more_buttons")
def copy_flow_listing_button(
    page: Page, user: Any, next_url: str | None = None
) -> list[PageMenuItem]:
    return [CopyFlowButton(page=page, priority=25)]
