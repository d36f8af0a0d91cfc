from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SearchConfig(AppConfig):
    """Site search: the results page, editors' synonyms and promoted results, the query log
    and its reports, and the engines behind them (database or Elasticsearch)."""

    name = "search"
    verbose_name = _("Search")

    def ready(self) -> None:
        # Signal receivers: clear compiled synonyms and the vocabulary when editors change them,
        # and credit flows started or finished after a search to that search.
        from core.indexing import set_popularity_source
        from search import analytics, corpus, synonyms  # noqa: F401
        from search.backends import elasticsearch  # noqa: F401  (pushes synonyms to ES)
        from search.popularity import popularity_scores

        # Pages of every app rank by how often residents choose them (core.indexing).
        set_popularity_source(popularity_scores)
