"""A resident's journeys through a flow: each one a random id from "Start now" (or "Start
again") to sending, kept in the session with the last page the resident saw.

A session may have several journeys through one flow at once: one a tab, or one sent and one
new. Each has a short key that the runtime carries in its links and forms (`?journey=...`); a
request without one (an old link, a bookmark, the service page's "Start now") is about the
latest. Only a few journeys a flow are kept, so the session stays small.

A flow's translations are one flow: the journey goes on if the resident changes language. The
submission keeps the journey's id, so whatever happens after sending (a payment) joins it.
Listeners may keep small notes of their own in a journey (`annotate`): the insights app keeps
the device class and where the resident came from. No answer is ever kept here.

The editor's preview of a flow (forms.flows.editor.preview) runs the same journeys, kept apart
in the session and never announced: see `previewing`.
"""

from __future__ import annotations

import secrets
import uuid
from typing import TYPE_CHECKING, Any

from django.http import HttpRequest

from .signals import flow_event, flow_started

if TYPE_CHECKING:
    from .models import FlowPage

SESSION_KEY = "flow_journeys"
# The name of a journey's key in links (query string) and forms (a hidden field).
PARAMETER = "journey"
# Journeys kept for each flow, newest last: a few tabs, or one sent waiting for payment and a
# new one. The oldest is forgotten (with its answers) when another begins.
KEPT = 4
# The events that move the journey's "last page seen" on (for the "back" event).
SEEN = frozenset({"step_viewed", "check_viewed", "end_point"})
# Set on the request when a journey begins in it: the rest of the request is about the new one.
_BEGUN = "_flow_journey_begun"
# The editor's preview sets PREVIEW_URL on its requests: the address its pages live under. Its
# journeys are kept under their own session key, so trying a branch never pushes a resident's
# journey out of the same browser (KEPT), and they are never announced, so an editor's clicks
# never show in a team's figures.
PREVIEW_URL = "flow_preview_url"
PREVIEW_SESSION_KEY = "flow_preview_journeys"


def preview_url(request: HttpRequest) -> str:
    """Where the editor's preview of the flow lives, if `request` is one of its; else ''."""
    return str(getattr(request, PREVIEW_URL, "") or "")


def previewing(request: HttpRequest) -> bool:
    return bool(preview_url(request))


def _flow(page: FlowPage) -> str:
    return str(page.source_flow.pk)


def _session_key(request: HttpRequest) -> str:
    return PREVIEW_SESSION_KEY if previewing(request) else SESSION_KEY


def _all(request: HttpRequest) -> dict[str, Any]:
    stored = request.session.get(_session_key(request), {})
    return stored if isinstance(stored, dict) else {}


def _of_flow(request: HttpRequest, page: FlowPage) -> dict[str, dict[str, str]]:
    """This flow's journeys by key, oldest first."""
    entry = _all(request).get(_flow(page))
    # (A session from before keys kept one journey a flow, as {"id": ..., "last": ...}.)
    if not isinstance(entry, dict) or "id" in entry:
        return {}
    return entry


def _save(request: HttpRequest, page: FlowPage, journeys: dict[str, dict[str, str]]) -> None:
    stored = dict(_all(request))
    stored[_flow(page)] = journeys
    request.session[_session_key(request)] = stored


def requested_key(request: HttpRequest) -> str:
    """The journey key the page the resident came from carries (a form field or the link)."""
    value = request.POST.get(PARAMETER) if request.method == "POST" else None
    return (value or request.GET.get(PARAMETER) or "")[:40]


def keys(request: HttpRequest, page: FlowPage) -> list[str]:
    """This flow's journeys' keys, oldest first."""
    return list(_of_flow(request, page))


def known(request: HttpRequest, page: FlowPage, key: str) -> bool:
    return key in _of_flow(request, page)


def key(request: HttpRequest, page: FlowPage) -> str | None:
    """The key of the journey this request is about: one begun in this request, else the one
    it names (if this session still has it), else the latest; None without any."""
    begun = getattr(request, _BEGUN, {}).get(_flow(page))
    if begun:
        return str(begun)
    journeys = _of_flow(request, page)
    asked = requested_key(request)
    if asked in journeys:
        return asked
    return next(reversed(journeys), None) if journeys else None


def current(request: HttpRequest, page: FlowPage) -> dict[str, str] | None:
    found = key(request, page)
    return _of_flow(request, page).get(found) if found else None


def begin(request: HttpRequest, page: FlowPage) -> tuple[str, list[str]]:
    """A new journey through `page`'s flow, announced to `flow_started`'s listeners. Returns
    its key and the keys of the journeys forgotten to make room (their answers go with them)."""
    journeys = dict(_of_flow(request, page))
    new = secrets.token_urlsafe(6)
    journeys[new] = {"id": str(uuid.uuid4()), "last": ""}
    dropped = list(journeys)[:-KEPT]
    for old in dropped:
        del journeys[old]
    _save(request, page, journeys)
    setattr(request, _BEGUN, {**getattr(request, _BEGUN, {}), _flow(page): new})
    if not previewing(request):
        flow_started.send_robust(type(page), page=page, request=request)
    return new, dropped


def forget(request: HttpRequest, page: FlowPage, key: str) -> None:
    """The journey `key` has ended for good (the resident started again)."""
    journeys = dict(_of_flow(request, page))
    if journeys.pop(key, None) is not None:
        _save(request, page, journeys)


def annotate(request: HttpRequest, page: FlowPage, **notes: str) -> None:
    """Keep `notes` in the current journey (ignored without one)."""
    found = key(request, page)
    journeys = dict(_of_flow(request, page))
    if found is None or found not in journeys:
        return
    journeys[found] = {**journeys[found], **notes}
    _save(request, page, journeys)


def journey_id(request: HttpRequest, page: FlowPage) -> uuid.UUID | None:
    journey = current(request, page)
    return uuid.UUID(journey["id"]) if journey else None


def last_step(request: HttpRequest, page: FlowPage) -> str:
    return (current(request, page) or {}).get("last", "")


def event(request: HttpRequest, page: FlowPage, kind: str, step: str = "", **detail: Any) -> None:
    """Tell `flow_event`'s listeners what the resident did (nothing outside a journey, nor in
    the editor's preview)."""
    if previewing(request) or current(request, page) is None:
        return
    if step and kind in SEEN:
        annotate(request, page, last=step)
    flow_event.send_robust(
        type(page), page=page, request=request, kind=kind, step=step, detail=detail
    )
