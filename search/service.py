"""The search page's work, apart from the request: the same code serves the page, the
suggestions as you type and `manage.py search_eval`."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.paginator import Page as PaginatorPage
from django.core.paginator import Paginator
from wagtail.contrib.search_promotions.models import SearchPromotion
from wagtail.models import Locale, Page
from wagtail.search.utils import normalise_query_string

from core.text_analysis import normalise
from search.engine import get_engine, searchable_pages
from services.models import CategoryPage, ServicePage

RESULTS_PER_PAGE = 10


@dataclass
class Result:
    """One line of the results: a page of ours, or an editor's external link."""

    position: int  # 1 = first on the first page, promoted results included
    title: str
    url: str
    page: Page | None = None
    promoted: bool = False
    description: str = ""
    category: str = ""
    click_url: str = ""  # set by the page: the link that records the click-through


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
    return list(
        SearchPromotion.objects.filter(query__query_string__in=keys)
        .select_related("page")
        .order_by("sort_order")
    )


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
    """Promoted results first, then the engine's ranking, each page once."""
    locale = locale or Locale.get_active()
    outcome = SearchOutcome(query=query)
    if not query:
        return outcome
    engine = get_engine()
    ranking = engine.rank(query, locale=locale)
    outcome.suggestion = ranking.suggestion
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
    outcome.results = [
        LazyResult(position, pk, promotion) for position, (pk, promotion) in enumerate(ordered, 1)
    ]
    return outcome


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

    def resolve(self, page: Page | None = None, categories=None) -> Result:
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
                page = page or Page.objects.get(pk=self.page_id).specific
                description, category = describe(page, categories)
                if promotion is not None and promotion.description:
                    description = promotion.description
                self._result = Result(
                    position=self.position,
                    title=page.title,
                    url=page.url or "",
                    page=page,
                    promoted=promotion is not None,
                    description=description,
                    category=category,
                )
        return self._result


def resolve(results: Iterable[LazyResult]) -> list[Result]:
    """The Result for each LazyResult on one results page, reading their pages (and their
    categories) in two queries."""
    ids = [r.page_id for r in results if r.page_id is not None]
    pages = {page.pk: page for page in Page.objects.filter(pk__in=ids).specific()}
    categories = category_titles(page.path[: -page.steplen] for page in pages.values())
    return [
        r.resolve(pages.get(r.page_id), categories)
        for r in results
        if r.page_id is None or r.page_id in pages
    ]
