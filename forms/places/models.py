"""The council's address list: every property it serves, with its bin collection day."""

from __future__ import annotations

import datetime
import re

from django.db import models
from django.utils.translation import gettext_lazy as _

POSTCODE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?) ?([0-9][A-Z]{2})$")


def normalise_postcode(value: str) -> str:
    """'fe1 1aa' -> 'FE1 1AA'; '' when it is not the shape of a UK postcode."""
    compact = re.sub(r"\s+", "", value or "").upper()
    match = POSTCODE.match(compact)
    return f"{match.group(1)} {match.group(2)}" if match else ""


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")


class Property(models.Model):
    """One address the council serves, identified by its UPRN."""

    uprn = models.BigIntegerField(_("UPRN"), unique=True)
    address_line_1 = models.CharField(_("address line 1"), max_length=100)
    address_line_2 = models.CharField(_("address line 2"), max_length=100, blank=True)
    town = models.CharField(_("town"), max_length=60, default="Fernbridge")
    postcode = models.CharField(_("postcode"), max_length=8, db_index=True)
    ward = models.CharField(_("ward"), max_length=60)
    bin_day = models.PositiveSmallIntegerField(_("bin collection day"), choices=Weekday.choices)
    bin_week = models.CharField(
        _("bin collection week"),
        max_length=1,
        choices=[("A", _("Week A")), ("B", _("Week B"))],
        help_text=_("Black bins go out in this week; recycling in the other."),
    )

    class Meta:
        db_table = "flows_property"  # made in the flows app; kept when it moved here
        verbose_name = _("property")
        verbose_name_plural = _("properties")
        ordering = ["postcode", "address_line_1"]

    def __str__(self) -> str:
        return self.single_line

    @property
    def single_line(self) -> str:
        parts = [self.address_line_1, self.address_line_2, self.town, self.postcode]
        return ", ".join(p for p in parts if p)

    @classmethod
    def in_postcode(cls, postcode: str) -> models.QuerySet[Property]:
        return cls.objects.filter(postcode=normalise_postcode(postcode))

    def next_collections(
        self, today: datetime.date | None = None
    ) -> list[tuple[str, datetime.date]]:
        """The next general waste and recycling days, from `today` (week A = even ISO weeks)."""
        today = today or datetime.date.today()
        days_ahead = (self.bin_day - today.weekday()) % 7
        first = today + datetime.timedelta(days=days_ahead)
        first_is_a = first.isocalendar().week % 2 == 0
        black_first = first_is_a == (self.bin_week == "A")
        other = first + datetime.timedelta(days=7)
        black, recycling = (first, other) if black_first else (other, first)
        return sorted(
            [
                (str(_("Black bin (general waste)")), black),
                (str(_("Green-lid bin (recycling)")), recycling),
            ],
            key=lambda c: c[1],
        )
