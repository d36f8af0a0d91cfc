"""The Elasticsearch engine against a real Elasticsearch 8 (8.10 or later, for the synonyms
sets API), when ELASTICSEARCH_URL points at one, for example

    ELASTICSEARCH_URL=http://localhost:9200 .venv/bin/pytest tests/search/test_elasticsearch_live.py

Each run builds its own index and synonyms sets (uniquely named) with Wagtail's indexing and
our analysis, asks our query, and deletes them afterwards.
"""

from __future__ import annotations

import contextlib
import json
import os
import uuid
from unittest import SkipTest

import pytest
from django.test import TestCase, override_settings
from elasticsearch import NotFoundError
from wagtail.models import Locale, Page, PageViewRestriction

from home.models import StandardPage
from search.engine.elasticsearch import ElasticsearchEngine, elasticsearch_backend
from search.models import Synonym
from services.models import CategoryPage, ServicePage
from tests.factories import CategoryPageFactory, ServicePageFactory, make_site

pytestmark = pytest.mark.skipif(
    not os.environ.get("ELASTICSEARCH_URL"),
    reason=(
        "needs a live Elasticsearch 8 at ELASTICSEARCH_URL; none is reachable here "
        "(the engine is tested without a server in test_elasticsearch.py)"
    ),
)

RUN = uuid.uuid4().hex[:10]


def live_backends() -> dict:
    return {
        "default": {
            "BACKEND": "search.backends.elasticsearch",
            "URLS": [os.environ.get("ELASTICSEARCH_URL", "")],
            "INDEX_PREFIX": f"test_{RUN}_",
            "SYNONYMS_SET": f"test-synonyms-{RUN}",
            "ATOMIC_REBUILD": False,
        },
        "database": {"BACKEND": "wagtail.search.backends.database"},
    }


class LiveElasticsearchTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        # Made with the database backend (default test settings), then indexed below.
        home = make_site()
        bins = CategoryPageFactory(parent=home, slug="bins", title="Bins and recycling")
        cls.hwrc = ServicePageFactory(
            parent=bins,
            slug="hwrc",
            title="Household waste recycling centres",
            summary="Take rubbish and recycling to our two sites.",
            keywords="",
        )
        cls.permits = ServicePageFactory(
            parent=bins,
            slug="parking-permits",
            title="Parking permits",
            summary="Apply for a permit to park near your home.",
        )
        cls.guide = ServicePageFactory(
            parent=bins,
            slug="residents-guide",
            title="A guide for new residents",
            summary="What the council does for you.",
            body=json.dumps(
                [{"type": "paragraph", "value": "<p>You may need parking permits here.</p>"}]
            ),
        )
        cls.council_tax = ServicePageFactory(
            parent=bins, slug="council-tax", title="Pay your council tax", summary="Pay online."
        )
        cls.draft = ServicePageFactory(
            parent=bins, slug="garden", title="Garden waste collections", live=False
        )
        cls.private = ServicePageFactory(
            parent=bins, slug="staff-only", title="Staff car parking", summary="For staff."
        )
        PageViewRestriction.objects.create(page=cls.private, restriction_type="login")
        Synonym.objects.create(terms="dump, household waste recycling centre")
        cls.locale = Locale.get_default()

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.es_settings = override_settings(
            WAGTAILSEARCH_BACKENDS=live_backends(),
            SEARCH_ENGINE="search.engine.elasticsearch.ElasticsearchEngine",
        )
        cls.es_settings.enable()
        try:
            backend = elasticsearch_backend()
            version = backend.es.info()["version"]["number"]
            if tuple(int(part) for part in version.split(".")[:2]) < (8, 10):
                raise SkipTest(f"Elasticsearch {version} has no synonyms sets API (8.10+)")
            cls.backend = backend
            cls.build_index()
        except BaseException:
            try:
                cls.clean_up()
            finally:
                cls.es_settings.disable()
                super().tearDownClass()
            raise

    @classmethod
    def build_index(cls):
        """What `update_index` does for the page index: create it (our index settings; the
        synonyms sets are pushed first), put each page type's mapping, add the pages."""
        index = cls.backend.get_index_for_model(Page)
        cls.index_name = index.name
        index.put()
        for model in (ServicePage, CategoryPage, StandardPage):
            index.add_model(model)
            index.add_items(model, model.objects.all())
        index.refresh()

    @classmethod
    def clean_up(cls):
        backend = getattr(cls, "backend", None)
        if backend is None:
            return
        # By name: Elasticsearch 8 refuses wildcard deletes (action.destructive_requires_name).
        # The index goes first: a synonyms set in use cannot be deleted.
        backend.es.indices.delete(
            index=backend.get_index_for_model(Page).name, ignore_unavailable=True
        )
        for language in backend.languages:
            with contextlib.suppress(NotFoundError):
                backend.es.synonyms.delete_synonym(id=backend.synonyms_set(language))

    @classmethod
    def tearDownClass(cls):
        try:
            cls.clean_up()
        finally:
            cls.es_settings.disable()
            super().tearDownClass()

    def rank(self, query: str) -> list[int]:
        return ElasticsearchEngine().rank(query, locale=self.locale).page_ids

    def test_index_has_our_analysis(self):
        settings = self.backend.es.indices.get_settings(index=self.index_name)
        analysis = settings[self.index_name]["settings"]["index"]["analysis"]
        self.assertEqual(
            analysis["filter"]["council_synonyms_en"]["synonyms_set"], f"test-synonyms-{RUN}-en"
        )
        mapping = self.backend.es.indices.get_mapping(index=self.index_name)
        title = mapping[self.index_name]["mappings"]["properties"]["title"]
        self.assertEqual(title["search_analyzer"], "council_search_en")

    def test_an_editors_synonym_finds_the_page(self):
        self.assertEqual(self.rank("dump")[0], self.hwrc.pk)

    def test_a_typo_still_finds_the_page(self):
        self.assertEqual(self.rank("recyclng centers")[0], self.hwrc.pk)
        self.assertEqual(self.rank("councl tax")[0], self.council_tax.pk)

    def test_a_stem_finds_the_page(self):
        self.assertEqual(self.rank("centre")[0], self.hwrc.pk)  # the title says "centres"

    def test_a_title_match_beats_a_body_match(self):
        found = self.rank("parking permits")
        self.assertIn(self.guide.pk, found)
        self.assertLess(found.index(self.permits.pk), found.index(self.guide.pk))

    def test_drafts_and_private_pages_are_not_found(self):
        self.assertNotIn(self.draft.pk, self.rank("garden waste collections"))
        self.assertNotIn(self.private.pk, self.rank("staff car parking"))

    def test_a_new_synonym_works_at_once_without_reindexing(self):
        self.assertNotIn(self.hwrc.pk, self.rank("skip"))
        with self.captureOnCommitCallbacks(execute=True):
            Synonym.objects.create(terms="skip", also_find="household waste recycling centre")
        self.assertEqual(self.rank("skip")[0], self.hwrc.pk)

    def test_suggestions_as_you_type(self):
        found = ElasticsearchEngine().suggest("household wast", locale=self.locale)
        self.assertEqual(found[0], self.hwrc.pk)
