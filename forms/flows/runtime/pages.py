"""The pages around a flow's questions: "You need to start again", "You have already sent
this", and the confirmation page, which only the session that has just sent the request may
see."""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, reverse

from forms.flows import journeys
from forms.flows.checkout import get_checkout
from forms.flows.constants import CHECK_ANSWERS_STEP, SubmissionStatus
from forms.flows.models import FlowPage, Submission
from services.models import ContactSettings

# The runtime's own pages beside the questions (their names are in RESERVED_STEP_NAMES).
START_AGAIN_STEP = "start-again"
EXPIRED_STEP = "session-expired"
CONFIRMATION_STEP = "confirmation"


def flow_url(request: HttpRequest, page: FlowPage) -> str:
    """The address the flow's own links start from: the page's, or in the editor's preview the
    preview's, so that every link and form of the preview stays in it."""
    return journeys.preview_url(request) or page.remembered(
        request, "url", lambda: page.get_url(request)
    )


def start_again(request: HttpRequest, page: FlowPage) -> HttpResponse:
    """The "You need to start again" page: the session ended, or the link is from another."""
    return TemplateResponse(
        request,
        "flows/session_expired.html",
        {
            "page": page,
            "service": page.service,
            "start_url": f"{flow_url(request, page)}?reset=1",
        },
    )


def expired_redirect(request: HttpRequest, page: FlowPage) -> HttpResponseRedirect:
    """After a POST that cannot go on: to "You need to start again", by GET."""
    return redirect(f"{flow_url(request, page)}{EXPIRED_STEP}/")


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


# The journeys that sent a request (reference -> "flow id:journey key"), newest last: Back after
# sending shows "You have already sent this", and a request waiting for payment may have its
# answers changed and sent again. As many as SENT_KEPT.
SENT_JOURNEYS_KEY = "flows-sent-journeys"


def remember_sent_journey(
    request: HttpRequest, page: FlowPage, submission: Submission, journey: str | None
) -> None:
    if not journey:
        return
    kept = {
        ref: where
        for ref, where in request.session.get(SENT_JOURNEYS_KEY, {}).items()
        if ref != submission.reference
    }
    kept[submission.reference] = f"{page.source_flow.pk}:{journey}"
    request.session[SENT_JOURNEYS_KEY] = dict(list(kept.items())[-SENT_KEPT:])


def sent_journey(request: HttpRequest, submission: Submission) -> str | None:
    """The key of the journey in this session that sent `submission`, while its answers are
    still kept; else None."""
    flow = submission.flow
    where = request.session.get(SENT_JOURNEYS_KEY, {}).get(submission.reference, "")
    flow_id, _sep, key = str(where).partition(":")
    if flow is None or not key or flow_id != str(flow.pk):
        return None
    if (
        not journeys.known(request, flow, key)
        or f"wizard_flow-{flow.pk}-{key}" not in request.session
    ):
        return None
    return key


def may_change_answers(submission: Submission) -> bool:
    """Only a request nobody has paid for yet (waiting, or its payment failed) is sent again."""
    return submission.status == SubmissionStatus.WAITING_FOR_PAYMENT


def change_answers_url(request: HttpRequest, submission: Submission) -> str | None:
    """Where the resident who sent `submission` (still waiting for payment, or its payment
    failed) goes to change their answers and send them again; None when this session can't."""
    if not may_change_answers(submission) or submission.flow is None:
        return None
    key = sent_journey(request, submission)
    if key is None:
        return None
    flow = submission.flow.in_language(submission.language)
    query = urlencode({journeys.PARAMETER: key, "reopen": submission.reference})
    return f"{flow.get_url(request)}{CHECK_ANSWERS_STEP}/?{query}"


def pay_now_url(submission: Submission) -> str | None:
    """The checkout's "Pay now" address for a request waiting for payment (None from a
    checkout without one, or when there is nothing to pay)."""
    if submission.status != SubmissionStatus.WAITING_FOR_PAYMENT or not submission.fee_pence:
        return None
    try:
        checkout = get_checkout()
    except Exception:
        return None
    url = getattr(checkout, "pay_now_url", None)
    return url(submission) if callable(url) else None


def already_sent(
    request: HttpRequest, page: FlowPage, reference: str, journey: str | None
) -> HttpResponse:
    """Back (or Back from the payment page) after sending: "You have already sent this", with
    the reference, where to follow it and, while it waits for payment, "Pay now"."""
    submission = Submission.objects.filter(reference=reference).first()
    if submission is None:  # deleted since (retention)
        return start_again(request, page)
    try:
        track_url = reverse("track")
    except NoReverseMatch:
        track_url = ""
    query = f"?{urlencode({journeys.PARAMETER: journey})}" if journey else ""
    return TemplateResponse(
        request,
        "flows/already_sent.html",
        {
            "page": page,
            "self": page,
            "service": page.service,
            "submission": submission,
            "track_url": track_url,
            "pay_now_url": pay_now_url(submission),
            "change_url": change_answers_url(request, submission),
            "start_again_url": f"{flow_url(request, page)}{START_AGAIN_STEP}/{query}",
        },
    )


def confirmation(page: FlowPage, request: HttpRequest) -> HttpResponse:
    """The confirmation page, for the resident who has just sent this flow (and nobody else)."""
    reference = request.session.get(done_session_key(page))
    submission = Submission.objects.filter(reference=reference, flow=page.source_flow).first()
    if submission is None:
        return start_again(request, page)
    # Imported here: the rest of this module needs none of them.
    from django.utils.translation import gettext as _

    from forms.flows.checkout import get_checkout
    from forms.flows.constants import SubmissionStatus

    first_event = submission.events.order_by("created_at", "pk").first()
    payment = submission.payments.order_by("-created_at").first()
    waiting = submission.status == SubmissionStatus.WAITING_FOR_PAYMENT and payment is not None
    # The panel says what happened. A fee calculator marked `subscription` (garden waste) sets
    # one up when it is paid.
    fee = page.fee_calculator()
    if waiting:
        panel_title = _("Request saved")
    elif payment is not None and payment.paid_at:
        subscription = getattr(fee, "subscription", False)
        panel_title = _("Subscription set up") if subscription else _("Payment received")
    else:
        panel_title = _("Request sent")
    return TemplateResponse(
        request,
        "flows/confirmation.html",
        {
            "page": page,
            "self": page,
            "service": page.service,
            "submission": submission,
            "action_note": first_event.note if first_event else "",
            "payment": payment,
            "panel_title": panel_title,
            "pay_now_url": get_checkout().pay_now_url(submission) if waiting else "",
            "contact": ContactSettings.for_request(request),
        },
    )
