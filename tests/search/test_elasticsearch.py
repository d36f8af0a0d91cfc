"""The Elasticsearch engine without a server: the index settings and mapping we create, the
exact query bodies we send, and canned Elasticsearch answers through a fake transport node
(the real client, serializer and dsl; only the HTTP node is ours, and it never opens a socket).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, ClassVar

from django.test import TestCase, override_settings
from elastic_transport import ApiResponseMeta, BaseNode, HttpHeaders
from elastic_transport import ConnectionError as TransportConnectionError
from elastic_transport._node import NodeApiResponse
from wagtail.models import Locale, Page, PageViewRestriction

from search.backends.elasticsearch import CouncilElasticsearchBackend, CouncilElasticsearchMapping
from search.engine import get_engine
from search.engine.database import DatabaseEngine
from search.engine.elasticsearch import ElasticsearchEngine
from search.models import Synonym
from services.models import ServicePage
from tests.factories import CategoryPageFactory, ServicePageFactory, make_site

INDEX = "test_wagtailcore_page"


@dataclass
class Request:
    method: str
    path: str
    query: str
    body: Any


class FakeNode(BaseNode):
    """An Elasticsearch node in memory: records every request and answers from `routes`
    (method, path pattern -> status and JSON, or an exception to raise). Anything not routed
    gets `200 {"acknowledged": true}`."""

    requests: ClassVar[list[Request]] = []
    routes: ClassVar[list[tuple[str, str, Any]]] = []

    @classmethod
    def reset(cls) -> None:
        cls.requests = []
        cls.routes = []

    @classmethod
    def answer(cls, method: str, pattern: str, answer: Any) -> None:
        cls.routes.insert(0, (method, pattern, answer))

    @classmethod
    def sent(cls, method: str | None = None, pattern: str = ".*") -> list[Request]:
        return [
            r
            for r in cls.requests
            if (method is None or r.method == method) and re.fullmatch(pattern, r.path)
        ]

    def perform_request(self, method, target, body=None, headers=None, request_timeout=None):
        path, _, query = target.partition("?")
        parsed = None
        if body:
            text = body.decode()
            try:
                parsed = json.loads(text)
            except ValueError:  # bulk: one JSON document a line
                parsed = [json.loads(line) for line in text.splitlines() if line]
        request = Request(method, path, query, parsed)
        FakeNode.requests.append(request)
        status, payload = 200, {"acknowledged": True}
        for route_method, pattern, answer in FakeNode.routes:
            if route_method == method and re.fullmatch(pattern, path):
                if isinstance(answer, Exception):
                    raise answer
                status, payload = answer(request) if callable(answer) else answer
                break
        meta = ApiResponseMeta(
            status=status,
            http_version="1.1",
            headers=HttpHeaders(
                {
                    "content-type": "application/vnd.elasticsearch+json;compatible-with=8",
                    "x-elastic-product": "Elasticsearch",
                }
            ),
            duration=0.0,
            node=self.config,
        )
        return NodeApiResponse(meta, json.dumps(payload).encode())


def es_backends() -> dict:
    return {
        "default": {
            "BACKEND": "search.backends.elasticsearch",
            # Never resolved: the fake node answers every request.
            "URLS": ["http://elasticsearch.invalid:9200"],
            "INDEX_PREFIX": "test_",
            "SYNONYMS_SET": "test-synonyms",
            "OPTIONS": {"node_class": FakeNode, "max_retries": 0},
        },
        "database": {"BACKEND": "wagtail.search.backends.database"},
    }


def with_elasticsearch(test):
    return override_settings(
        WAGTAILSEARCH_BACKENDS=es_backends(),
        SEARCH_ENGINE="search.engine.elasticsearch.ElasticsearchEngine",
    )(test)


def hits(*page_ids: int) -> tuple[int, dict]:
    """A search response as Elasticsearch 8 gives it (source off), best first."""
    return 200, {
        "took": 3,
        "timed_out": False,
        "_shards": {"total": 1, "successful": 1, "skipped": 0, "failed": 0},
        "hits": {
            "total": {"value": len(page_ids), "relation": "eq"},
            "max_score": 12.5 if page_ids else None,
            "hits": [
                {"_index": INDEX, "_id": str(pk), "_score": 12.5 - position}
                for position, pk in enumerate(page_ids)
            ],
        },
    }


SYNONYMS_SAVED = (
    200,
    {
        "result": "updated",
        "reload_analyzers_details": {
            "_shards": {"total": 2, "successful": 2, "failed": 0},
            "reload_details": [],
        },
    },
)


class FakeNodeMixin:
    def setUp(self):
        super().setUp()
        FakeNode.reset()
        FakeNode.answer("PUT", r"/_synonyms/[^/]+", SYNONYMS_SAVED)

    def backend(self) -> CouncilElasticsearchBackend:
        from search.engine.elasticsearch import elasticsearch_backend

        return elasticsearch_backend()


@with_elasticsearch
class IndexSettingsTests(FakeNodeMixin, TestCase):
    def test_the_client_can_only_reach_the_fake_node(self):
        nodes = self.backend().es.transport.node_pool.all()
        self.assertTrue(nodes)
        self.assertTrue(all(isinstance(node, FakeNode) for node in nodes))

    def test_search_analyzers_read_updateable_synonyms_sets_per_language(self):
        analysis = self.backend().settings["settings"]["analysis"]
        self.assertEqual(
            analysis["filter"]["council_synonyms_en"],
            {
                "type": "synonym_graph",
                "synonyms_set": "test-synonyms-en",
                "updateable": True,
                "lenient": True,
            },
        )
        self.assertEqual(
            analysis["filter"]["council_synonyms_pl"]["synonyms_set"], "test-synonyms-pl"
        )
        self.assertEqual(
            analysis["analyzer"]["council_search_en"],
            {
                "type": "custom",
                "tokenizer": "standard",
                "filter": [
                    "lowercase",
                    "asciifolding",
                    "council_possessive",
                    "council_stemmer",
                    "council_synonyms_en",
                ],
            },
        )
        self.assertEqual(
            analysis["analyzer"]["council_search_pl"]["filter"][-1], "council_synonyms_pl"
        )
        self.assertEqual(
            analysis["filter"]["council_stemmer"], {"type": "stemmer", "language": "english"}
        )

    def test_the_index_analyzer_has_no_synonyms_and_wagtails_analyzers_are_kept(self):
        settings = self.backend().settings["settings"]
        analysis = settings["analysis"]
        # An updateable filter may only run at search time: never in an index analyzer.
        self.assertEqual(
            analysis["analyzer"]["council_text"]["filter"],
            ["lowercase", "asciifolding", "council_possessive", "council_stemmer"],
        )
        self.assertIn("edgengram_analyzer", analysis["analyzer"])
        self.assertIn("ngram_analyzer", analysis["analyzer"])
        self.assertEqual(settings["index"]["max_ngram_diff"], 12)

    def test_index_settings_from_settings_still_apply_on_top(self):
        backends = es_backends()
        backends["default"]["INDEX_SETTINGS"] = {"settings": {"index": {"number_of_shards": 1}}}
        with self.settings(WAGTAILSEARCH_BACKENDS=backends):
            settings = self.backend().settings["settings"]
        self.assertEqual(settings["index"], {"max_ngram_diff": 12, "number_of_shards": 1})
        self.assertIn("council_search_en", settings["analysis"]["analyzer"])

    def test_mapping_puts_our_analyzers_on_text_fields(self):
        properties = CouncilElasticsearchMapping(ServicePage).get_mapping()["properties"]
        for column in (
            "title",
            "services_servicepage__keywords",
            "services_servicepage__summary",
            "services_servicepage__body",
            "_all_text",
        ):
            with self.subTest(column=column):
                self.assertEqual(properties[column]["type"], "text")
                self.assertEqual(properties[column]["analyzer"], "council_text")
                self.assertEqual(properties[column]["search_analyzer"], "council_search_en")
        # Wagtail's autocomplete fields keep their edge n-grams.
        self.assertEqual(properties["title_edgengrams"]["analyzer"], "edgengram_analyzer")
        self.assertEqual(properties["_edgengrams"]["search_analyzer"], "standard")

    def test_mapping_of_values_our_mixin_computes(self):
        properties = CouncilElasticsearchMapping(ServicePage).get_mapping()["properties"]
        # A float Elasticsearch can score with, not Wagtail's guess (keyword) for a method.
        self.assertEqual(properties["search_popularity_filter"], {"type": "float"})
        # Defined on the mixin: one unprefixed column for every page type.
        self.assertIn("search_stems", properties)
        self.assertEqual(properties["live_filter"], {"type": "boolean"})
        self.assertEqual(properties["locale_id_filter"], {"type": "integer"})
        self.assertEqual(properties["path_filter"], {"type": "keyword"})
        self.assertEqual(properties["services_servicepage__kind_filter"], {"type": "keyword"})

    def test_creating_the_index_pushes_the_synonyms_sets_first(self):
        Synonym.objects.create(terms="tip, dump")
        backend = self.backend()
        index = backend.get_index_for_model(Page)
        index.put()
        self.assertEqual(
            [(r.method, r.path) for r in FakeNode.requests],
            [
                ("PUT", "/_synonyms/test-synonyms-en"),
                ("PUT", "/_synonyms/test-synonyms-cy"),
                ("PUT", "/_synonyms/test-synonyms-pl"),
                ("PUT", "/_synonyms/test-synonyms-ar"),
                ("PUT", f"/{INDEX}"),
            ],
        )
        self.assertEqual(FakeNode.requests[0].body, {"synonyms_set": [{"synonyms": "tip, dump"}]})
        self.assertEqual(FakeNode.requests[1].body, {"synonyms_set": []})
        created = FakeNode.requests[4].body
        self.assertEqual(created["settings"], backend.settings["settings"])

    def test_wagtail_indexing_still_works(self):
        home = make_site()
        category = CategoryPageFactory(parent=home, title="Bins")
        service = ServicePageFactory(parent=category, title="Report a missed bin", keywords="bin")
        FakeNode.reset()
        backend = self.backend()
        index = backend.get_index_for_model(ServicePage)
        index.add_model(ServicePage)
        backend.add(service)
        mapping_request, document_request = FakeNode.requests
        self.assertEqual(
            (mapping_request.method, mapping_request.path), ("PUT", f"/{INDEX}/_mapping")
        )
        self.assertEqual(
            mapping_request.body["properties"]["search_popularity_filter"], {"type": "float"}
        )
        self.assertEqual(
            (document_request.method, document_request.path),
            ("PUT", f"/{INDEX}/_doc/{service.pk}"),
        )
        document = document_request.body
        self.assertEqual(document["title"], "Report a missed bin")
        self.assertEqual(document["services_servicepage__keywords"], "bin")
        self.assertEqual(document["search_popularity_filter"], 0.0)
        self.assertIs(document["live_filter"], True)
        self.assertEqual(
            document["_django_content_type"][:2], ["services.ServicePage", "wagtailcore.Page"]
        )


class PagesMixin:
    @classmethod
    def setUpTestData(cls):
        # Built with the database backend (the default test settings), which indexes them for
        # the fallback; the Elasticsearch settings only apply inside the tests.
        home = make_site()
        bins = CategoryPageFactory(parent=home, slug="bins", title="Bins and recycling")
        cls.hwrc = ServicePageFactory(
            parent=bins,
            title="Household waste recycling centres",
            slug="hwrc",
            summary="Take rubbish and recycling to our two sites.",
            keywords="tip, dump, recycling centre",
        )
        cls.missed = ServicePageFactory(parent=bins, title="Report a missed bin", slug="missed-bin")
        cls.draft = ServicePageFactory(parent=bins, title="Garden waste", slug="garden", live=False)
        cls.bins = bins
        cls.locale = Locale.get_default()


def expected_filters(locale_pk: int) -> list[dict]:
    return [
        {"term": {"live_filter": True}},
        {"term": {"locale_id_filter": locale_pk}},
        {
            "terms": {
                "_django_content_type": [
                    "services.ServicePage",
                    "services.CategoryPage",
                    "home.StandardPage",
                ]
            }
        },
    ]


POPULARITY = {
    "field_value_factor": {
        "field": "search_popularity_filter",
        "factor": 9,
        "modifier": "log1p",
        "missing": 0,
    },
    "weight": 3,
}


@with_elasticsearch
class QueryBodyTests(FakeNodeMixin, PagesMixin, TestCase):
    def test_rank_query_body(self):
        body = ElasticsearchEngine().rank_search("bin colection", locale=self.locale, limit=50)
        self.assertEqual(
            body.to_dict(),
            {
                "query": {
                    "function_score": {
                        "query": {
                            "bool": {
                                "must": [
                                    {
                                        "multi_match": {
                                            "query": "bin colection",
                                            "fields": [
                                                "title^5",
                                                "services_servicepage__keywords^4",
                                                "services_servicepage__search_words^4",
                                                "home_standardpage__intro^2",
                                                "services_categorypage__intro^2",
                                                "services_servicepage__summary^2",
                                                "home_standardpage__body",
                                                "services_servicepage__before_you_start",
                                                "services_servicepage__body",
                                                "services_servicepage__who_can_use",
                                            ],
                                            "type": "best_fields",
                                            "tie_breaker": 0.3,
                                            "fuzziness": "AUTO",
                                            "prefix_length": 1,
                                            "analyzer": "council_search_en",
                                        }
                                    }
                                ],
                                "should": [
                                    {
                                        "match_phrase": {
                                            "title": {
                                                "query": "bin colection",
                                                "analyzer": "council_search_en",
                                                "slop": 1,
                                                "boost": 3,
                                            }
                                        }
                                    },
                                    {
                                        "match_phrase": {
                                            "services_servicepage__keywords": {
                                                "query": "bin colection",
                                                "analyzer": "council_search_en",
                                                "slop": 1,
                                                "boost": 2,
                                            }
                                        }
                                    },
                                    {
                                        "match_phrase": {
                                            "services_servicepage__search_words": {
                                                "query": "bin colection",
                                                "analyzer": "council_search_en",
                                                "slop": 1,
                                                "boost": 2,
                                            }
                                        }
                                    },
                                ],
                                "filter": expected_filters(self.locale.pk),
                            }
                        },
                        "functions": [POPULARITY],
                        "score_mode": "sum",
                        "boost_mode": "sum",
                    }
                },
                "size": 50,
                "_source": False,
            },
        )

    def test_boosts_rank_title_over_keywords_over_summary_over_body(self):
        body = ElasticsearchEngine().rank_search("tip", locale=self.locale).to_dict()
        fields = body["query"]["function_score"]["query"]["bool"]["must"][0]["multi_match"][
            "fields"
        ]

        def boost(column):
            (spec,) = [f for f in fields if f.split("^")[0] == column]
            return float(spec.split("^")[1]) if "^" in spec else 1.0

        self.assertGreater(boost("title"), boost("services_servicepage__keywords"))
        self.assertGreater(
            boost("services_servicepage__keywords"), boost("services_servicepage__summary")
        )
        self.assertGreater(
            boost("services_servicepage__summary"), boost("services_servicepage__body")
        )

    def test_every_column_the_query_names_is_in_the_mapping(self):
        from home.models import StandardPage
        from services.models import CategoryPage

        columns = set()
        for model in (ServicePage, CategoryPage, StandardPage):
            columns |= set(CouncilElasticsearchMapping(model).get_mapping()["properties"])
        engine = ElasticsearchEngine()
        body = json.dumps(
            [
                engine.rank_search("tip", locale=self.locale).to_dict(),
                engine.suggest_search("ti", locale=self.locale).to_dict(),
            ]
        )
        named = set(re.findall(r'"([a-z_]+(?:__[a-z_]+)?)(?:\^\d+)?"', body))
        for column in {
            "title",
            "title_edgengrams",
            "services_servicepage__keywords",
            "services_servicepage__summary",
            "services_servicepage__body",
            "services_categorypage__intro",
            "home_standardpage__intro",
            "home_standardpage__body",
            "live_filter",
            "locale_id_filter",
            "_django_content_type",
            "search_popularity_filter",
        }:
            with self.subTest(column=column):
                self.assertIn(column, named)
                self.assertIn(column, columns)

    def test_pages_under_a_view_restriction_are_left_out(self):
        PageViewRestriction.objects.create(page=self.bins, restriction_type="login")
        query = ElasticsearchEngine().rank_search("bin", locale=self.locale).to_dict()
        self.assertEqual(
            query["query"]["function_score"]["query"]["bool"]["must_not"],
            [{"prefix": {"path_filter": self.bins.path}}],
        )

    def test_a_polish_search_uses_the_polish_synonyms(self):
        polish = Locale.objects.create(language_code="pl")
        query = ElasticsearchEngine().rank_search("śmieci", locale=polish).to_dict()
        inner = query["query"]["function_score"]["query"]["bool"]
        self.assertEqual(inner["must"][0]["multi_match"]["analyzer"], "council_search_pl")
        self.assertEqual(inner["filter"][1], {"term": {"locale_id_filter": polish.pk}})

    def test_suggest_query_body(self):
        body = ElasticsearchEngine().suggest_search("recyc", locale=self.locale, limit=6)
        self.assertEqual(
            body.to_dict(),
            {
                "query": {
                    "function_score": {
                        "query": {
                            "bool": {
                                "should": [
                                    {
                                        "match": {
                                            "title_edgengrams": {
                                                "query": "recyc",
                                                "operator": "and",
                                                "boost": 2,
                                            }
                                        }
                                    },
                                    {
                                        "multi_match": {
                                            "query": "recyc",
                                            "type": "bool_prefix",
                                            "fields": [
                                                "title^5",
                                                "services_servicepage__keywords^4",
                                                "services_servicepage__search_words^4",
                                                "home_standardpage__intro^2",
                                                "services_categorypage__intro^2",
                                                "services_servicepage__summary^2",
                                            ],
                                            "operator": "and",
                                            "analyzer": "council_text",
                                        }
                                    },
                                ],
                                "minimum_should_match": 1,
                                "filter": expected_filters(self.locale.pk),
                            }
                        },
                        "functions": [POPULARITY],
                        "score_mode": "sum",
                        "boost_mode": "sum",
                    }
                },
                "size": 6,
                "_source": False,
            },
        )


@with_elasticsearch
class FakeTransportTests(FakeNodeMixin, PagesMixin, TestCase):
    def test_settings_choose_the_elasticsearch_engine(self):
        self.assertIsInstance(get_engine(), ElasticsearchEngine)

    def test_sends_the_query_and_reads_page_ids_in_elasticsearchs_order(self):
        FakeNode.answer(
            "POST",
            rf"/{INDEX}/_search",
            hits(self.missed.pk, self.hwrc.pk, 999_999, self.draft.pk),
        )
        engine = ElasticsearchEngine()
        ranking = engine.rank("missed bin", locale=self.locale, limit=20)
        # The index may lag: a page that is gone or unpublished is not shown.
        self.assertEqual(ranking.page_ids, [self.missed.pk, self.hwrc.pk])
        (request,) = FakeNode.sent("POST", rf"/{INDEX}/_search")
        self.assertEqual(
            request.body,
            json.loads(
                json.dumps(engine.rank_search("missed bin", locale=self.locale, limit=20).to_dict())
            ),
        )

    def test_did_you_mean_agrees_with_the_database_engine(self):
        FakeNode.answer("POST", rf"/{INDEX}/_search", hits(self.hwrc.pk))
        ranking = ElasticsearchEngine().rank("recyclng", locale=self.locale)
        self.assertEqual(ranking.page_ids, [self.hwrc.pk])
        self.assertEqual(ranking.suggestion, "recycling")
        self.assertEqual(
            ranking.suggestion,
            DatabaseEngine("database").rank("recyclng", locale=self.locale).suggestion,
        )

    def test_no_hits(self):
        FakeNode.answer("POST", rf"/{INDEX}/_search", hits())
        self.assertEqual(ElasticsearchEngine().rank("zzzzzz", locale=self.locale).page_ids, [])

    def test_nothing_to_search_for_sends_nothing(self):
        for query in ["", "   ", "?!", "\u0000"]:
            with self.subTest(query=query):
                self.assertEqual(ElasticsearchEngine().rank(query, locale=self.locale).page_ids, [])
        self.assertEqual(FakeNode.sent("POST"), [])

    def test_suggest_reads_page_ids(self):
        FakeNode.answer("POST", rf"/{INDEX}/_search", hits(self.hwrc.pk, self.bins.pk))
        ids = ElasticsearchEngine().suggest("recyc", locale=self.locale)
        self.assertEqual(ids, [self.hwrc.pk, self.bins.pk])
        (request,) = FakeNode.sent("POST", rf"/{INDEX}/_search")
        self.assertEqual(request.body["size"], 6)

    def test_the_configured_engine_answers_from_elasticsearch(self):
        FakeNode.answer("POST", rf"/{INDEX}/_search", hits(self.hwrc.pk))
        self.assertEqual(get_engine().rank("dump", locale=self.locale).page_ids, [self.hwrc.pk])
        self.assertTrue(FakeNode.sent("POST", rf"/{INDEX}/_search"))

    def test_connection_error_falls_back_to_the_database_engine(self):
        FakeNode.answer(
            "POST", rf"/{INDEX}/_search", TransportConnectionError("Connection refused")
        )
        with self.assertLogs("search.engine.elasticsearch", "ERROR") as logs:
            ranking = ElasticsearchEngine().rank("tip", locale=self.locale)
        self.assertEqual(ranking.page_ids[0], self.hwrc.pk)
        self.assertIn("using the database engine", logs.output[0])

    def test_error_status_falls_back_too(self):
        FakeNode.answer(
            "POST",
            rf"/{INDEX}/_search",
            (
                404,
                {
                    "error": {"type": "index_not_found_exception", "reason": "no such index"},
                    "status": 404,
                },
            ),
        )
        with self.assertLogs("search.engine.elasticsearch", "ERROR"):
            ranking = ElasticsearchEngine().rank("household waste", locale=self.locale)
        self.assertEqual(ranking.page_ids[0], self.hwrc.pk)

    def test_suggest_falls_back_too(self):
        FakeNode.answer("POST", rf"/{INDEX}/_search", TransportConnectionError("timed out"))
        with self.assertLogs("search.engine.elasticsearch", "ERROR"):
            ids = ElasticsearchEngine().suggest("household", locale=self.locale)
        self.assertIn(self.hwrc.pk, ids)

    def test_the_configured_engine_still_answers_when_elasticsearch_is_down(self):
        FakeNode.answer("POST", rf"/{INDEX}/_search", TransportConnectionError("refused"))
        with self.assertLogs("search.engine.elasticsearch", "ERROR"):
            ranking = get_engine().rank("household waste recycling", locale=self.locale)
        self.assertEqual(ranking.page_ids[0], self.hwrc.pk)


class SynonymPushTests(FakeNodeMixin, TestCase):
    def pushed(self) -> dict[str, list[str]]:
        return {
            r.path.removeprefix("/_synonyms/"): [
                rule["synonyms"] for rule in r.body["synonyms_set"]
            ]
            for r in FakeNode.sent("PUT", r"/_synonyms/.+")
        }

    @with_elasticsearch
    def test_saving_a_synonym_pushes_the_solr_rules_at_once(self):
        with self.captureOnCommitCallbacks(execute=True):
            Synonym.objects.create(terms="tip, dump, household waste recycling centre")
        with self.captureOnCommitCallbacks(execute=True):
            Synonym.objects.create(terms="PCN", also_find="penalty charge notice")
        self.assertEqual(
            self.pushed(),
            {
                "test-synonyms-en": [
                    "pcn => pcn, penalty charge notice",
                    "tip, dump, household waste recycling centre",
                ],
                "test-synonyms-cy": [],
                "test-synonyms-pl": [],
                "test-synonyms-ar": [],
            },
        )

    @with_elasticsearch
    def test_each_language_gets_its_own_set(self):
        with self.captureOnCommitCallbacks(execute=True):
            Synonym.objects.create(terms="śmieci, odpady", language="pl")
        self.assertEqual(
            self.pushed(),
            {
                "test-synonyms-en": [],
                "test-synonyms-cy": [],
                "test-synonyms-pl": ["śmieci, odpady"],
                "test-synonyms-ar": [],
            },
        )

    @with_elasticsearch
    def test_deleting_a_synonym_pushes_the_set_without_it(self):
        synonym = Synonym.objects.create(terms="tip, dump")
        FakeNode.requests.clear()
        with self.captureOnCommitCallbacks(execute=True):
            synonym.delete()
        self.assertEqual(self.pushed()["test-synonyms-en"], [])

    @with_elasticsearch
    def test_an_unreachable_elasticsearch_never_breaks_the_editors_save(self):
        FakeNode.answer("PUT", r"/_synonyms/.+", TransportConnectionError("refused"))
        with (
            self.assertLogs("search.backends.elasticsearch", "ERROR") as logs,
            self.captureOnCommitCallbacks(execute=True),
        ):
            Synonym.objects.create(terms="tip, dump")
        self.assertTrue(Synonym.objects.filter(terms="tip, dump").exists())
        self.assertIn("Could not push", logs.output[0])

    @with_elasticsearch
    def test_a_rule_elasticsearch_refuses_is_logged(self):
        FakeNode.answer(
            "PUT",
            r"/_synonyms/.+",
            (400, {"error": {"type": "action_request_validation_exception"}, "status": 400}),
        )
        with (
            self.assertLogs("search.backends.elasticsearch", "ERROR"),
            self.captureOnCommitCallbacks(execute=True),
        ):
            Synonym.objects.create(terms="tip, dump")

    @with_elasticsearch
    def test_nothing_is_pushed_before_the_save_is_committed(self):
        with self.captureOnCommitCallbacks(execute=False) as callbacks:
            Synonym.objects.create(terms="tip, dump")
        self.assertEqual(len(callbacks), 1)
        self.assertEqual(FakeNode.requests, [])

    def test_without_elasticsearch_nothing_is_pushed(self):
        with self.captureOnCommitCallbacks(execute=True) as callbacks:
            Synonym.objects.create(terms="tip, dump")
        self.assertEqual(callbacks, [])
        self.assertEqual(FakeNode.requests, [])
