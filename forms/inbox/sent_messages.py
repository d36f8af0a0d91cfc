"""What the site sent the resident about a request (forms.messaging's messages), as staff read it
on the request: which message, by which channel, when, and whether it arrived. A message that
did not arrive says plainly what to do ("Not delivered: check the email address")."""

from __future__ import annotations

from typing import Any

from django.utils import dateformat, timezone
from django.utils.translation import gettext as _

from forms.flows.models import Submission
from forms.messaging import Channel, Kind, State
from forms.messaging.models import Message

ARRIVED = (State.SENT, State.DELIVERED)


def local_datetime(value: Any) -> str:
    return dateformat.format(timezone.localtime(value), "j M Y, H:i") if value else ""


def message_name(message: Message) -> str:
    sms = message.channel == Channel.SMS
    if message.kind == Kind.CONFIRMATION:
        return _("Confirmation text message") if sms else _("Confirmation email")
    if message.kind == Kind.STATUS_UPDATE:
        return _("Status update text message") if sms else _("Status update email")
    return f"{message.get_kind_display()} ({message.get_channel_display()})"


def state_text(message: Message) -> str:
    """The message's state in a few words, with what to do when it did not arrive."""
    sms = message.channel == Channel.SMS
    return {
        State.PENDING: _("Being sent"),
        State.WAITING: _("Not sent yet: will retry"),
        State.SENT: _("Sent"),
        State.DELIVERED: _("Delivered"),
        State.PERMANENT_FAILURE: (
            _("Not delivered: check the phone number")
            if sms
            else _("Not delivered: check the email address")
        ),
        State.TEMPORARY_FAILURE: (
            _("Not delivered: the phone was off or out of signal for 3 days")
            if sms
            else _("Not delivered: the resident's inbox was full or not taking email")
        ),
        State.TECHNICAL_FAILURE: _("Could not be sent"),
    }.get(State(message.state), message.get_state_display())


def message_problems(submission: Submission) -> list[str]:
    """One line for each message the resident has not had, for the top of the request."""
    problems = []
    for message in submission.messages.exclude(state__in=[State.PENDING, *ARRIVED]):
        sms = message.channel == Channel.SMS
        text = {
            State.WAITING: _("%(message)s not sent yet: will retry"),
            State.PERMANENT_FAILURE: (
                _("%(message)s not delivered: check the phone number")
                if sms
                else _("%(message)s not delivered: check the email address")
            ),
            State.TEMPORARY_FAILURE: _(
                "%(message)s not delivered: the resident's inbox or phone did not take it"
            ),
        }.get(State(message.state), _("%(message)s could not be sent"))
        problems.append(text % {"message": message_name(message)})
    return problems


def message_rows(submission: Submission) -> list[dict[str, Any]]:
    """Every message about the request, newest first."""
    return [
        {
            "code": message.state,
            "name": message_name(message),
            "channel": message.get_channel_display(),
            "written": local_datetime(message.created_at),
            "state": state_text(message),
            "state_at": local_datetime(message.state_at) if message.state_at else "",
            "problem": message.is_problem,
            "error": message.last_error if message.is_problem else "",
            "provider": message.provider,
        }
        for message in submission.messages.order_by("-created_at", "-pk")
    ]
