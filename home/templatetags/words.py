"""Template filters for words that must fit their language: dates in a sentence
(core.dates), and a service page's body split where its introduction ends."""

from __future__ import annotations

import datetime
from typing import Any

from django import template
from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, get_language_bidi

from core import dates
from core.languages import untranslated

register = template.Library()


def _day(value: datetime.date) -> datetime.date:
    # A moment (a payment, a request sent) is dated by the council's clock, not UTC's.
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value


@register.filter
def on_date(value: datetime.date | None) -> str:
    """{{ day|on_date }}: 'on Monday 7 December 2026', in the active language."""
    return dates.on_date(_day(value)) if value else ""


@register.filter
def long_date(value: datetime.date | None) -> str:
    """{{ day|long_date }}: 'Monday 7 December 2026', in the active language."""
    return dates.long_date(_day(value)) if value else ""


@register.filter
def day_month_year(value: datetime.date | None) -> str:
    """{{ day|day_month_year }}: '7 December 2026' (pl '7 grudnia 2026')."""
    return dates.day_month_year(_day(value)) if value else ""


def _first_heading(blocks: Any) -> int:
    blocks = list(blocks or [])
    for index, block in enumerate(blocks):
        if getattr(block, "block_type", None) == "heading":
            return index
    return len(blocks)


@register.filter
def introduction(blocks: Any) -> list[Any]:
    """The body blocks before its first heading: what a resident reads before "Start now"
    (how long it takes, what to have ready, a warning), as GOV.UK start pages put it."""
    return list(blocks or [])[: _first_heading(blocks)]


@register.filter
def after_introduction(blocks: Any) -> list[Any]:
    """The body blocks from its first heading on ("What happens next", ...)."""
    return list(blocks or [])[_first_heading(blocks) :]


@register.filter
def text_direction(page: Any) -> str:
    """'rtl' or 'ltr' for the page's layout: left-to-right for a page not translated yet (its
    text is English), else the active language's."""
    if untranslated(page):
        return "ltr"
    return "rtl" if get_language_bidi() else "ltr"


@register.filter
def furniture_direction(page: Any) -> str:
    """` dir="rtl"` on the header, banner, notice and footer of a page laid out left-to-right
    because it is not translated yet, when they are in a right-to-left language (Arabic): their
    sentences keep their own direction and punctuation."""
    if untranslated(page) and get_language_bidi():
        return mark_safe(' dir="rtl"')
    return ""


@register.filter
def content_language(page: Any) -> str:
    """The language a page's own text is in: English for a page not translated yet (an
    alias), so `{% language %}` writes its buttons and messages in English too."""
    if untranslated(page):
        return settings.LANGUAGE_CODE
    return get_language() or settings.LANGUAGE_CODE


@register.filter
def lower_first(text: Any) -> str:
    """'Where in Fernbridge will the skip be?' -> 'where in Fernbridge will the skip be?', for
    words that follow others ("Change where in ..."): only the first letter is lowered, and not
    even that when it starts a capitalised abbreviation ("PCN", "V5C"), so names keep theirs."""
    text = str(text or "")
    if len(text) > 1 and text[1].isupper():
        return text
    return text[:1].lower() + text[1:]


@register.simple_tag(takes_context=True)
def resident_url(context: Any, name: str, *args: Any) -> str:
    """{% resident_url 'track' %}: `{% url %}` in the resident's language. Inside the text of a
    page not translated yet, which is written in English (`{% language %}`), a link still goes
    to the resident's own language's address, so the pages after it are in their language."""
    request = context.get("request")
    language = getattr(request, "LANGUAGE_CODE", None) or get_language()
    with translation.override(language):
        return reverse(name, args=args)
