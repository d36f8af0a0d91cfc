"""Figures as the web team reads them: percentages, pounds, durations, changes and dates."""

from __future__ import annotations

import datetime
import decimal
from typing import Any

from django.utils import dateformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

NO_DATA = gettext_lazy("No data")


def half_up(value: float | decimal.Decimal, places: str = "1") -> decimal.Decimal:
    """Rounded to `places` as people round (2.5 -> 3), not to even as float formatting does."""
    return decimal.Decimal(str(value)).quantize(decimal.Decimal(places), decimal.ROUND_HALF_UP)


def percent(value: float | None) -> str:
    """0.62 -> '62%'; None -> 'No data'."""
    return str(NO_DATA) if value is None else f"{half_up(value * 100)}%"


def pounds(value: Any) -> str:
    """Decimal('1.234') -> '£1.23'; None -> 'No data'."""
    return str(NO_DATA) if value is None else f"£{half_up(value, '0.01'):,}"


def duration(seconds: float | None) -> str:
    if seconds is None:
        return str(NO_DATA)
    minutes, rest = divmod(int(half_up(seconds)), 60)
    if not minutes:
        return _("%(s)d sec") % {"s": rest}
    return _("%(m)d min %(s)d sec") % {"m": minutes, "s": rest}


def count_change(now: int, before: int) -> str:
    difference = now - before
    return f"+{difference:,}" if difference > 0 else f"-{-difference:,}" if difference else "0"


def rate_change(now: float | None, before: float | None) -> str:
    """Percentage points between two rates, '+4 pts'."""
    if now is None or before is None:
        return ""
    points = half_up((now - before) * 100)
    if points > 0:
        return _("+%(n)s pts") % {"n": points}
    return _("-%(n)s pts") % {"n": -points} if points else _("0 pts")


def day(value: datetime.date) -> str:
    return dateformat.format(value, "j M Y")


def period_label(start: datetime.date, end: datetime.date) -> str:
    return _("%(start)s to %(end)s") % {"start": day(start), "end": day(end)}
