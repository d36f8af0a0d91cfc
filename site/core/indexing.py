"""What pages give the full-text index beyond their own fields.

Pages of several apps mix this in, so it lives below all of them; how popular a page is comes
from the search app's analytics, which the search app plugs in when it is ready
(`set_popularity_source`): until then, and without the search app, every page scores 0.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from core.text_analysis import stems

PopularitySource = Callable[[Iterable[int]], dict[int, float]]
_popularity: PopularitySource | None = None


def set_popularity_source(source: PopularitySource) -> None:
    global _popularity
    _popularity = source


class StemmedSearchMixin:
    """Adds `search_stems`: the stems of a page's title, keywords and summary, so the
    database backend matches "collected" to "collection" even where it has no stemmer
    (SQLite). Pages list their short descriptive fields in `stemmed_fields`."""

    stemmed_fields: tuple[str, ...] = ("title",)
    pk: Any  # the primary key of the page model this is mixed into

    def search_stems(self) -> str:
        language = getattr(getattr(self, "locale", None), "language_code", "en")
        text = " ".join(str(getattr(self, name, "") or "") for name in self.stemmed_fields)
        text = f"{text} {self.search_words()}"
        return " ".join(dict.fromkeys(stems(text, language)))

    def search_words(self) -> str:
        """Words residents search for this page with in its language beyond its own fields
        (a page type that keeps them says which): indexed and stemmed with the rest."""
        return ""

    def search_popularity(self) -> float:
        """0-1: how often residents choose this page (Elasticsearch ranks with it)."""
        if _popularity is None or not self.pk:
            return 0.0
        return _popularity([self.pk]).get(self.pk, 0.0)
