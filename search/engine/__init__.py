"""The search engine in use: Elasticsearch when settings say so, else the database."""

from __future__ import annotations

from django.conf import settings
from django.utils.module_loading import import_string

from search.engine.base import MAX_RESULTS, Ranking, SearchEngine, searchable_pages

__all__ = ["MAX_RESULTS", "Ranking", "SearchEngine", "get_engine", "searchable_pages"]

DEFAULT_ENGINE = "search.engine.database.DatabaseEngine"


def get_engine() -> SearchEngine:
    """`SEARCH_ENGINE` names the engine class (production sets the Elasticsearch one when
    `ELASTICSEARCH_URL` is set)."""
    return import_string(getattr(settings, "SEARCH_ENGINE", DEFAULT_ENGINE))()
