"""A resident's journey through a flow: one random id from "Start now" (or "start again") to
sending, kept in the session for each flow, with the last page the resident saw.

A flow's translations are one flow: the journey goes on if the resident changes language. The
submission keeps the journey's id, so whatever happens after sending (a payment) joins it.
Listeners may keep small notes of their own in a journey (`annotate`): the insights app keeps
the device class and where the resident came from. No answer is ever kept here.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from django.http import HttpRequest

from .signals import flow_event, flow_started

if TYPE_CHECKING:
    from .models import FlowPage

SESSION_KEY = "flow_journeys"
# The events that move the journey's "last page seen" on (for the "back" event).
SEEN = frozenset({"step_viewed", "check_viewed", "end_point"})


def _key(page: FlowPage) -> str:
    return str(page.source_flow.pk)


def _journeys(request: HttpRequest) -> dict[str, dict[str, str]]:
    return request.session.get(SESSION_KEY, {})


def current(request: HttpRequest, page: FlowPage) -> dict[str, str] | None:
    return _journeys(request).get(_key(page))


def begin(request: HttpRequest, page: FlowPage) -> None:
    """A new journey through `page`'s flow, announced to `flow_started`'s listeners."""
    journeys = dict(_journeys(request))
    journeys[_key(page)] = {"id": str(uuid.uuid4()), "last": ""}
    request.session[SESSION_KEY] = journeys
    flow_started.send_robust(type(page), page=page, request=request)


def annotate(request: HttpRequest, page: FlowPage, **notes: str) -> None:
    """Keep `notes` in the current journey (ignored without one)."""
    journey = current(request, page)
    if journey is None:
        return
    journeys = dict(_journeys(request))
    journeys[_key(page)] = {**journey, **notes}
    request.session[SESSION_KEY] = journeys


def journey_id(request: HttpRequest, page: FlowPage) -> uuid.UUID | None:
    journey = current(request, page)
    return uuid.UUID(journey["id"]) if journey else None


def last_step(request: HttpRequest, page: FlowPage) -> str:
    return (current(request, page) or {}).get("last", "")


def event(request: HttpRequest, page: FlowPage, kind: str, step: str = "", **detail: Any) -> None:
    """Tell `flow_event`'s listeners what the resident did (nothing outside a journey)."""
    if current(request, page) is None:
        return
    if step and kind in SEEN:
        annotate(request, page, last=step)
    flow_event.send_robust(
        type(page), page=page, request=request, kind=kind, step=step, detail=detail
    )
