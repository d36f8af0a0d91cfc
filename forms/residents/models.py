"""What "your requests" keeps: each sign-in link or code (only as a hash), the information a
resident adds to a request (new to staff until they open it) and each withdrawal."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class SignIn(models.Model):
    """One sign-in link (email) or 6-digit code (text message) sent to an address.

    Only the SHA-256 of the secret is kept, so a copy of the database signs nobody in. Good for
    30 minutes and once (`used_at`); a code is void after a few wrong tries (`tries`)."""

    EMAIL = "email"
    SMS = "sms"
    CHANNELS = [(EMAIL, _("Email")), (SMS, _("Text message"))]

    # The email address as typed, folded to lower case, or the mobile number in E.164.
    address = models.CharField(max_length=254, db_index=True)
    channel = models.CharField(max_length=10, choices=CHANNELS)
    secret_hash = models.CharField(max_length=64, unique=True)
    # The browser that asked for a code: a code is only tried from it (a link works anywhere).
    browser_key = models.CharField(max_length=64, blank=True, db_index=True)
    tries = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("sign-in link or code")

    def __str__(self) -> str:
        return f"{self.channel} sign-in {self.pk}"


class AddedInformation(models.Model):
    """A message (and any files, kept as the request's SubmissionFiles) a signed-in resident
    added to an open request. New to staff until one of them opens the request."""

    submission = models.ForeignKey(
        "flows.Submission", on_delete=models.CASCADE, related_name="added_information"
    )
    message = models.TextField(_("message"), blank=True)
    files = models.ManyToManyField("flows.SubmissionFile", blank=True, related_name="+")
    created_at = models.DateTimeField(_("added"), auto_now_add=True)
    seen_at = models.DateTimeField(_("seen by staff"), null=True, blank=True)
    seen_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("information added by the resident")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.submission_id}: added {self.created_at:%Y-%m-%d}"


class Withdrawal(models.Model):
    """The resident withdrew the request before anyone started on it (its status became
    Closed, with a note, in the same transaction)."""

    submission = models.OneToOneField(
        "flows.Submission", on_delete=models.CASCADE, related_name="withdrawal"
    )
    event = models.ForeignKey(
        "flows.SubmissionEvent", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("withdrawn"), auto_now_add=True)

    class Meta:
        verbose_name = _("withdrawal")

    def __str__(self) -> str:
        return f"{self.submission_id}: withdrawn"
