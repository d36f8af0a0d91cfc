"""What residents do in a flow, as anonymous events: never an answer, an IP address or a
cookie beyond the session. The drop-off report and the service KPIs are built on these."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class FlowEvent(models.Model):
    class Kind(models.TextChoices):
        STARTED = "started", _("Started")
        STEP_VIEWED = "step_viewed", _("Viewed a question page")
        STEP_COMPLETED = "step_completed", _("Completed a question page")
        STEP_FAILED = "step_failed", _("Failed validation")
        BACK = "back", _("Went back")
        CHECK_VIEWED = "check_viewed", _("Viewed check your answers")
        CHANGE = "change", _("Changed an answer")
        PAYMENT_STARTED = "payment_started", _("Payment started")
        PAYMENT_SUCCEEDED = "payment_succeeded", _("Payment succeeded")
        PAYMENT_FAILED = "payment_failed", _("Payment failed")
        PAYMENT_CANCELLED = "payment_cancelled", _("Payment cancelled")
        SUBMITTED = "submitted", _("Submitted")
        END_POINT = "end_point", _("Reached an end point")

    class Device(models.TextChoices):
        MOBILE = "mobile", _("Mobile")
        TABLET = "tablet", _("Tablet")
        DESKTOP = "desktop", _("Desktop")
        UNKNOWN = "unknown", _("Unknown")

    class Source(models.TextChoices):
        SEARCH = "search", _("Site search")
        SERVICE_PAGE = "service_page", _("The service page")
        ELSEWHERE = "elsewhere", _("Elsewhere")

    flow = models.ForeignKey(
        "flows.FlowPage",
        verbose_name=_("online flow"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    journey = models.UUIDField(_("journey"), default=uuid.uuid4)
    kind = models.CharField(_("event"), max_length=20, choices=Kind.choices)
    step = models.CharField(_("page"), max_length=100, blank=True, default="")
    # For failed validation: the question's name and the error's code, never the value.
    field = models.CharField(_("question"), max_length=100, blank=True, default="")
    error = models.CharField(_("error"), max_length=100, blank=True, default="")
    language = models.CharField(_("language"), max_length=12, blank=True, default="")
    device = models.CharField(
        _("device"), max_length=10, choices=Device.choices, default=Device.UNKNOWN
    )
    source = models.CharField(
        _("came from"), max_length=15, choices=Source.choices, default=Source.ELSEWHERE
    )
    created_at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        db_table = "flows_flowevent"  # made in the flows app; kept when it moved here
        verbose_name = _("flow event")
        verbose_name_plural = _("flow events")
        default_permissions = ()
        indexes = [
            models.Index(fields=["flow", "created_at"], name="flowevent_flow_created"),
            models.Index(fields=["journey", "created_at"], name="flowevent_journey_created"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.step}".strip()
