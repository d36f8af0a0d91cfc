"""What pages give the full-text index beyond their own fields."""

from __future__ import annotations

from search.text import stems


class StemmedSearchMixin:
    """Adds `search_stems`: the stems of a page's title, keywords and summary, so the
    database backend matches "collected" to "collection" even where it has no stemmer
    (SQLite). Pages list their short descriptive fields in `stemmed_fields`."""

    stemmed_fields: tuple[str, ...] = ("title",)

    def search_stems(self) -> str:
        language = getattr(getattr(self, "locale", None), "language_code", "en")
        text = " ".join(str(getattr(self, name, "") or "") for name in self.stemmed_fields)
        return " ".join(dict.fromkeys(stems(text, language)))

    def search_popularity(self) -> float:
        """0-1: how often residents choose this page (Elasticsearch ranks with it)."""
        from search.popularity import popularity_scores

        return popularity_scores([self.pk]).get(self.pk, 0.0) if self.pk else 0.0
