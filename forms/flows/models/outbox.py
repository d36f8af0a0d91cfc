"""Emails to residents that the mail server did not take: kept and tried again.

`forms.flows.notifications.deliver` writes a row when sending fails; `manage.py send_pending_emails`
(cron, every 5 minutes) tries again with a growing wait (5, 10, 20, 40 minutes, then every hour)
and gives up a day after the first try. Once sent, or given up, the address, subject and body
are cleared: nothing personal is kept longer than it is needed. Deleting the request (the
retention command) deletes its emails with it.
"""

from __future__ import annotations

import datetime

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

FIRST_WAIT = datetime.timedelta(minutes=5)
LONGEST_WAIT = datetime.timedelta(hours=1)
GIVE_UP_AFTER = datetime.timedelta(hours=24)


def wait_after(attempts: int) -> datetime.timedelta:
    """How long to wait after `attempts` failed tries: 5 minutes, doubling, at most an hour."""
    return min(FIRST_WAIT * 2 ** max(attempts - 1, 0), LONGEST_WAIT)


class PendingEmail(models.Model):
    class Kind(models.TextChoices):
        CONFIRMATION = "confirmation", _("Confirmation")
        STATUS_UPDATE = "status_update", _("Status update")

    class State(models.TextChoices):
        WAITING = "waiting", _("Not sent yet: will retry")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Could not be sent")

    submission = models.ForeignKey(
        "flows.Submission", on_delete=models.CASCADE, related_name="pending_emails"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    to = models.EmailField(_("to"), blank=True)
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    body = models.TextField(_("body"), blank=True)
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.WAITING
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=1)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    # The exception's class and a short message, never the address.
    last_error = models.CharField(_("last error"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("email waiting to be sent")
        verbose_name_plural = _("emails waiting to be sent")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["state", "next_attempt_at"], name="pendingemail_due")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.submission_id} ({self.state})"

    def forget_contents(self) -> None:
        self.to = self.subject = self.body = ""

    def mark_sent(self) -> None:
        self.state = self.State.SENT
        self.sent_at = timezone.now()
        self.next_attempt_at = None
        self.forget_contents()
        self.save()

    def mark_failed_attempt(self, error: str, now: datetime.datetime | None = None) -> None:
        """One more try failed: wait longer, or give up a day after the first try."""
        now = now or timezone.now()
        self.attempts += 1
        self.last_error = error[:200]
        if now - self.created_at >= GIVE_UP_AFTER:
            self.state = self.State.FAILED
            self.next_attempt_at = None
            self.forget_contents()
        else:
            self.next_attempt_at = now + wait_after(self.attempts)
        self.save()
