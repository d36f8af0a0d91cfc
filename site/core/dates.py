"""Dates as residents read them in a sentence, in each of the site's languages.

Django's date formats give the parts, but not the grammar around them: Welsh mutates "dydd"
after "ar" ("ar ddydd Llun"), Polish puts the day in the accusative after "w" ("w środę", and
"we wtorek") and the month in the genitive ("7 grudnia"). So each language's words are here,
once, and every sentence with a date in it asks for `on_date` ("on Monday 7 December 2026")
or `long_date` ("Monday 7 December 2026"), never for a format string of its own.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import get_language


@dataclass(frozen=True)
class DateWords:
    days: tuple[str, ...]  # Monday first, as the day stands alone (a heading, a table cell)
    months: tuple[str, ...]  # January first, as it is written after the day of the month
    on_days: tuple[str, ...]  # "on Monday", as it is written in a sentence


ENGLISH_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
WELSH_DAYS = ("Llun", "Mawrth", "Mercher", "Iau", "Gwener", "Sadwrn", "Sul")
ARABIC_DAYS = ("الاثنين", "الثلاثاء", "الأربعاء", "الخميس", "الجمعة", "السبت", "الأحد")

WORDS: dict[str, DateWords] = {
    "en": DateWords(
        days=ENGLISH_DAYS,
        months=(
            "January",
            "February",
            "March",
            "April",
            "May",
            "June",
            "July",
            "August",
            "September",
            "October",
            "November",
            "December",
        ),
        on_days=tuple(f"on {day}" for day in ENGLISH_DAYS),
    ),
    "cy": DateWords(
        days=tuple(f"Dydd {day}" for day in WELSH_DAYS),
        months=(
            "Ionawr",
            "Chwefror",
            "Mawrth",
            "Ebrill",
            "Mai",
            "Mehefin",
            "Gorffennaf",
            "Awst",
            "Medi",
            "Hydref",
            "Tachwedd",
            "Rhagfyr",
        ),
        # soft mutation after "ar": dydd -> ddydd
        on_days=tuple(f"ar ddydd {day}" for day in WELSH_DAYS),
    ),
    "pl": DateWords(
        days=("poniedziałek", "wtorek", "środa", "czwartek", "piątek", "sobota", "niedziela"),
        # the genitive: "7 grudnia", never "7 grudzień"
        months=(
            "stycznia",
            "lutego",
            "marca",
            "kwietnia",
            "maja",
            "czerwca",
            "lipca",
            "sierpnia",
            "września",
            "października",
            "listopada",
            "grudnia",
        ),
        # the accusative after "w", and "we" before the "w" of "wtorek"
        on_days=(
            "w poniedziałek",
            "we wtorek",
            "w środę",
            "w czwartek",
            "w piątek",
            "w sobotę",
            "w niedzielę",
        ),
    ),
    "ar": DateWords(
        days=ARABIC_DAYS,
        months=(
            "يناير",
            "فبراير",
            "مارس",
            "أبريل",
            "مايو",
            "يونيو",
            "يوليو",
            "أغسطس",
            "سبتمبر",
            "أكتوبر",
            "نوفمبر",
            "ديسمبر",
        ),
        on_days=tuple(f"يوم {day}" for day in ARABIC_DAYS),
    ),
}


def _words(language: str | None) -> DateWords:
    code = (language or get_language() or settings.LANGUAGE_CODE).lower().split("-")[0]
    return WORDS.get(code, WORDS["en"])


def day_month_year(value: datetime.date, language: str | None = None) -> str:
    """'7 December 2026'; pl '7 grudnia 2026'."""
    words = _words(language)
    return f"{value.day} {words.months[value.month - 1]} {value.year}"


def long_date(value: datetime.date, language: str | None = None) -> str:
    """'Monday 7 December 2026' (a table cell, a heading); the active language by default."""
    words = _words(language)
    return f"{words.days[value.weekday()]} {day_month_year(value, language)}"


def on_date(value: datetime.date, language: str | None = None) -> str:
    """'on Monday 7 December 2026', for the middle of a sentence: cy 'ar ddydd Llun 7 Rhagfyr
    2026', pl 'w poniedziałek 7 grudnia 2026', ar 'يوم الاثنين 7 ديسمبر 2026'."""
    words = _words(language)
    return f"{words.on_days[value.weekday()]} {day_month_year(value, language)}"
