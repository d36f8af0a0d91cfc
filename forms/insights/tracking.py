"""Flow tracking: first-party, server-side, anonymous.

It listens to the flows' and payments' signals. When a journey starts (forms.flows.journeys)
it notes the device class (from the User-Agent, then forgotten) and where the resident came from
(a search result, the service page, or elsewhere). Events are collected on the request and
written by `TrackingMiddleware` in one `bulk_create` after the response is ready: one database
write at most per request, and a failure is logged and forgotten, never shown to the resident.
No answer, IP address or extra cookie is ever recorded.
"""

from __future__ import annotations

import datetime
import logging
import re
import uuid
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import get_language

from forms.flows import journeys, signals
from forms.flows.models import FlowPage, Submission
from forms.payments import signals as payment_signals
from search.analytics import attributed_log_id

from .models import FlowEvent

logger = logging.getLogger(__name__)

BUFFER = "_flow_events"
# A journey idle this long is abandoned at its last step (the reports apply it).
IDLE = datetime.timedelta(minutes=30)

_TABLET = re.compile(r"ipad|tablet|kindle|silk|playbook|(android(?!.*mobile))", re.IGNORECASE)
_MOBILE = re.compile(r"mobi|iphone|ipod|windows phone|blackberry|opera mini", re.IGNORECASE)


def device_class(user_agent: str) -> str:
    """mobile, tablet, desktop or unknown: all we keep of the User-Agent."""
    if not user_agent:
        return "unknown"
    if _TABLET.search(user_agent):
        return "tablet"
    if _MOBILE.search(user_agent):
        return "mobile"
    return "desktop"


def came_from(request: HttpRequest, page: FlowPage) -> str:
    """search (a result chosen in the last 2 hours), service_page (the Start button's page),
    or elsewhere."""
    try:
        if attributed_log_id(request):
            return "search"
    except Exception:  # never let attribution break a start
        logger.exception("Search attribution could not be read")
    referer = request.META.get("HTTP_REFERER", "")
    service = getattr(page, "service", None)
    if referer and service is not None:
        path = re.sub(r"^[a-z]+://[^/]+", "", referer).split("?")[0]
        if path and path == service.get_url(request):
            return "service_page"
    return "elsewhere"


def started(sender: Any, page: FlowPage, request: HttpRequest, **kwargs: Any) -> None:
    """A new journey: note the device class and where the resident came from, then count it."""
    journeys.annotate(
        request,
        page,
        device=device_class(request.META.get("HTTP_USER_AGENT", "")),
        source=came_from(request, page),
    )
    record(request, page, "started")


def flow_event(
    sender: Any, page: FlowPage, request: HttpRequest, kind: str, step: str, detail: dict, **kw: Any
) -> None:
    record(request, page, kind, step, **detail)


def payment_event(
    sender: Any, submission: Submission, request: HttpRequest | None, kind: str, **kw: Any
) -> None:
    record_for_submission(request, submission, kind)


def connect() -> None:
    """Listen to the flows' and payments' news (called when the app is ready)."""
    signals.flow_started.connect(started, dispatch_uid="insights.started")
    signals.flow_event.connect(flow_event, dispatch_uid="insights.flow_event")
    payment_signals.payment_event.connect(payment_event, dispatch_uid="insights.payment_event")


def record(request: HttpRequest, page: FlowPage, kind: str, step: str = "", **detail: str) -> None:
    """Queue one event for this request's journey through `page` (ignored without one)."""
    try:
        journey = journeys.current(request, page)
        if journey is None:
            return
        _queue(
            request,
            flow_id=page.source_flow.pk,
            journey=uuid.UUID(journey["id"]),
            kind=kind,
            step=step[:100],
            field=detail.get("field", "")[:100],
            error=detail.get("error", "")[:100],
            language=get_language() or "",
            device=journey.get("device", "unknown"),
            source=journey.get("source", "elsewhere"),
        )
    except Exception:
        logger.exception("A flow event could not be recorded")


def record_for_submission(request: HttpRequest | None, submission: Submission, kind: str) -> None:
    """An event for the journey that sent `submission` (payment news from the provider comes
    without the resident's session)."""
    try:
        if submission.journey is None:
            return
        if request is None:  # a command (reconciliation): written at once
            request = HttpRequest()
            flush_after = True
        else:
            flush_after = False
        _queue(
            request,
            flow_id=submission.flow_id,
            journey=submission.journey,
            kind=kind,
            step="payment",
            language=submission.language,
        )
        if flush_after:
            flush(request)
    except Exception:
        logger.exception("A flow event could not be recorded")


def _queue(request: HttpRequest, **fields: Any) -> None:
    events = getattr(request, BUFFER, None)
    if events is None:
        events = []
        setattr(request, BUFFER, events)
    events.append(FlowEvent(created_at=timezone.now(), **fields))


def flush(request: HttpRequest) -> int:
    """Write the request's events in one statement; returns how many (0 on failure)."""
    events = getattr(request, BUFFER, None)
    if not events:
        return 0
    setattr(request, BUFFER, [])
    try:
        if len(events) == 1:
            # Most requests note one event: one INSERT on its own, with no BEGIN and COMMIT
            # around it (bulk_create opens a transaction even for a single row).
            events[0].save(force_insert=True)
        else:
            with transaction.atomic():
                FlowEvent.objects.bulk_create(events)
    except Exception:
        logger.exception("%d flow events could not be saved", len(events))
        return 0
    return len(events)


class TrackingMiddleware:
    """Saves the events a request queued, once the view has answered."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        flush(request)
        return response
