"""The editor's preview of a flow: every page, as a resident meets it, of the edits on screen.

Wagtail previews a page by calling `serve_preview` once, on a stand-in request, and showing the
answer in the editor's preview panel (or in a new tab). A flow is many pages whose forms post,
so the preview lives at its own admin address instead, `/admin/flows/<page id>/preview/`, and
`serve_flow_preview` (FlowPage.serve_preview) only sends the panel there. Each request there
rebuilds the page from what the editor has on screen, as Wagtail's own preview does (its
`PreviewOnEditView`, from the form data it keeps for the editor), or from the latest saved
version, and serves it with the resident runtime (`PreviewFlowWizard`), so that:

- every link and form of the flow stays under the preview's address;
- nothing is saved, paid for, emailed or counted, and the editor is never rate-limited: "Send"
  shows what would happen instead (`preview_confirmation`), and the satisfaction question is
  not asked (`preview_templates`);
- the preview's answers are kept apart from the same browser's resident journeys
  (`journeys.previewing`: their own session key and their own answers' prefix).
"""

from __future__ import annotations

import functools
import uuid
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect
from django.template import engines
from django.template.backends.django import DjangoTemplates
from django.template.backends.django import Template as BackendTemplate
from django.template.engine import Engine
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import translation
from django.views.defaults import permission_denied
from wagtail import hooks
from wagtail.admin.views.pages.preview import PreviewOnEditView
from wagtail.utils.decorators import xframe_options_sameorigin_override

from forms.flows import journeys
from forms.flows.constants import CHECK_ANSWERS_STEP
from forms.flows.handlers import actions
from forms.flows.models import FlowPage
from forms.flows.runtime import serve_flow
from forms.flows.runtime.pages import CONFIRMATION_STEP
from forms.flows.runtime.submit import contact_email
from forms.flows.runtime.wizard import FlowWizard

URL_NAME = "flows_preview"
STEP_URL_NAME = "flows_preview_step"
# Set in the preview journey once "Send" is pressed: its confirmation may then be shown.
PREVIEW_SENT = "preview_sent"


def preview_url(page_id: int) -> str:
    return reverse(URL_NAME, args=[page_id])


# FlowPage.serve_preview


def serve_flow_preview(page: FlowPage, request: HttpRequest, mode_name: str) -> HttpResponse:
    """What Wagtail's preview panel and "Preview in new tab" show: the flow's preview, where
    the editor's preview journey is (its first page, to begin with).

    Wagtail calls this on a stand-in request and then saves the editor's session from its own
    request (SESSION_SAVE_EVERY_REQUEST), so anything the runtime kept here would be lost: the
    preview runs on the real requests that this redirect leads to."""
    if page.pk is None:  # a new flow, not saved yet: there is no address to walk it at
        return TemplateResponse(
            request,
            "flows/editor/preview/unavailable.html",
            {"page": page, "reason": "not_saved"},
        )
    return redirect(preview_url(page.pk))


# the page being edited


def page_being_edited(request: HttpRequest, page_id: int) -> tuple[FlowPage, bool] | HttpResponse:
    """The flow as the editor has it on screen (True), or as last saved (False) when Wagtail
    keeps no edits for them; Wagtail's "preview not available" when the edits do not validate.
    Wagtail's own preview view does the work: who may edit, the form, and where the edits are
    kept (it raises Http404 or PermissionDenied)."""
    view = PreviewOnEditView()
    view.setup(request, page_id=page_id)
    if not isinstance(view.object, FlowPage):
        raise Http404
    state = view.get_form_state_queryset().first()
    if state is None:
        return view.object, False
    form = view.get_form(QueryDict(state.data))
    if not view.validate_form(form):
        return view.error_response()
    form.save(commit=False)
    return form.instance, True


# the runtime, previewing


class PreviewFlowWizard(FlowWizard):
    """The resident runtime, for the editor's preview: its own answers, no rate limit, nothing
    sent, and "Start now" goes on where the editor is (the preview panel starts from the flow's
    address each time the editor changes something)."""

    @classmethod
    def page_around(
        cls, page: FlowPage, request: HttpRequest, step: str | None
    ) -> HttpResponse | None:
        if step == CONFIRMATION_STEP:  # the preview's own, from the journey's answers (get)
            return None
        return super().page_around(page, request, step)

    def get_prefix(self, request: HttpRequest, *args: Any, **kwargs: Any) -> str:
        return f"flow-preview-{self.page.source_flow.pk}"

    def over_rate_limit(self) -> bool:
        # The editor's answers are not residents': never counted against the office's address.
        return False

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if kwargs.get("step") == CONFIRMATION_STEP:
            return self.preview_confirmation()
        return super().get(request, *args, **kwargs)

    def start_page(self) -> HttpResponse:
        if not self.flow_steps.steps:
            return TemplateResponse(
                self.request,
                "flows/editor/preview/unavailable.html",
                {"page": self.page, "reason": "no_steps"},
            )
        if "reset" in self.request.GET:  # the banner's "Start again": this journey is over
            return self.start_again_now()
        if not self.started:
            self.begin_journey()
        return redirect(self.get_step_url(self.steps.current))

    def back_url(self, step_name: str) -> str:
        # A resident's first page goes back to the live service page: nothing comes before the
        # first page in the preview.
        url = super().back_url(step_name)
        return "" if url == self.page.service.get_url(self.request) else url

    def submit(self) -> HttpResponse:
        """ "Send": check the answers as the runtime does, then show what would happen."""
        try:
            token = uuid.UUID(self.request.POST.get("token", ""))
        except ValueError:
            return redirect(self.get_step_url(CHECK_ANSWERS_STEP))
        if not self.started or self._extra().get("token") != str(token):
            return self.stale() or self.expired()
        final = self.validated_forms()
        if isinstance(final, HttpResponse):
            return final
        self._extra(**{PREVIEW_SENT: True})
        return redirect(self.get_step_url(CONFIRMATION_STEP))

    def preview_confirmation(self) -> HttpResponse:
        """What residents who sent these answers would see and get: the fee they would pay,
        the email, the after-send action and "what happens next"."""
        if not self.started or not self._extra().get(PREVIEW_SENT):
            return redirect(self.get_step_url(CHECK_ANSWERS_STEP))
        final = self.validated_forms()
        if isinstance(final, HttpResponse):  # answers changed since: as the runtime would
            return final
        answers = self.collect_answers(final)
        calculator = self.page.fee_calculator()
        priced = self.priced(answers)
        if priced["fee_unavailable"]:  # check your answers says why
            return redirect(self.get_step_url(CHECK_ANSWERS_STEP))
        return TemplateResponse(
            self.request,
            "flows/editor/preview/confirmation.html",
            {
                **self.page_context(),
                "fee": priced["fee"],
                "subscription": getattr(calculator, "subscription", False),
                "email": contact_email(answers),
                "action": actions.get(self.page.after_submit_action),
                "change_url": self.get_step_url(CHECK_ANSWERS_STEP),
            },
        )


# the preview's pages


# Templates the preview draws instead of the resident's, by the same name (such as the
# satisfaction question, whose answers would go to the live site's figures).
OVERRIDES = Path(__file__).resolve().parent.parent / "templates/flows/editor/preview/overrides"


@functools.cache
def preview_templates() -> Engine:
    """The site's template engine with the preview's overrides first. The resident templates
    include their parts by name, so the preview replaces a part without copying the pages
    around it."""
    backend = engines["django"]
    assert isinstance(backend, DjangoTemplates)
    site = backend.engine
    return Engine(
        dirs=site.dirs,
        loaders=[("django.template.loaders.filesystem.Loader", [str(OVERRIDES)]), *site.loaders],
        context_processors=site.context_processors,
        debug=site.debug,
        libraries=site.libraries,
        builtins=[b for b in site.builtins if b not in Engine.default_builtins],
        string_if_invalid=site.string_if_invalid,
        file_charset=site.file_charset,
        autoescape=site.autoescape,
    )


def in_preview_frame(response: HttpResponse, preview: dict[str, Any]) -> HttpResponse:
    """A page of the runtime, drawn with the preview banner (and the preview's overrides)."""
    if not isinstance(response, TemplateResponse) or response.is_rendered:
        return response  # a redirect, or a page with nothing of the flow
    names = response.template_name
    if not isinstance(names, (str, list, tuple)):
        return response  # (a template object: not one of the runtime's)
    engine = preview_templates()
    inner = engine.select_template([names] if isinstance(names, str) else list(names))
    response.context_data = {**(response.context_data or {}), "preview_of": inner, **preview}
    backend = engines["django"]
    assert isinstance(backend, DjangoTemplates)
    response.template_name = BackendTemplate(
        engine.get_template("flows/editor/preview/page.html"), backend
    )
    return response.render()


@xframe_options_sameorigin_override  # shown in the editor's preview panel
def flow_preview(request: HttpRequest, page_id: int, step: str | None = None) -> HttpResponse:
    """One page of the preview of the flow `page_id`, for an editor who may edit it."""
    if request.method not in ("GET", "HEAD", "POST"):
        return HttpResponse(status=405, headers={"Allow": "GET, HEAD, POST"})
    try:
        edited = page_being_edited(request, page_id)
    except PermissionDenied as denied:
        # A plain 403, not the admin's redirect to its dashboard, which would open the whole
        # admin inside the preview panel.
        return permission_denied(request, denied)
    if isinstance(edited, HttpResponse):
        return edited
    page, unsaved = edited
    base = preview_url(page_id)
    setattr(request, journeys.PREVIEW_URL, base)
    request.is_preview = True  # type: ignore[attr-defined]  # Wagtail's flag: page cache skips it
    preview = {
        "preview_unsaved": unsaved,
        "preview_start_again_url": f"{base}?reset=1",
        # The banner speaks to the editor in the admin's language; the flow, residents' own.
        "preview_language": translation.get_language(),
    }
    with translation.override(page.locale.language_code):
        response = serve_flow(page, request, step, wizard=PreviewFlowWizard)
        return in_preview_frame(response, preview)


@hooks.register("register_admin_urls")
def register_preview_urls() -> list[Any]:
    return [
        path("flows/<int:page_id>/preview/", flow_preview, name=URL_NAME),
        path("flows/<int:page_id>/preview/<slug:step>/", flow_preview, name=STEP_URL_NAME),
    ]
