"""What a message is about, how it travels and where it has got to."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    """What the message is about. Also the key a provider picks its template by (GOV.UK Notify:
    NOTIFY_TEMPLATES["confirmation.email"], falling back to the channel's generic template)."""

    CONFIRMATION = "confirmation", _("Confirmation")
    STATUS_UPDATE = "status_update", _("Status update")
    # "Your requests": the sign-in link (email) or code (text message); about no one request.
    SIGN_IN = "sign_in", _("Sign-in link or code")


class Channel(models.TextChoices):
    EMAIL = "email", _("Email")
    SMS = "sms", _("Text message")


class State(models.TextChoices):
    # Made, and handed to a task to send (with the immediate backend, already tried).
    PENDING = "pending", _("Being sent")
    # A try failed in a way that may pass (mail server or Notify down, rate limited): tried
    # again by `manage.py send_pending_messages`, for a day.
    WAITING = "waiting", _("Not sent yet: will retry")
    # Taken by the mail server or Notify. For SMTP that is the last we hear of it.
    SENT = "sent", _("Sent")
    # Delivery receipts (GOV.UK Notify's callback), and the sandbox at once.
    DELIVERED = "delivered", _("Delivered")
    # The address or number does not exist or refuses mail: will never arrive.
    PERMANENT_FAILURE = "permanent_failure", _("Not delivered")
    # The inbox was full or the phone off for 72 hours (Notify stops trying).
    TEMPORARY_FAILURE = (
        "temporary_failure",
        _("Not delivered: the resident's inbox or phone did not take it"),
    )
    # Not sent at all: the provider refused it, cannot send by this channel, or a day of
    # retries ran out.
    TECHNICAL_FAILURE = "technical_failure", _("Could not be sent")


# A task or the retry command may send these.
SENDABLE = (State.PENDING, State.WAITING)
# Nothing more will happen to these (unless a receipt says otherwise): their address and body
# are no longer needed.
DONE = (
    State.SENT,
    State.DELIVERED,
    State.PERMANENT_FAILURE,
    State.TEMPORARY_FAILURE,
    State.TECHNICAL_FAILURE,
)
# Staff should look: the resident has not been told.
PROBLEMS = (
    State.WAITING,
    State.PERMANENT_FAILURE,
    State.TEMPORARY_FAILURE,
    State.TECHNICAL_FAILURE,
)
