"""What the ranking reads about each page: its title, keywords and summary as stemmed words,
and the site's vocabulary (each word with the number of pages that use it).

The vocabulary is built once per locale and kept in the process until a page is published,
unpublished, moved or deleted: the search generation (search.generation) tells every process.
"""

from __future__ import annotations

import functools
import math
from collections import Counter
from dataclasses import dataclass

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from wagtail.signals import page_published, page_unpublished, post_page_move

from core.text_analysis import normalise, stem, tokens
from search import generation
from search.engine.base import searchable_pages

MAX_KEPT_DOCUMENTS = 100_000  # about 60 MB at most per process


@dataclass(frozen=True)
class Text:
    """A field's words as written (normalised) and as stems, position by position."""

    words: tuple[str, ...]
    stems: tuple[str, ...]

    def __bool__(self) -> bool:
        return bool(self.words)


@dataclass(frozen=True)
class Document:
    """One page as the ranking sees it."""

    page_id: int
    title: Text
    keywords: tuple[Text, ...]
    summary: Text
    is_service: bool = True
    # In a language the page is not written in yet: its title and summary as they would be in
    # that language (the page's words for search); the words residents use are in keywords.
    other_titles: tuple[Text, ...] = ()
    other_summaries: tuple[Text, ...] = ()

    @functools.cached_property
    def stems(self) -> frozenset[str]:
        """Every stem in any of its fields: a word of the query none of them has scores
        nothing anywhere, and the ranking need not look field by field."""
        fields = (self.title, self.summary, *self.keywords)
        return frozenset(
            s for field in (*fields, *self.other_titles, *self.other_summaries) for s in field.stems
        )


@dataclass
class Vocabulary:
    """Words (as typed) and stems (as matched) with how many pages use them."""

    words: Counter
    stems: Counter
    documents: int

    def __post_init__(self) -> None:
        self.word_list = sorted(self.words)

    def knows(self, word: str, language: str) -> bool:
        return word in self.words or stem(word, language) in self.stems

    def uses(self, term: str) -> int:
        """How many pages use a word or a stem."""
        return max(self.words.get(term, 0), self.stems.get(term, 0))

    def idf(self, stem_: str) -> float:
        """Rarer words say more: the usual smoothed inverse document frequency."""
        seen = self.stems.get(stem_, 0)
        return math.log(1 + (self.documents - seen + 0.5) / (seen + 0.5))


def text(value: str, language: str) -> Text:
    words = tuple(tokens(value))
    return Text(words, tuple(stem(word, language) for word in words))


def keyword_texts(keywords: str, language: str) -> tuple[Text, ...]:
    found = (text(part, language) for part in (keywords or "").split(","))
    return tuple(t for t in found if t)


def _rows(page_ids=None, locale=None):
    pages = searchable_pages(locale) if locale is not None else None
    if pages is None:
        from wagtail.models import Page

        pages = Page.objects.all()
    if page_ids is not None:
        pages = pages.filter(id__in=page_ids)
    return pages.values_list(
        "id",
        "title",
        "search_description",
        "servicepage__keywords",
        "servicepage__summary",
        "categorypage__intro",
        "standardpage__intro",
    ).order_by()


def _document(row, language: str, words: tuple[str, str, str] | None = None) -> Document:
    page_id, title, description, keywords, summary, category_intro, standard_intro = row
    summary_text = summary or category_intro or standard_intro or description or ""
    other_title, other_summary, phrases = words or ("", "", "")
    return Document(
        page_id=page_id,
        title=text(title, language),
        keywords=keyword_texts(keywords, language)
        + tuple(t for line in phrases.splitlines() if (t := text(line, language))),
        summary=text(summary_text, language),
        is_service=summary is not None,
        other_titles=tuple(t for t in [text(other_title, language)] if t),
        other_summaries=tuple(t for t in [text(other_summary, language)] if t),
    )


def _search_words(language: str, page_ids=None, locale=None) -> dict[int, tuple[str, str, str]]:
    """Page id -> (title, summary, phrases) of the pages' words for search in `language`."""
    from services.models import ServiceSearchWords

    rows = ServiceSearchWords.objects.filter(language=language)
    if page_ids is not None:
        rows = rows.filter(page_id__in=page_ids)
    if locale is not None:
        rows = rows.filter(page__locale=locale)
    return {
        page_id: (title, summary, phrases)
        for page_id, title, summary, phrases in rows.values_list(
            "page_id", "title", "summary", "phrases"
        ).order_by()
    }


def documents(page_ids, language: str) -> dict[int, Document]:
    """The ranking's view of these pages, read and analysed once per process and generation
    (search.generation), so a search reads only pages this process has not met."""

    def read(missing: list[tuple[int, str]]) -> dict[tuple[int, str], Document]:
        ids = [pk for pk, _ in missing]
        words = _search_words(language, page_ids=ids)
        return {
            (row[0], language): _document(row, language, words.get(row[0]))
            for row in _rows(page_ids=ids)
        }

    found = generation.remembered_many(
        "document", [(pk, language) for pk in page_ids], read, limit=MAX_KEPT_DOCUMENTS
    )
    return {pk: document for (pk, _), document in found.items()}


def vocabulary(locale) -> Vocabulary:
    return generation.remembered("vocabulary", locale.pk, lambda: _vocabulary(locale))


def _vocabulary(locale) -> Vocabulary:
    language = locale.language_code
    words: Counter = Counter()
    stems_: Counter = Counter()
    count = 0
    extra = _search_words(language, locale=locale)
    for row in _rows(locale=locale).iterator(chunk_size=2000):
        count += 1
        page_words = set()
        for text in (row[1], row[3] or "", row[4] or row[5] or row[6] or row[2] or ""):
            page_words.update(normalise(text).split())
        for text in extra.get(row[0], ()):
            page_words.update(normalise(text).split())
        words.update(page_words)
        stems_.update({stem(word, language) for word in page_words})
    return Vocabulary(words=words, stems=stems_, documents=max(count, 1))


def forget() -> None:
    """A page changed: every process rebuilds its vocabulary on its next search (saving a
    draft counts too: rebuilding is cheap next to showing a stale spelling suggestion)."""
    generation.bump()


@receiver(page_published)
@receiver(page_unpublished)
@receiver(post_page_move)
def _page_changed(**kwargs) -> None:
    forget()


@receiver(post_save)
@receiver(post_delete)
def _page_saved_or_deleted(sender, **kwargs) -> None:
    """A page, or what decides which pages search may show and where they are (a view
    restriction, a site, a locale), or an editor's promoted result."""
    from wagtail.contrib.search_promotions.models import SearchPromotion
    from wagtail.models import Locale, Page, PageViewRestriction, Site

    if isinstance(sender, type) and issubclass(
        sender, (Page, PageViewRestriction, Site, Locale, SearchPromotion)
    ):
        forget()
