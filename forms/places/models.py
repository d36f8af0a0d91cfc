"""The council's address list: every property it serves, with its bin collection day."""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable

from django.db import models
from django.utils.translation import gettext_lazy as _
from natsort import natsort_keygen, ns

POSTCODE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?) ?([0-9][A-Z]{2})$")


def normalise_postcode(value: str) -> str:
    """'fe1 1aa' -> 'FE1 1AA'; '' when it is not the shape of a UK postcode."""
    compact = re.sub(r"\s+", "", value or "").upper()
    match = POSTCODE.match(compact)
    return f"{match.group(1)} {match.group(2)}" if match else ""


def outward_code(postcode: str) -> str:
    """'FE1 1AA' -> 'FE1' (the postcode district); '' when it is not a UK postcode."""
    return normalise_postcode(postcode).partition(" ")[0]


# "12", "12A", "12-14" at the start of the last part of address line 1: the house number.
HOUSE_NUMBER = re.compile(r"^(\d+[A-Za-z]?(?:-\d+[A-Za-z]?)?)\s+(.+)$")
_natural = natsort_keygen(alg=ns.IGNORECASE)


def reading_key(address_line_1: str) -> tuple[object, ...]:
    """Sort key for the order people read a street in: by street, then house number as a
    number (2 before 11), then the flats or rooms inside a building (Flat 2 before Flat 10).

    'Flat 2, 5 High Street' is read as building '5 High Street', part 'Flat 2'; a named
    building ('Civic Centre, Market Street') has no number and comes before number 1."""
    *inside, premises = [part.strip() for part in address_line_1.split(",")]
    match = HOUSE_NUMBER.match(premises)
    number, street = match.groups() if match else ("", premises)
    return (_natural(street), _natural(number), _natural(", ".join(inside)))


def in_reading_order(properties: Iterable[Property]) -> list[Property]:
    return sorted(properties, key=lambda p: (reading_key(p.address_line_1), p.address_line_2))


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

    @classmethod
    def to_choose_from(cls, postcode: str) -> list[Property]:
        """The council's addresses in `postcode` as a resident is offered them: in the order
        people read a street (a database cannot sort '2' before '11' on its own)."""
        return in_reading_order(cls.in_postcode(postcode))

    @classmethod
    def serves_postcode(cls, postcode: str) -> bool:
        """Whether `postcode` is in the council's area: its district (FE1 of FE1 1AA) has any
        of the council's addresses. Read from the address list, so a new district counts as
        soon as its addresses are loaded; a whole district, so a new street counts too."""
        district = outward_code(postcode)
        return bool(district) and cls.objects.filter(postcode__startswith=f"{district} ").exists()

    @classmethod
    def area_name(cls) -> str:
        """The place the council serves, as its addresses name their town ('Fernbridge')."""
        most = (
            cls.objects.values("town").annotate(count=models.Count("pk")).order_by("-count").first()
        )
        return most["town"] if most else ""

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
