"""Flow tracking: first-party, server-side, anonymous.

Each flow journey gets a random id in the session when it starts, with the device class
(from the User-Agent, then forgotten) and where the resident came from (a search result, the
service page, or elsewhere). Events are collected on the request and written by
`TrackingMiddleware` in one `bulk_create` after the response is ready: one database write at
most per request, and a failure is logged and forgotten, never shown to the resident.
No answer, IP address or extra cookie is ever recorded.
"""

from __future__ import annotations

import datetime
import logging
import re
import uuid
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import get_language

logger = logging.getLogger(__name__)

SESSION_KEY = "flow_journeys"
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


def came_from(request: HttpRequest, page: Any) -> str:
    """search (a result chosen in the last 2 hours), service_page (the Start button's page),
    or elsewhere."""
    from search.analytics import attributed_log_id

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


def _key(page: Any) -> str:
    # A flow's translations are one flow: the journey goes on if the resident changes language.
    return str(page.source_flow.pk)


def _journeys(request: HttpRequest) -> dict[str, dict[str, str]]:
    return request.session.get(SESSION_KEY, {})


def start(request: HttpRequest, page: Any) -> None:
    """A new journey through `page`'s flow (a fresh start or "start again")."""
    journeys = dict(_journeys(request))
    journeys[_key(page)] = {
        "id": str(uuid.uuid4()),
        "device": device_class(request.META.get("HTTP_USER_AGENT", "")),
        "source": came_from(request, page),
        "last": "",
    }
    request.session[SESSION_KEY] = journeys
    record(request, page, "started")


def journey_id(request: HttpRequest, page: Any) -> uuid.UUID | None:
    journey = _journeys(request).get(_key(page))
    return uuid.UUID(journey["id"]) if journey else None


def last_step(request: HttpRequest, page: Any) -> str:
    return (_journeys(request).get(_key(page)) or {}).get("last", "")


def record(request: HttpRequest, page: Any, kind: str, step: str = "", **detail: str) -> None:
    """Queue one event for this request's journey through `page` (ignored without one)."""
    try:
        journey = _journeys(request).get(_key(page))
        if journey is None:
            return
        if step and kind in ("step_viewed", "check_viewed", "end_point"):
            journeys = dict(_journeys(request))
            journeys[_key(page)] = {**journey, "last": step}
            request.session[SESSION_KEY] = journeys
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


def record_for_submission(request: HttpRequest | None, submission: Any, kind: str) -> None:
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
    from forms.models import FlowEvent

    events = getattr(request, BUFFER, None)
    if events is None:
        events = []
        setattr(request, BUFFER, events)
    events.append(FlowEvent(created_at=timezone.now(), **fields))


def flush(request: HttpRequest) -> int:
    """Write the request's events in one statement; returns how many (0 on failure)."""
    from django.db import transaction

    from forms.models import FlowEvent

    events = getattr(request, BUFFER, None)
    if not events:
        return 0
    setattr(request, BUFFER, [])
    try:
        with transaction.atomic():
            FlowEvent.objects.bulk_create(events)
    except Exception:
        logger.exception("%d flow events could not be saved", len(events))
        return 0
    return len(events)


class TrackingMiddleware:
    """Saves the events a request queued, once the view has answered."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        response = self.get_response(request)
        flush(request)
        return response
