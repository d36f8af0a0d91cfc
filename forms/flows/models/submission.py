"""What residents send: a submission with its reference, answers, files and status history."""

from __future__ import annotations

import secrets
import uuid
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.utils.translation import gettext_lazy as _

from forms.flows.constants import SubmissionStatus
from forms.flows.questions.contact import national_mobile
from forms.flows.questions.uploads import extension_for

if TYPE_CHECKING:
    from django.contrib.auth.models import User

# No 0/O, 1/I/L or U/V: a reference read out on the phone or copied from a letter stays right.
REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTWXYZ"


def new_reference() -> str:
    """A reference such as 'FCC-4K7Q-M2XD' (29^8, about 500 billion, possibilities)."""
    chars = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))
    return f"{settings.SUBMISSION_REFERENCE_PREFIX}-{chars[:4]}-{chars[4:]}"


def normalise_reference(value: str) -> str:
    """What a resident typed ('fcc 4k7q m2xd') as a stored reference ('FCC-4K7Q-M2XD')."""
    compact = "".join(ch for ch in (value or "").upper() if ch.isalnum())
    prefix = settings.SUBMISSION_REFERENCE_PREFIX
    if compact.startswith(prefix):
        compact = compact[len(prefix) :]
    if len(compact) != 8:
        return ""
    return f"{prefix}-{compact[:4]}-{compact[4:]}"


class Submission(models.Model):
    """One request a resident sent through a flow."""

    reference = models.CharField(_("reference"), max_length=20, unique=True, editable=False)
    idempotency_key = models.UUIDField(unique=True, default=uuid.uuid4, editable=False)
    # The anonymous journey that sent it (flow tracking), so payment news that arrives later,
    # from the payment provider, is counted in the same journey.
    journey = models.UUIDField(null=True, blank=True, editable=False)
    flow = models.ForeignKey(
        "flows.FlowPage",
        verbose_name=_("flow"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="submissions",
    )
    service_title = models.CharField(_("service"), max_length=255)
    language = models.CharField(_("language"), max_length=10)
    answers = models.JSONField(
        _("answers"),
        default=list,
        help_text=_("Each answer with its question as it was asked: name, label, value, display."),
    )
    contact_email = models.EmailField(_("contact email"), blank=True)
    contact_mobile = models.CharField(
        _("contact mobile"), max_length=16, blank=True, help_text=_("A UK mobile, in E.164.")
    )
    # How the resident chose to hear about it (the "How to hear from us" question); a flow
    # without that question sends email to its email address, as before.
    updates_by_email = models.BooleanField(_("updates by email"), default=True)
    updates_by_text = models.BooleanField(_("updates by text message"), default=False)
    fee_pence = models.PositiveIntegerField(_("fee (pence)"), null=True, blank=True)
    status = models.CharField(
        _("status"),
        max_length=30,
        choices=SubmissionStatus.choices,
        default=SubmissionStatus.RECEIVED,
        db_index=True,
    )
    created_at = models.DateTimeField(_("sent"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    confirmation_sent_at = models.DateTimeField(
        _("confirmation email sent"), null=True, blank=True, editable=False
    )

    class Meta:
        verbose_name = _("submission")
        verbose_name_plural = _("submissions")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.reference

    @property
    def email_for_updates(self) -> str:
        return self.contact_email if self.updates_by_email else ""

    @property
    def mobile_for_updates(self) -> str:
        return self.contact_mobile if self.updates_by_text else ""

    @property
    def mobile_shown(self) -> str:
        """The mobile number as residents write it: '07700 900 123'."""
        return national_mobile(self.contact_mobile) if self.contact_mobile else ""

    @property
    def wants_updates(self) -> bool:
        return bool(self.email_for_updates or self.mobile_for_updates)

    def answer(self, name: str) -> Any:
        return next((a["value"] for a in self.answers if a["name"] == name), None)

    @classmethod
    def create_once(cls, idempotency_key: uuid.UUID, **fields: Any) -> tuple[Submission, bool]:
        """Create a submission unless one with this key exists (a double click, a refresh, or
        back-then-submit all send the same key). Returns (submission, created)."""
        existing = cls.objects.filter(idempotency_key=idempotency_key).first()
        if existing:
            return existing, False
        for _attempt in range(5):
            try:
                with transaction.atomic():
                    submission = cls.objects.create(
                        idempotency_key=idempotency_key, reference=new_reference(), **fields
                    )
                    submission.events.create(status=submission.status)
                    return submission, True
            except IntegrityError:
                existing = cls.objects.filter(idempotency_key=idempotency_key).first()
                if existing:
                    return existing, False
                # the reference collided with another: draw a new one
        raise RuntimeError("Could not draw a unique reference")

    def claim_confirmation(self) -> bool:
        """True for exactly one caller: whoever gets here first (the return page or a webhook,
        at the same moment or not) sends the confirmation email; everyone else does not."""
        from django.utils import timezone

        claimed = Submission.objects.filter(pk=self.pk, confirmation_sent_at__isnull=True).update(
            confirmation_sent_at=timezone.now()
        )
        return claimed == 1

    def set_status(self, status: str, note: str = "", user: User | None = None) -> SubmissionEvent:
        """Move to `status`, recording who did it and why in the history."""
        self.status = status
        self.save(update_fields=["status", "updated_at"])
        return self.events.create(status=status, note=note, user=user)


class SubmissionEvent(models.Model):
    """One change in a submission's status: the history residents see on "track"."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="events")
    status = models.CharField(_("status"), max_length=30, choices=SubmissionStatus.choices)
    note = models.TextField(
        _("note to the resident"), blank=True, help_text=_("The resident sees this.")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        verbose_name = _("status change")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.submission_id}: {self.get_status_display()}"


def private_storage():
    """Uploaded files live outside MEDIA_ROOT, so no URL serves them; staff download them
    through the inbox, which checks permissions."""
    from django.core.files.storage import storages

    return storages["private"]


def submission_file_path(instance: SubmissionFile, filename: str) -> str:
    """Stored under the name the site makes, never the resident's (`filename`): a file called
    'proof.bat' must not reach a disk, or a staff computer, as a batch script."""
    return f"submissions/{instance.submission.reference}/{instance.site_name}"


class SubmissionFile(models.Model):
    """A file a resident uploaded, kept out of the public web folder."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="files")
    question_name = models.CharField(max_length=50)
    # 1, 2, ... within its request: part of the name the site gives the file.
    number = models.PositiveIntegerField(default=0, editable=False)
    # What the resident's computer called it: text for staff to read, never a name to save by.
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)  # read from the content, not the browser
    size = models.PositiveIntegerField()
    file = models.FileField(upload_to=submission_file_path, storage=private_storage, max_length=300)

    class Meta:
        verbose_name = _("uploaded file")

    def __str__(self) -> str:
        return self.original_name

    @property
    def site_name(self) -> str:
        """'FCC-4K7Q-M2XD-1.pdf': the request's reference, the file's number and the extension
        of the type read from its content; the name it is stored and downloaded under."""
        return f"{self.submission.reference}-{self.number}.{extension_for(self.content_type)}"
