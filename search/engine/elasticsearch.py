"""The Elasticsearch engine: Wagtail's elasticsearch8 backend indexes the pages
(search.backends.elasticsearch adds our analysis); this module asks our own tuned query with
elasticsearch.dsl.

The query (one request per search):

    function_score                      popularity added to relevance (boost_mode "sum")
      bool
        must      multi_match           title^5, keywords^4, summary/intro^2, body^1;
                                        fuzziness AUTO (typos), prefix_length 1
        should    match_phrase title    the words together, in order: a bonus
                  match_phrase keywords
        filter    live, locale, page types (what searchable_pages() means)
        must_not  prefix path           pages under a view restriction

Every text query uses the search analyzer of the resident's language, which carries the
editors' synonyms (synonym_graph on an Elasticsearch synonyms set). "Did you mean" comes from
search.analysis, as with the database engine, so both engines suggest the same thing.

If Elasticsearch cannot be reached or refuses the request, the resident still gets results:
we log the error and ask the database engine instead.
"""

from __future__ import annotations

import logging
import threading
from copy import deepcopy
from functools import cached_property

from django.core.exceptions import ImproperlyConfigured
from elastic_transport import TransportError
from elasticsearch import ApiError
from elasticsearch.dsl import Q, Query, Search
from modelsearch.backends import get_search_backend, import_backend
from modelsearch.backends.elasticsearchbase import ElasticsearchBaseSearchBackend
from modelsearch.conf import get_app_config
from modelsearch.index import AutocompleteField, FilterField, SearchField
from wagtail.models import Locale, Page, PageViewRestriction

from core.text_analysis import normalise
from home.models import StandardPage
from search.analysis import analyse
from search.backends.elasticsearch import INDEX_ANALYZER, CouncilElasticsearchBackend
from search.corpus import vocabulary
from search.engine.base import MAX_RESULTS, Ranking, SearchEngine, searchable_pages
from search.engine.database import DatabaseEngine
from services.models import CategoryPage, ServicePage

logger = logging.getLogger(__name__)

# Where a word is found says how much the page is about it: the title most, then the words
# residents use (keywords), then the summary or introduction, then the body.
FIELD_BOOSTS = {
    "title": 5,
    "keywords": 4,
    # a service's words for search in the page's language: situations residents describe and,
    # before a page is translated, its title and summary in that language
    "search_words": 4,
    "summary": 2,
    "intro": 2,
    "who_can_use": 1,
    "before_you_start": 1,
    "body": 1,
}
# The resident's words together and in order (one word may come between: "report a missed
# bin" for "report missed bin"): a bonus on top of the word matches.
PHRASE_BOOSTS = {"title": 3, "keywords": 2, "search_words": 2}
PHRASE_SLOP = 1
# Among the fields a word matches, the best counts in full and the others this much.
TIE_BREAKER = 0.3
# Suggestions as you type: the fields whose words a resident is likely to be typing.
SUGGEST_FIELDS = ("title", "keywords", "search_words", "summary", "intro")
SUGGEST_TITLE_BOOST = 2

# Popularity (0-1, how often residents choose a page) through field_value_factor:
# Elasticsearch's log1p is log10(1 + factor * popularity), so factor 9 maps 0-1 onto 0-1
# (a page chosen half as often as the most chosen still gets 0.74: the log flattens the
# head), and the weight makes that worth up to POPULARITY_WEIGHT points.
# boost_mode "sum", not "multiply": multiplying would give every page nobody has chosen yet
# (new pages, category pages, which have no popularity) a score of zero, whatever it says.
# Added, popularity decides between pages that match about as well; it cannot lift a page
# that matches poorly over one that matches well (a title match alone is worth more).
POPULARITY_FACTOR = 9
POPULARITY_WEIGHT = 3

# A resident's query is a few words; anything longer is cut (fuzzy expansion per word).
MAX_QUERY_CHARS = 200

# The errors that mean "Elasticsearch could not answer": connection, timeout, TLS,
# serialisation (TransportError) and any error status, such as a missing index (ApiError).
SEARCH_ERRORS = (TransportError, ApiError)

_backends: dict[tuple[str, str], CouncilElasticsearchBackend] = {}
_backends_lock = threading.Lock()


def searchable_models():
    return (ServicePage, CategoryPage, StandardPage)


def backend_config(name: str) -> dict:
    return get_app_config().get_search_backend_config().get(name, {})


def elasticsearch_backend(name: str = "default") -> CouncilElasticsearchBackend:
    """The configured backend (and its client), shared by the requests of this process so
    that connections are reused. A change of settings (tests) gives a new one."""
    config = backend_config(name)
    key = (name, repr(sorted(config.items(), key=lambda item: item[0])))
    with _backends_lock:
        backend = _backends.get(key)
        if backend is None:
            # A copy of OPTIONS: the backend adds its timeout to the dict it is given, which
            # would change the settings (and this key) under us.
            backend = get_search_backend(name, OPTIONS=deepcopy(config.get("OPTIONS", {})))
            if not isinstance(backend, CouncilElasticsearchBackend):
                raise ImproperlyConfigured(
                    f"The ElasticsearchEngine needs WAGTAILSEARCH_BACKENDS[{name!r}] to be "
                    "'search.backends.elasticsearch' (our analysis and field names)."
                )
            _backends[key] = backend
    return backend


def fallback_backend_name() -> str:
    """A configured database backend (its index is kept current by Wagtail's signal
    handlers), else Wagtail's database backend by its path."""
    for name, conf in get_app_config().get_search_backend_config().items():
        try:
            backend_class = import_backend(conf["BACKEND"])
        except ImportError:
            continue
        # The database backend's SearchBackend is a function choosing by database vendor.
        is_class = isinstance(backend_class, type)
        if not (is_class and issubclass(backend_class, ElasticsearchBaseSearchBackend)):
            return name
    return "wagtail.search.backends.database"


def field_query(kind: str, column: str, value) -> Query:
    """`{kind: {column: value}}`. Built from a dict on purpose: given keyword arguments, dsl
    reads "__" as a path ("services_servicepage__keywords" would become
    "services_servicepage.keywords"), and Wagtail's column names contain "__"."""
    return Q({kind: {column: value}})


def _search_field(model, name: str):
    for field in model.get_search_fields():
        if field.field_name == name and type(field) is SearchField:
            return field
    return None


def _filter_field(model, name: str):
    for field in model.get_search_fields():
        if field.field_name == name and isinstance(field, FilterField):
            return field
    raise ImproperlyConfigured(f"{model.__name__} has no FilterField {name!r}")


class ElasticsearchEngine(SearchEngine):
    name = "elasticsearch"

    def __init__(self, backend_name: str = "default") -> None:
        self.backend_name = backend_name

    # What the index calls things -----------------------------------------------------------

    @cached_property
    def backend(self) -> CouncilElasticsearchBackend:
        return elasticsearch_backend(self.backend_name)

    @property
    def index_name(self) -> str:
        return self.backend.get_index_for_model(Page).name

    def mapping(self, model):
        return self.backend.mapping_class(model)

    def columns(self, names) -> dict[str, list[str]]:
        """Field name -> the index columns that hold it on our page types (Wagtail prefixes a
        field defined on a page type with "<app>_<model>__")."""
        found: dict[str, list[str]] = {}
        for model in searchable_models():
            mapping = self.mapping(model)
            for name in names:
                field = _search_field(model, name)
                if field is None:
                    continue
                column = mapping.get_field_column_name(field)
                if column not in found.setdefault(name, []):
                    found[name].append(column)
        return found

    def boosted_fields(self, boosts: dict[str, int]) -> list[str]:
        columns = self.columns(boosts)
        weighted = [(boosts[name], column) for name, names in columns.items() for column in names]
        weighted.sort(key=lambda item: (-item[0], item[1]))
        return [f"{column}^{boost}" if boost != 1 else column for boost, column in weighted]

    def filter_column(self, model, name: str) -> str:
        return self.mapping(model).get_field_column_name(_filter_field(model, name))

    def title_edgengrams_column(self) -> str:
        for field in Page.get_search_fields():
            if field.field_name == "title" and isinstance(field, AutocompleteField):
                return self.mapping(Page).get_field_column_name(field)
        raise ImproperlyConfigured("Page has no AutocompleteField('title')")

    def popularity_column(self) -> str:
        return self.filter_column(ServicePage, "search_popularity")

    # The query -------------------------------------------------------------------------

    def filters(self, locale: Locale) -> tuple[list[Query], list[Query]]:
        """(filter, must_not): what searchable_pages(locale) means, in the index's terms:
        live, in the locale, one of our page types, and not in a private section."""
        content_types = [self.mapping(model).get_content_type() for model in searchable_models()]
        keep = [
            field_query("term", self.filter_column(Page, "live"), True),
            field_query("term", self.filter_column(Page, "locale"), locale.pk),
            field_query("terms", "_django_content_type", content_types),
        ]
        path = self.filter_column(Page, "path")
        restricted = sorted(set(PageViewRestriction.objects.values_list("page__path", flat=True)))
        # A restriction covers its page and everything under it: the paths that start with it.
        drop = [field_query("prefix", path, restricted_path) for restricted_path in restricted]
        return keep, drop

    def popularity(self) -> dict:
        return {
            "field_value_factor": {
                "field": self.popularity_column(),
                "factor": POPULARITY_FACTOR,
                "modifier": "log1p",
                "missing": 0,
            },
            "weight": POPULARITY_WEIGHT,
        }

    def with_popularity(self, query: Query) -> Query:
        return Q(
            "function_score",
            query=query,
            functions=[self.popularity()],
            score_mode="sum",
            boost_mode="sum",
        )

    def search(self, query: Query, limit: int) -> Search:
        return (
            Search(using=self.backend.es, index=self.index_name)
            .query(query)
            .extra(size=limit)
            .source(False)
        )

    def rank_search(self, text: str, *, locale: Locale, limit: int = MAX_RESULTS) -> Search:
        analyzer = self.backend.search_analyzer(locale.language_code)
        columns = self.columns(PHRASE_BOOSTS)
        phrases = [
            field_query(
                "match_phrase",
                column,
                {
                    "query": text,
                    "analyzer": analyzer,
                    "slop": PHRASE_SLOP,
                    "boost": PHRASE_BOOSTS[name],
                },
            )
            for name in PHRASE_BOOSTS
            for column in columns.get(name, [])
        ]
        keep, drop = self.filters(locale)
        words = Q(
            "multi_match",
            query=text,
            fields=self.boosted_fields(FIELD_BOOSTS),
            type="best_fields",
            tie_breaker=TIE_BREAKER,
            fuzziness="AUTO",
            prefix_length=1,
            analyzer=analyzer,
        )
        query = Q("bool", must=[words], should=phrases, filter=keep, must_not=drop)
        return self.search(self.with_popularity(query), limit)

    def suggest_search(self, prefix: str, *, locale: Locale, limit: int = 6) -> Search:
        keep, drop = self.filters(locale)
        typed = [
            # Wagtail's edge n-grams of the title: every word typed, the last one unfinished.
            field_query(
                "match",
                self.title_edgengrams_column(),
                {"query": prefix, "operator": "and", "boost": SUGGEST_TITLE_BOOST},
            ),
            # The words residents use and the summary too: the last word as a prefix. The
            # index analyzer here: prefixes of unfinished words are no place for synonyms.
            Q(
                "multi_match",
                query=prefix,
                type="bool_prefix",
                fields=self.boosted_fields({name: FIELD_BOOSTS[name] for name in SUGGEST_FIELDS}),
                operator="and",
                analyzer=INDEX_ANALYZER,
            ),
        ]
        query = Q("bool", should=typed, minimum_should_match=1, filter=keep, must_not=drop)
        return self.search(self.with_popularity(query), limit)

    # Running it ------------------------------------------------------------------------

    @staticmethod
    def clean(query: str) -> str:
        return " ".join((query or "").split())[:MAX_QUERY_CHARS]

    def page_ids(self, search: Search, locale: Locale) -> list[int]:
        ids = []
        for hit in search.execute():
            try:
                ids.append(int(hit.meta.id))
            except (TypeError, ValueError):
                continue
        if not ids:
            return []
        # The index can lag behind the database (a page unpublished while Elasticsearch was
        # down): keep only what search may show now, in Elasticsearch's order.
        allowed = set(searchable_pages(locale).filter(pk__in=ids).values_list("pk", flat=True))
        return [pk for pk in ids if pk in allowed]

    def fallback(self) -> DatabaseEngine:
        return DatabaseEngine(backend_name=fallback_backend_name())

    def rank(self, query: str, *, locale: Locale, limit: int = MAX_RESULTS) -> Ranking:
        suggestion = analyse(query, vocabulary(locale), locale.language_code).suggestion
        text = self.clean(query)
        if not normalise(text):
            return Ranking(page_ids=[], suggestion=suggestion)
        try:
            ids = self.page_ids(self.rank_search(text, locale=locale, limit=limit), locale)
        except SEARCH_ERRORS:
            logger.exception("Elasticsearch search failed; using the database engine")
            return self.fallback().rank(query, locale=locale, limit=limit)
        return Ranking(page_ids=ids, suggestion=suggestion)

    def suggest(self, prefix: str, *, locale: Locale, limit: int = 6) -> list[int]:
        text = self.clean(prefix)
        if not normalise(text):
            return []
        try:
            return self.page_ids(self.suggest_search(text, locale=locale, limit=limit), locale)
        except SEARCH_ERRORS:
            logger.exception("Elasticsearch suggestions failed; using the database engine")
            return self.fallback().suggest(prefix, locale=locale, limit=limit)
