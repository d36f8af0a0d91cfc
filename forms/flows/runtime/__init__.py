"""The runtime that serves every flow: `serve_flow(page, request, step)`."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from forms.flows.constants import CHECK_ANSWERS_STEP
from forms.flows.models import FlowPage, Submission
from services.models import ContactSettings

from .steps import FlowSteps
from .wizard import FlowWizard, confirmation_redirect, done_session_key, start_again


def serve_flow(page: FlowPage, request: HttpRequest, step: str | None) -> HttpResponse:
    if step == "confirmation":
        return confirmation(page, request)
    flow_steps = FlowSteps(page)
    view = FlowWizard.as_view(
        form_list=list(flow_steps.form_list().items()),
        condition_dict=flow_steps.condition_dict(),
        url_name="flows:step",  # unused: FlowWizard.get_step_url builds page URLs
        done_step_name=CHECK_ANSWERS_STEP,
        page=page,
        flow_steps=flow_steps,
    )
    return view(request, step=step)


def confirmation(page: FlowPage, request: HttpRequest) -> HttpResponse:
    """The confirmation page, for the resident who has just sent this flow (and nobody else)."""
    reference = request.session.get(done_session_key(page))
    submission = Submission.objects.filter(reference=reference, flow=page.source_flow).first()
    if submission is None:
        return start_again(request, page)
    first_event = submission.events.order_by("created_at", "pk").first()
    return TemplateResponse(
        request,
        "flows/confirmation.html",
        {
            "page": page,
            "self": page,
            "service": page.service,
            "submission": submission,
            "action_note": first_event.note if first_event else "",
            "payment": submission.payments.order_by("-created_at").first(),
            "contact": ContactSettings.for_request(request),
        },
    )


__all__ = ["confirmation", "confirmation_redirect", "done_session_key", "serve_flow", "start_again"]
