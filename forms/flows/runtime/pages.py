"""The pages around a flow's questions: "You need to start again", and the confirmation page,
which only the session that has just sent the request may see."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.template.response import TemplateResponse

from forms.flows.models import FlowPage, Submission
from services.models import ContactSettings


def start_again(request: HttpRequest, page: FlowPage) -> HttpResponse:
    """The "You need to start again" page: the session ended, or the link is from another."""
    return TemplateResponse(
        request,
        "flows/session_expired.html",
        {
            "page": page,
            "service": page.service,
            "start_url": f"{page.get_url(request)}?reset=1",
        },
    )


def done_session_key(page: FlowPage) -> str:
    return f"flow-{page.source_flow.pk}-done"


# The references of the requests this session sent and was sent to pay for, newest last. A
# payment's address (its return page, the provider's page) is no secret: it passes through the
# provider, the resident's bank app and browser history. Only this list says whose it is.
SENT_SESSION_KEY = "flows-sent"
# Enough for a resident paying for several requests in one sitting; the session stays small.
SENT_KEPT = 20


def remember_sent(request: HttpRequest, submission: Submission) -> None:
    """This session sent `submission` (and is being sent to pay for it): it may see the
    request's reference, fee and answers on the payment and confirmation pages."""
    sent = [ref for ref in request.session.get(SENT_SESSION_KEY, []) if ref != submission.reference]
    request.session[SENT_SESSION_KEY] = [*sent, submission.reference][-SENT_KEPT:]


def sent_here(request: HttpRequest, submission: Submission) -> bool:
    """Whether this session sent `submission`. Anyone else who has the payment's address (the
    bank app opened it in another browser; a link passed on) is told no more than that the
    payment was received or not, and to look at their email."""
    if submission.reference in request.session.get(SENT_SESSION_KEY, []):
        return True
    # Sessions from before the list: the flow's done key, set as the resident was sent to pay.
    flow = submission.flow
    return flow is not None and request.session.get(done_session_key(flow)) == submission.reference


def confirmation_redirect(
    request: HttpRequest, submission: Submission, page: FlowPage | None = None
) -> HttpResponseRedirect:
    """To the confirmation page of `submission`, which only this session may then see: in
    `page`'s language, or else in the language the request was sent in. The caller vouches that
    this session sent the request (it has just sent it, or `sent_here` says so): the page then
    shows the reference, the fee and the email address."""
    flow = page
    if flow is None:
        if submission.flow is None:  # deleted: callers check, and show another page
            raise ValueError(f"Request {submission.reference} has no flow to confirm on")
        flow = submission.flow.in_language(submission.language)
    request.session[done_session_key(flow)] = submission.reference
    return redirect(f"{flow.get_url(request)}confirmation/")


def change_answers_url(request: HttpRequest, submission: Submission) -> str | None:
    """Where the resident who sent `submission` (still waiting for payment, or its payment
    failed) goes to change their answers and send them again; None when this session can't."""
    return None


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
