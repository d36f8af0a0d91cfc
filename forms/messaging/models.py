"""Every message sent to a resident about a request, by email or text message, and where it got
to: the staff inbox shows them on the request, the sandbox outbox (the demo) shows them whole.

A message is written before it is sent, then sent by a task (tasks.py) and, when that fails in
a way that may pass (a mail server or Notify down, a rate limit), tried again by `manage.py
send_pending_messages` with a growing wait (5, 10, 20, 40 minutes, then every hour), for a day.
Once nothing more will be sent (sent, delivered, failed, given up) the address, subject and body
are cleared: nothing personal is kept longer than it is needed (the sandbox, which exists to
show them, keeps them). Deleting the request (the retention command) deletes its messages.
"""

from __future__ import annotations

import datetime
import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .constants import Channel, Kind, State

FIRST_WAIT = datetime.timedelta(minutes=5)
LONGEST_WAIT = datetime.timedelta(hours=1)
GIVE_UP_AFTER = datetime.timedelta(hours=24)


def wait_after(attempts: int) -> datetime.timedelta:
    """How long to wait after `attempts` failed tries: 5 minutes, doubling, at most an hour."""
    return min(FIRST_WAIT * 2 ** max(attempts - 1, 0), LONGEST_WAIT)


class Message(models.Model):
    # Sent to the provider as the message's reference (GOV.UK Notify gives it back in its
    # delivery receipts): not the request's reference, which a resident could be asked for.
    uuid = models.UUIDField(_("reference"), default=uuid.uuid4, unique=True, editable=False)
    # Every message today is about a request; messages about no request yet (a link to a saved
    # form, a sign-in code) will leave it empty.
    submission = models.ForeignKey(
        "flows.Submission",
        on_delete=models.CASCADE,
        related_name="messages",
        null=True,
        blank=True,
    )
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    language = models.CharField(_("language"), max_length=10, blank=True)
    provider = models.CharField(_("provider"), max_length=20)
    provider_id = models.CharField(_("provider's message ID"), max_length=100, blank=True)
    state = models.CharField(
        _("state"), max_length=20, choices=State.choices, default=State.PENDING
    )
    # The address or number, and the words: cleared once nothing more will be sent.
    to = models.CharField(_("to"), max_length=320, blank=True)
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    body = models.TextField(_("body"), blank=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    # The error's class and code or the provider's short reason, never the address.
    last_error = models.CharField(_("last error"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    # When the state was reached, as the provider says (a delivery receipt's completed_at):
    # how an earlier receipt arriving late is told from a later one.
    state_at = models.DateTimeField(_("state since"), null=True, blank=True)

    class Meta:
        verbose_name = _("message to a resident")
        verbose_name_plural = _("messages to residents")
        ordering = ["created_at", "pk"]
        indexes = [
            models.Index(fields=["state", "next_attempt_at"], name="message_due"),
            models.Index(fields=["provider_id"], name="message_provider_id"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.get_channel_display()} ({self.state})"

    @property
    def is_problem(self) -> bool:
        from .constants import PROBLEMS

        return self.state in PROBLEMS

    def forget_contents(self) -> None:
        self.to = self.subject = self.body = ""

    def mark_sent(
        self, provider_id: str, *, delivered: bool = False, keep_contents: bool = False
    ) -> None:
        now = timezone.now()
        self.provider_id = provider_id[:100]
        self.state = State.DELIVERED if delivered else State.SENT
        self.sent_at = self.state_at = now
        self.next_attempt_at = None
        self.last_error = ""
        if not keep_contents:
            self.forget_contents()
        self.save()

    def mark_failed_attempt(self, error: str, now: datetime.datetime | None = None) -> None:
        """A try failed in a way that may pass: wait longer, or give up a day after the first."""
        now = now or timezone.now()
        self.last_error = error[:200]
        if now - self.created_at >= GIVE_UP_AFTER:
            self.state = State.TECHNICAL_FAILURE
            self.state_at = now
            self.next_attempt_at = None
            self.forget_contents()
        else:
            self.state = State.WAITING
            self.next_attempt_at = now + wait_after(self.attempts)
        self.save()

    def mark_not_sent(self, state: State, error: str) -> None:
        """The provider refused it, or it cannot go this way: trying again would not help."""
        self.state = state
        self.state_at = timezone.now()
        self.last_error = error[:200]
        self.next_attempt_at = None
        self.forget_contents()
        self.save()
