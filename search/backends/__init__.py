"""Our Wagtail search backends: Wagtail's Elasticsearch 8 backend with the council's analysis
(English stemming, editors' synonyms at search time). Name it in WAGTAILSEARCH_BACKENDS as
"search.backends.elasticsearch"."""

from search.backends.elasticsearch import (
    CouncilElasticsearchBackend,
    CouncilElasticsearchIndex,
    CouncilElasticsearchMapping,
)

__all__ = [
    "CouncilElasticsearchBackend",
    "CouncilElasticsearchIndex",
    "CouncilElasticsearchMapping",
]
