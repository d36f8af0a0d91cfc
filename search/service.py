"""The search page's work, apart from the request: the same code serves the page, the
suggestions as you type and `manage.py search_eval`."""

from __future__ import annotations

import time
from array import array
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from django.conf import settings
from django.core.paginator import Page as PaginatorPage
from django.core.paginator import Paginator
from django.utils.html import format_html
from django.utils.translation import get_language
from wagtail.contrib.search_promotions.models import SearchPromotion
from wagtail.models import Locale, Page
from wagtail.search.utils import normalise_query_string

from core.languages import untranslated
from core.text_analysis import normalise
from search import generation
from search.engine import get_engine, searchable_pages
from services.models import CategoryPage, ServicePage

RESULTS_PER_PAGE = 10
# How long a remembered ranking is used: residents' choices (search.popularity, counted again
# every 5 minutes) move it.
POPULARITY_REFRESH = 5 * 60
# Queries whose results each process remembers, and pages whose result it remembers: up to
# about 3 MB and 1 MB.
REMEMBERED_OUTCOMES = 2_000
REMEMBERED_CARDS = 5_000


@dataclass
class Result:
    """One line of the results: a page of ours, or an editor's external link."""

    position: int  # 1 = first on the first page, promoted results included
    title: str
    url: str
    page_id: int | None = None
    # A page shown in English because it is not translated yet (core.languages.untranslated).
    untranslated: bool = False
    promoted: bool = False
    description: str = ""
    category: str = ""
    click_url: str = ""  # set by the page: the link that records the click-through

    @property
    def language_attributes(self) -> str:
        """` lang="en-gb" dir="ltr"` on the link to a page shown in English, for screen
        readers (as `english_if_untranslated` marks links to pages)."""
        if not self.untranslated:
            return ""
        return format_html(' lang="{}" dir="ltr"', settings.LANGUAGE_CODE)


@dataclass
class SearchOutcome:
    query: str
    results: list[LazyResult] = field(default_factory=list)
    suggestion: str | None = None

    @property
    def total(self) -> int:
        return len(self.results)

    def page(self, number) -> PaginatorPage:
        return Paginator(self.results, RESULTS_PER_PAGE).get_page(number)


def promotions_for(query: str) -> list[SearchPromotion]:
    """Editors' promoted results for this query, as Wagtail search promotions normalise it,
    with our normalising too (so 'Tip?' finds the promotions for 'tip')."""
    keys = {normalise_query_string(query), normalise(query)}
    every = generation.remembered("promotions", None, _every_promotion)
    found = [promotion for key in keys for promotion in every.get(key, ())]
    return sorted(found, key=lambda promotion: promotion.sort_order)


def _every_promotion() -> dict[str, list[SearchPromotion]]:
    """Every promoted result by its query: editors keep a few hundred at most."""
    by_query: dict[str, list[SearchPromotion]] = {}
    promotions = SearchPromotion.objects.select_related("query", "page").order_by("sort_order")
    for promotion in promotions:
        by_query.setdefault(promotion.query.query_string, []).append(promotion)
    return by_query


def describe(page: Page, categories: dict[str, str] | None = None) -> tuple[str, str]:
    """A result's description and category (the parent category page, where there is one).
    `categories` maps tree paths to category titles, read in one go for a page of results."""
    description = (
        getattr(page, "summary", "") or getattr(page, "intro", "") or page.search_description
    )
    category = ""
    if isinstance(page, ServicePage):
        parent_path = page.path[: -page.steplen]
        if categories is None:
            categories = category_titles([parent_path])
        category = categories.get(parent_path, "")
    return description, category


def category_titles(paths) -> dict[str, str]:
    return dict(CategoryPage.objects.filter(path__in=set(paths)).values_list("path", "title"))


def run_search(
    query: str, *, locale: Locale | None = None, limit: int | None = None
) -> SearchOutcome:
    """Promoted results first, then the engine's ranking, each page once.

    A query already asked in this process is answered from its memory, until an editor changes
    something search reads (search.generation) or POPULARITY_REFRESH has passed, as residents'
    choices move the ranking too. Most searches are a few common queries ("bins", "council
    tax"), so most are answered without asking the engine."""
    locale = locale or active_locale()
    outcome = SearchOutcome(query=query)
    if not query:
        return outcome
    with generation.one_generation():
        promoted, ranked, outcome.suggestion = generation.remembered(
            "outcome",
            (locale.pk, query, limit, int(time.time() // POPULARITY_REFRESH)),
            lambda: _ordered(query, locale, limit),
            limit=REMEMBERED_OUTCOMES,
        )
    ordered = [*promoted, *((pk, None) for pk in ranked)]
    outcome.results = [
        LazyResult(position, pk, promotion) for position, (pk, promotion) in enumerate(ordered, 1)
    ]
    return outcome


def suggestions(prefix: str, locale: Locale, limit: int) -> list[Result]:
    """What to offer as the resident types `prefix`: remembered as `run_search` remembers a
    query's results, and read from the same remembered results."""
    with generation.one_generation():
        ids = generation.remembered(
            "suggestions",
            (locale.pk, prefix, limit, int(time.time() // POPULARITY_REFRESH)),
            lambda: get_engine().suggest(prefix, locale=locale, limit=limit),
            limit=REMEMBERED_OUTCOMES,
        )
        shown = cards(ids)
    return [shown[pk] for pk in ids if pk in shown]


def _ordered(
    query: str, locale: Locale, limit: int | None
) -> tuple[tuple[tuple[int | None, SearchPromotion], ...], array, str | None]:
    """The promoted results, then the ranked pages' ids (as compact as they can be kept),
    and the engine's "did you mean"."""
    engine = get_engine()
    ranking = engine.rank(query, locale=locale)
    ordered: list[tuple[int | None, SearchPromotion | None]] = []
    seen: set[int] = set()
    live_ids: set[int] = set()
    promotions = promotions_for(query)
    if promotions:
        page_ids = [p.page_id for p in promotions if p.page_id]
        live_ids = set(
            searchable_pages(locale).filter(id__in=page_ids).values_list("id", flat=True)
        )
    for promotion in promotions:
        if promotion.page_id:
            if promotion.page_id in live_ids and promotion.page_id not in seen:
                seen.add(promotion.page_id)
                ordered.append((promotion.page_id, promotion))
        elif promotion.external_link_url:
            ordered.append((None, promotion))
    for pk in ranking.page_ids:
        if pk not in seen:
            seen.add(pk)
            ordered.append((pk, None))
    if limit is not None:
        ordered = ordered[:limit]
    promoted = tuple((pk, p) for pk, p in ordered if p is not None)
    ranked = array("q", (pk for pk, p in ordered if p is None and pk is not None))
    return promoted, ranked, ranking.suggestion


def active_locale() -> Locale:
    """Wagtail's `Locale.get_active()`, kept per language for the search generation (a locale
    added or changed bumps it)."""
    language = get_language() or ""
    return generation.remembered("locale", language, Locale.get_active)


class LazyResult:
    """A result whose page is read from the database only when it is shown (a results page
    shows 10 of up to 200)."""

    __slots__ = ("_result", "page_id", "position", "promotion")

    def __init__(
        self, position: int, page_id: int | None, promotion: SearchPromotion | None
    ) -> None:
        self.position = position
        self.page_id = page_id
        self.promotion = promotion
        self._result: Result | None = None

    def resolve(self, card: Result | None = None) -> Result:
        if self._result is None:
            promotion = self.promotion
            if self.page_id is None:
                assert promotion is not None  # a result without a page is an external link
                self._result = Result(
                    position=self.position,
                    title=promotion.external_link_text or promotion.external_link_url,
                    url=promotion.external_link_url,
                    promoted=True,
                    description=promotion.description,
                )
            else:
                if card is None:
                    card = cards([self.page_id])[self.page_id]
                self._result = replace(
                    card,
                    position=self.position,
                    promoted=promotion is not None,
                    description=(promotion and promotion.description) or card.description,
                )
        return self._result


def resolve(results: Iterable[LazyResult]) -> list[Result]:
    """The Result for each LazyResult on one results page: what a result shows of a page is
    kept per process and generation, and the pages this process has not shown yet are read
    (with their categories) in two queries."""
    results = list(results)
    ids = [r.page_id for r in results if r.page_id is not None]
    shown = cards(ids)
    return [
        r.resolve(None if r.page_id is None else shown[r.page_id])
        for r in results
        if r.page_id is None or r.page_id in shown
    ]


def cards(ids: list[int]) -> dict[int, Result]:
    """Page id -> what a result shows of it, for the live public pages among `ids`."""
    return generation.remembered_many("card", ids, _cards, limit=REMEMBERED_CARDS)


def _cards(ids: list[int]) -> dict[int, Result]:
    # Live and public: an engine's index may lag behind an unpublished page.
    found = Page.objects.live().public().filter(pk__in=ids).specific()
    pages = {page.pk: page for page in found}
    categories = category_titles(page.path[: -page.steplen] for page in pages.values())
    return {pk: _card(page, categories) for pk, page in pages.items()}


def _card(page: Page, categories: dict[str, str]) -> Result:
    """What a result shows of a page, wherever it comes in the results."""
    description, category = describe(page, categories)
    return Result(
        position=0,
        title=page.title,
        url=page.url or "",
        page_id=page.pk,
        untranslated=untranslated(page),
        description=description,
        category=category,
    )
