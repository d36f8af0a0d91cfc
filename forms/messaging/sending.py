"""Sending a message: written first (models.Message), then sent by a task, so a resident or a
member of staff never waits on a provider that is slow; tried again by `manage.py
send_pending_messages` when it could not be sent.

`send` is the one entry point for the rest of the site. `attempt` is the one place a message is
handed to a provider, by the task and by the retry command alike: under a row lock taken with
SKIP LOCKED, so two workers never send the same message twice.
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from .base import NotSentError, SendLaterError
from .constants import SENDABLE, Channel, Kind
from .models import FIRST_WAIT, Message
from .providers import get_provider

logger = logging.getLogger(__name__)


def send(
    *,
    kind: Kind | str,
    channel: Channel | str,
    to: str,
    body: str,
    subject: str = "",
    submission: Any = None,  # a flows.Submission (an app above this one)
    language: str = "",
) -> Message | None:
    """Record a message and have it sent. Returns the message as it is after the task was
    handed it (with the immediate backend: sent, waiting to retry or failed), or None when not
    even the database could keep it. Never raises: a request is saved before its messages."""
    try:
        # A savepoint: a failure here leaves a caller's transaction (a payment's) usable.
        with transaction.atomic():
            message = Message.objects.create(
                submission=submission,
                kind=kind,
                channel=channel,
                language=language,
                provider=settings.MESSAGE_PROVIDER,
                to=to,
                subject=" ".join(subject.split()),
                body=body,
                # Picked up by the retry command should its task be lost (a worker stopped).
                next_attempt_at=timezone.now() + FIRST_WAIT,
            )
    except DatabaseError:
        logger.exception("Could not keep the %s %s for %s", kind, channel, _about(submission))
        return None
    try:
        from .tasks import send_message  # (tasks.py imports this module)

        with transaction.atomic():  # the database backend writes the task in a savepoint
            send_message.enqueue(message.pk)
    except Exception:
        # The queue is down: the retry command sends it within minutes.
        logger.exception("Could not queue the %s %s for %s", kind, channel, _about(submission))
    message.refresh_from_db()
    return message


def attempt(message_id: int) -> str:
    """Try to send one message now, if nobody else is and it is still to be sent. Returns its
    state afterwards, or "taken" when it was not this call's to send."""
    with transaction.atomic():
        rows = Message.objects.filter(pk=message_id, state__in=SENDABLE)
        if connection.features.has_select_for_update_skip_locked:
            rows = rows.select_for_update(skip_locked=True, of=("self",))
        message = rows.select_related("submission").first()
        if message is None:
            return "taken"  # sent meanwhile, or locked by another worker
        provider = get_provider()
        message.provider = provider.id
        message.attempts += 1
        try:
            provider_id = provider.send(
                channel=message.channel,
                to=message.to,
                template=message.kind,
                personalisation={"subject": message.subject, "body": message.body},
                reference=str(message.uuid),
            )
        except SendLaterError as error:
            message.mark_failed_attempt(str(error))
            # The request, never the address (council/logging.py redacts one all the same).
            logger.error(
                "Could not send the %s %s for %s (%s): %s",
                message.kind,
                message.channel,
                _about(message.submission),
                message.last_error,
                "kept to try again" if message.state in SENDABLE else "given up",
            )
        except NotSentError as error:
            message.mark_not_sent(error.state, str(error))
            logger.error(
                "The %s %s for %s was not sent (%s)",
                message.kind,
                message.channel,
                _about(message.submission),
                message.last_error,
            )
        else:
            message.mark_sent(
                provider_id,
                delivered=provider.delivered_on_send,
                keep_contents=provider.keeps_contents,
            )
        return message.state


def due_messages(*, all_now: bool = False) -> list[int]:
    """The messages the retry command should try, oldest due first."""
    due = Message.objects.filter(state__in=SENDABLE)
    if not all_now:
        due = due.filter(next_attempt_at__lte=timezone.now())
    return list(due.order_by("next_attempt_at", "pk").values_list("pk", flat=True))


def _about(submission: object | None) -> str:
    return str(getattr(submission, "reference", "") or "no request")
