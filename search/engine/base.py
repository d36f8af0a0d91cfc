"""One interface for the search engines: the page asks for a ranking, whichever engine runs."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field

from django.db.models import Q
from wagtail.models import Locale, Page

from home.models import StandardPage
from services.models import CategoryPage, ServicePage

# How many results an engine ranks for one query; a resident never pages past the first few.
MAX_RESULTS = 200


@dataclass(frozen=True)
class Ranking:
    """Page ids, best first, and what the engine thinks the resident meant."""

    page_ids: list[int] = field(default_factory=list)
    # "Did you mean ..." when words of the query are not in the site's vocabulary.
    suggestion: str | None = None

    @property
    def total(self) -> int:
        return len(self.page_ids)


class SearchEngine(ABC):
    name: str = ""

    @abstractmethod
    def rank(self, query: str, *, locale: Locale, limit: int = MAX_RESULTS) -> Ranking:
        """The live public pages in `locale` that match `query`, best first."""

    @abstractmethod
    def suggest(self, prefix: str, *, locale: Locale, limit: int = 6) -> list[int]:
        """Page ids to offer as the resident types `prefix` (the last word may be unfinished)."""


def searchable_models() -> list[type[Page]]:
    return [ServicePage, CategoryPage, StandardPage]


def searchable_content_types() -> list[int]:
    from django.contrib.contenttypes.models import ContentType

    return [ct.pk for ct in ContentType.objects.get_for_models(*searchable_models()).values()]


def searchable_pages(locale: Locale):
    """What search can find: live, public content pages in the resident's language (not the
    home page, and not the question pages of a flow: results land on the service page).

    Public as Wagtail's `.public()` means it (no view restriction on the page or above it),
    with the restricted pages' paths kept for the search generation, which a restriction
    added or removed bumps, rather than read on every search."""
    from search import generation

    pages = Page.objects.live().filter(locale=locale).type(*searchable_models())
    private = Q()
    for path in generation.remembered("restricted-paths", None, _restricted_paths):
        private |= Q(path__startswith=path)
    return pages.exclude(private) if private else pages


def _restricted_paths() -> tuple[str, ...]:
    from wagtail.models import PageViewRestriction

    return tuple(PageViewRestriction.objects.values_list("page__path", flat=True).distinct())
