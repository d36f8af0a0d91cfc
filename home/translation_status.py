"""Which page translations are out of date, for the "Translation status" report in the admin.

A page translated with wagtail-localize has a `TranslationSource` (the English content as it
was when last sent or synced) and one `Translation` per language. A translation is, in order of
what an editor should do first:

1. "English page changed since": the English page was published after its source was last
   synced, so the translation is of older English text (sync it, then translate the new strings);
2. "Missing translations": some of the source's strings have no translation yet;
3. "Draft changes not published": the translated page has changes that are not live;
4. "Up to date".

`translation_status()` is the rule. The report filters and orders by the same rule in the
database (`STATUS_CONDITIONS`), so that it works across every page of results; the tests check
that the two agree.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.contrib.contenttypes.models import ContentType
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _
from wagtail.coreutils import get_content_languages
from wagtail.models import Locale, Page
from wagtail_localize.models import StringSegment, StringTranslation, Translation

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class TranslationStatus:
    """A translation's status: a code (for filters and links) and what editors read."""

    ENGLISH_CHANGED = "english-changed"
    MISSING = "missing"
    DRAFT = "draft"
    UP_TO_DATE = "up-to-date"

    # Most urgent first: the report lists the rows in this order.
    ORDER = (ENGLISH_CHANGED, MISSING, DRAFT, UP_TO_DATE)
    LABELS = {
        ENGLISH_CHANGED: _("English page changed since"),
        MISSING: _("Missing translations"),
        DRAFT: _("Draft changes not published"),
        UP_TO_DATE: _("Up to date"),
    }

    @classmethod
    def choices(cls) -> list[tuple[str, StrOrPromise]]:
        return [(code, cls.LABELS[code]) for code in cls.ORDER]

    @classmethod
    def rank(cls, code: str) -> int:
        return cls.ORDER.index(code)


def translation_status(
    *,
    english_published_at: datetime.datetime | None,
    synced_at: datetime.datetime | None,
    progress: tuple[int, int],
    has_unpublished_changes: bool,
) -> str:
    """The status of one translation (a `TranslationStatus` code).

    `english_published_at` is the English page's `last_published_at`, `synced_at` its
    `TranslationSource.last_updated_at`, `progress` is `Translation.get_progress()` (total
    strings, translated strings) and `has_unpublished_changes` is the translated page's."""
    if english_published_at and synced_at and english_published_at > synced_at:
        return TranslationStatus.ENGLISH_CHANGED
    total, translated = progress
    if translated < total:
        return TranslationStatus.MISSING
    if has_unpublished_changes:
        return TranslationStatus.DRAFT
    return TranslationStatus.UP_TO_DATE


# The same rule in the database, for the annotations `page_translations()` makes.
STATUS_CONDITIONS = {
    TranslationStatus.ENGLISH_CHANGED: Q(english_published_at__gt=F("source__last_updated_at")),
    TranslationStatus.MISSING: Q(translated_strings__lt=F("total_strings")),
    TranslationStatus.DRAFT: Q(target_has_unpublished_changes=True),
}


class _Count(Func):
    """COUNT(*) of a subquery's rows, without the GROUP BY an aggregate would add."""

    template = "COUNT(*)"
    output_field = IntegerField()


def _count(queryset: QuerySet) -> Coalesce:
    rows = queryset.order_by().annotate(n=_Count()).values("n")
    return Coalesce(Subquery(rows, output_field=IntegerField()), Value(0))


def page_translations() -> QuerySet[Translation]:
    """Every enabled wagtail-localize translation of a page whose translated page exists, with
    (all in the one query) the English page's id, title and `last_published_at`, the translated
    page's id and `has_unpublished_changes`, the strings to translate and those translated (as
    `Translation.get_progress()` counts them) and `status_rank` (0 is most urgent)."""
    source_page = Page.objects.filter(
        translation_key=OuterRef("source__object_id"), locale_id=OuterRef("source__locale_id")
    )
    target_page = Page.objects.filter(
        translation_key=OuterRef("source__object_id"), locale_id=OuterRef("target_locale_id")
    )
    segments = StringSegment.objects.filter(source_id=OuterRef("source_id"))
    translated_segments = segments.filter(
        Exists(
            StringTranslation.objects.filter(
                translation_of_id=OuterRef("string_id"),
                context_id=OuterRef("context_id"),
                locale_id=OuterRef(OuterRef("target_locale_id")),
                has_error=False,
            )
        )
    )
    page_type = ContentType.objects.get_for_model(Page)
    return (
        Translation.objects.filter(enabled=True, source__object__content_type=page_type)
        .filter(Exists(target_page))
        .select_related("source", "target_locale")
        .annotate(
            source_page_id=Subquery(source_page.values("pk")[:1]),
            source_title=Subquery(source_page.values("title")[:1]),
            english_published_at=Subquery(source_page.values("last_published_at")[:1]),
            target_page_id=Subquery(target_page.values("pk")[:1]),
            target_has_unpublished_changes=Subquery(
                target_page.values("has_unpublished_changes")[:1]
            ),
            total_strings=_count(segments),
            translated_strings=_count(translated_segments),
        )
        .annotate(
            status_rank=Case(
                *(
                    When(condition, then=Value(TranslationStatus.rank(code)))
                    for code, condition in STATUS_CONDITIONS.items()
                ),
                default=Value(TranslationStatus.rank(TranslationStatus.UP_TO_DATE)),
                output_field=IntegerField(),
            )
        )
    )


def filter_by_status(queryset: QuerySet[Translation], code: str) -> QuerySet[Translation]:
    """The rows of `page_translations()` with this status."""
    if code not in TranslationStatus.ORDER:
        return queryset
    return queryset.filter(status_rank=TranslationStatus.rank(code))


def status_of(translation: Translation) -> str:
    """The status of a row of `page_translations()`, from its annotations."""
    return translation_status(
        english_published_at=translation.english_published_at,
        synced_at=translation.source.last_updated_at,
        progress=(translation.total_strings, translation.translated_strings),
        has_unpublished_changes=bool(translation.target_has_unpublished_changes),
    )


def target_languages() -> list[tuple[str, str]]:
    """(code, name) of each language pages are translated into: all but the default."""
    default = Locale.get_default().language_code
    return [(code, name) for code, name in get_content_languages().items() if code != default]


@dataclass(frozen=True)
class LanguageSummary:
    code: str
    name: str
    translated: int  # pages in this language, not aliases
    not_translated: int  # aliases of a page in another language: the English text


def language_summaries() -> list[LanguageSummary]:
    """For each language but English: how many of its pages are translated, and how many are
    aliases still showing the English page (one grouped query)."""
    counts = {
        row["locale__language_code"]: row
        for row in Page.objects.filter(depth__gt=1)
        .order_by()
        .values("locale__language_code")
        .annotate(
            translated=Count("pk", filter=Q(alias_of__isnull=True)),
            not_translated=Count(
                "pk", filter=Q(alias_of__isnull=False) & ~Q(alias_of__locale_id=F("locale_id"))
            ),
        )
    }
    summaries = []
    for code, name in target_languages():
        row = counts.get(code, {})
        summaries.append(
            LanguageSummary(
                code=code,
                name=str(name),
                translated=row.get("translated", 0),
                not_translated=row.get("not_translated", 0),
            )
        )
    return summaries
