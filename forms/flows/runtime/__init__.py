"""The runtime that serves every flow: `serve_flow(page, request, step)`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

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


def compile_steps(
    page: FlowPage,
) -> tuple[FlowSteps, list[tuple[str, type[Any]]], dict[str, Callable[[Any], bool]]]:
    flow_steps = FlowSteps(page)
    return flow_steps, list(flow_steps.form_list().items()), flow_steps.condition_dict()


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
    # The flow's steps as forms and conditions, built once per process for each published
    # version of the page (the page cache's generation), never changed by a request.
    flow_steps, form_list, condition_dict = page.remembered(
        request, "compiled_steps", lambda: compile_steps(page)
    )
    view = wizard.as_view(
        form_list=form_list,
        condition_dict=condition_dict,
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
