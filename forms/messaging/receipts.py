"""Delivery receipts: GOV.UK Notify tells us where each message got to by POSTing JSON to our
callback URL (views.notify_callback), as

    {"id": "<Notify's id>", "reference": "<our Message.uuid>", "to": "...",
     "status": "delivered" | "permanent-failure" | "temporary-failure" | "technical-failure",
     "created_at": "...", "completed_at": "...", "sent_at": "...", "notification_type": "email"}

Receipts can come twice (Notify retries a callback that timed out) and in any order (a late
"delivered" after a "temporary-failure", or an old receipt replayed). So: delivered and
permanent failure are final and are never replaced by a temporary or technical failure; between
two receipts of the same rank the one that happened later (completed_at) wins; the same receipt
again changes nothing.
"""

from __future__ import annotations

import datetime
import uuid

from django.db import connection, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from .constants import State
from .models import Message

NOTIFY_STATES = {
    "delivered": State.DELIVERED,
    "permanent-failure": State.PERMANENT_FAILURE,
    "temporary-failure": State.TEMPORARY_FAILURE,
    "technical-failure": State.TECHNICAL_FAILURE,
}
# A receipt's weight: a final answer outranks one that could still change.
RANK = {
    State.DELIVERED: 2,
    State.PERMANENT_FAILURE: 2,
    State.TEMPORARY_FAILURE: 1,
    State.TECHNICAL_FAILURE: 1,
}


class BadReceiptError(ValueError):
    """The callback's JSON is not a Notify delivery receipt."""


def parse_time(value: object) -> datetime.datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = parse_datetime(value)
    except ValueError:
        return None
    if parsed is not None and timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed, datetime.UTC)  # Notify's times are UTC
    return parsed


def apply_notify_receipt(data: object) -> str:
    """Record one delivery receipt. Returns what happened: "updated", "unchanged" (a repeat or
    an older receipt) or "unknown" (no such message, e.g. its request has been deleted).
    Raises BadReceiptError when it is not a receipt at all."""
    if not isinstance(data, dict):
        raise BadReceiptError("not a JSON object")
    status = data.get("status")
    if not isinstance(status, str) or status not in NOTIFY_STATES:
        raise BadReceiptError("no known status")
    reference, notification_id = data.get("reference"), data.get("id")
    if not isinstance(notification_id, str) and not isinstance(reference, str):
        raise BadReceiptError("neither id nor reference")
    state = NOTIFY_STATES[status]
    at = (
        parse_time(data.get("completed_at"))
        or parse_time(data.get("sent_at"))
        or parse_time(data.get("created_at"))
        or timezone.now()
    )
    with transaction.atomic():
        rows = Message.objects.all()
        if connection.features.has_select_for_update:
            rows = rows.select_for_update()
        message = None
        if isinstance(reference, str):
            try:
                message = rows.filter(uuid=uuid.UUID(reference)).first()
            except ValueError:
                message = None
        if message is None and isinstance(notification_id, str) and notification_id:
            message = rows.filter(provider_id=notification_id[:100]).first()
        if message is None:
            return "unknown"
        if not supersedes(message, state, at):
            return "unchanged"
        message.state = state
        message.state_at = at
        if isinstance(notification_id, str) and not message.provider_id:
            message.provider_id = notification_id[:100]
        message.next_attempt_at = None
        message.forget_contents()
        message.save()
        return "updated"


def supersedes(message: Message, state: State, at: datetime.datetime) -> bool:
    """Whether a receipt saying `state` at `at` tells more than what the message holds."""
    current = RANK.get(State(message.state), 0)  # being sent, waiting or sent: 0
    new = RANK[state]
    if new != current:
        return new > current
    if message.state_at is None:
        return True
    return at > message.state_at
