"""The runtime that serves every flow: `serve_flow(page, request, step)`."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse

from forms.flows.constants import CHECK_ANSWERS_STEP
from forms.flows.models import FlowPage

from .pages import (
    change_answers_url,
    confirmation,
    confirmation_redirect,
    done_session_key,
    start_again,
)
from .steps import FlowSteps
from .wizard import FlowWizard


def serve_flow(
    page: FlowPage,
    request: HttpRequest,
    step: str | None,
    wizard: type[FlowWizard] = FlowWizard,
) -> HttpResponse:
    """Serve one of the flow's pages. `wizard`: the editor's preview serves the same runtime
    with its own (forms.flows.editor.preview)."""
    around = wizard.page_around(page, request, step)
    if around is not None:
        return around
    flow_steps = FlowSteps(page)
    view = wizard.as_view(
        form_list=list(flow_steps.form_list().items()),
        condition_dict=flow_steps.condition_dict(),
        url_name="flows:step",  # unused: FlowWizard.get_step_url builds page URLs
        done_step_name=CHECK_ANSWERS_STEP,
        page=page,
        flow_steps=flow_steps,
    )
    return view(request, step=step)


__all__ = [
    "change_answers_url",
    "confirmation",
    "confirmation_redirect",
    "done_session_key",
    "serve_flow",
    "start_again",
]
