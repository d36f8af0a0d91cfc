"""What the web team reads about each flow and service: daily roll-ups of the flow events,
satisfaction answers, and the volumes and unit costs of the other channels (for the four
GOV.UK service KPIs: completion rate, user satisfaction, digital take-up, cost per
transaction)."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

# A flow's journeys of one day, counted eight ways (see forms.insights.rollup for what each
# means). FlowDay has a column for each; the roll-up's DayFigures and the reports' FlowMetrics
# carry the same names, and everything that adds up, saves or copies the counts goes by this
# list, so a new count is added here, as a column, and on those two.
JOURNEY_COUNTS = (
    "started",
    "submitted",
    "end_points",
    "abandoned",
    "payment_started",
    "payment_succeeded",
    "payment_failed",
    "payment_cancelled",
)


class FlowDay(models.Model):
    """One flow on one day, counted by the journeys that started that day."""

    flow = models.ForeignKey("flows.FlowPage", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    # JOURNEY_COUNTS
    started = models.PositiveIntegerField(default=0)
    submitted = models.PositiveIntegerField(default=0)
    end_points = models.PositiveIntegerField(default=0)
    abandoned = models.PositiveIntegerField(default=0)
    payment_started = models.PositiveIntegerField(default=0)
    payment_succeeded = models.PositiveIntegerField(default=0)
    payment_failed = models.PositiveIntegerField(default=0)
    payment_cancelled = models.PositiveIntegerField(default=0)
    # Journeys by where they came from and by device: {"search": 3, "service_page": 9, ...}
    by_source = models.JSONField(default=dict)
    by_device = models.JSONField(default=dict)
    # Journeys that stopped at an end point, by its name: {"not-eligible": 2}; a look-up's
    # answer is "check-your-answers".
    by_end_point = models.JSONField(default=dict)

    class Meta:
        db_table = "flows_flowday"  # made in the flows app; kept when it moved here
        default_permissions = ()
        constraints = [models.UniqueConstraint(fields=["flow", "day"], name="flowday_unique")]

    def __str__(self) -> str:
        return f"{self.flow_id} {self.day}"


class FlowStepDay(models.Model):
    """One page of one flow on one day."""

    flow = models.ForeignKey("flows.FlowPage", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    step = models.CharField(max_length=100)
    position = models.PositiveSmallIntegerField(default=0)  # order in the flow
    reached = models.PositiveIntegerField(default=0)  # journeys that saw the page
    completed = models.PositiveIntegerField(default=0)  # journeys that got past it
    failed = models.PositiveIntegerField(default=0)  # journeys with an error on it
    abandoned = models.PositiveIntegerField(default=0)  # journeys that gave up there
    # Seconds on the page, as counts per bucket of TIME_BUCKETS (for medians over days).
    time_buckets = models.JSONField(default=list)

    class Meta:
        db_table = "flows_flowstepday"  # made in the flows app; kept when it moved here
        default_permissions = ()
        constraints = [
            models.UniqueConstraint(fields=["flow", "day", "step"], name="flowstepday_unique")
        ]

    def __str__(self) -> str:
        return f"{self.flow_id} {self.day} {self.step}"


# Upper bounds, in seconds, of the time-on-page buckets (the last is "longer").
TIME_BUCKETS = [5, 10, 15, 20, 30, 45, 60, 90, 120, 180, 300, 600, 1200, 1800]


class FlowErrorDay(models.Model):
    """How often one error on one question stopped residents on one day."""

    flow = models.ForeignKey("flows.FlowPage", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    step = models.CharField(max_length=100)
    field = models.CharField(max_length=100)
    error = models.CharField(max_length=100)
    count = models.PositiveIntegerField(default=0)

    class Meta:
        db_table = "flows_flowerrorday"  # made in the flows app; kept when it moved here
        default_permissions = ()
        constraints = [
            models.UniqueConstraint(
                fields=["flow", "day", "step", "field", "error"], name="flowerrorday_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.flow_id} {self.day} {self.field} {self.error}"


class Satisfaction(models.IntegerChoices):
    """The GOV.UK five-point satisfaction question."""

    VERY_SATISFIED = 5, _("Very satisfied")
    SATISFIED = 4, _("Satisfied")
    NEITHER = 3, _("Neither satisfied or dissatisfied")
    DISSATISFIED = 2, _("Dissatisfied")
    VERY_DISSATISFIED = 1, _("Very dissatisfied")


class SatisfactionResponse(models.Model):
    """One resident's answer at the end of a flow (confirmation or end point)."""

    flow = models.ForeignKey(
        "flows.FlowPage", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    rating = models.PositiveSmallIntegerField(_("satisfaction"), choices=Satisfaction.choices)
    comment = models.TextField(_("comment"), blank=True, default="", max_length=1200)
    # Where it was asked: the confirmation page or an end point's name.
    asked_at = models.CharField(max_length=100, blank=True, default="")
    journey = models.UUIDField(null=True, blank=True)
    language = models.CharField(max_length=12, blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        db_table = "flows_satisfactionresponse"  # made in the flows app; kept when it moved here
        verbose_name = _("satisfaction answer")
        verbose_name_plural = _("satisfaction answers")
        constraints = [
            models.UniqueConstraint(
                fields=["journey"],
                condition=models.Q(journey__isnull=False),
                name="satisfaction_once_per_journey",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_rating_display()}"


class ChannelVolume(models.Model):
    """Transactions for one service in one month in the other channels, entered by staff."""

    service = models.ForeignKey(
        "services.ServicePage",
        verbose_name=_("service"),
        on_delete=models.CASCADE,
        related_name="channel_volumes",
    )
    month = models.DateField(_("month"), help_text=_("Any day in the month"))
    phone = models.PositiveIntegerField(_("by phone"), default=0)
    face_to_face = models.PositiveIntegerField(_("face to face"), default=0)
    post = models.PositiveIntegerField(_("by post"), default=0)

    class Meta:
        db_table = "flows_channelvolume"  # made in the flows app; kept when it moved here
        verbose_name = _("channel volume")
        verbose_name_plural = _("channel volumes")
        ordering = ["-month", "service__title"]
        constraints = [
            models.UniqueConstraint(fields=["service", "month"], name="channelvolume_unique")
        ]

    def __str__(self) -> str:
        return f"{self.service} {self.month:%B %Y}"

    def save(self, *args, **kwargs) -> None:
        self.month = self.month.replace(day=1)
        super().save(*args, **kwargs)


def _money(default: str, label: StrOrPromise, help_text: StrOrPromise = "") -> models.DecimalField:
    return models.DecimalField(
        label,
        max_digits=7,
        decimal_places=2,
        default=Decimal(default),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("10000"))],
        help_text=help_text,
    )


@register_setting(icon="cog")
class ChannelCosts(BaseSiteSetting):
    """What one transaction costs the council in each channel (for cost per transaction)."""

    online = _money("0.08", _("online"))
    phone = _money("3.39", _("by phone"))
    face_to_face = _money("10.53", _("face to face"))
    post = _money(
        "3.39",
        _("by post"),
        _("The council's benchmarks give no figure for post; this starts at the phone cost."),
    )

    panels = [
        FieldPanel("online"),
        FieldPanel("phone"),
        FieldPanel("face_to_face"),
        FieldPanel("post"),
    ]

    class Meta:
        db_table = "flows_channelcosts"  # made in the flows app; kept when it moved here
        verbose_name = _("channel unit costs")
