"""Search keeps what it works out ahead of a query in each process's memory, and an editor's
change still shows on the very next search, in this process or any other."""

from __future__ import annotations

from bs4 import BeautifulSoup
from django.core.cache import cache
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from wagtail.contrib.search_promotions.models import Query, SearchPromotion
from wagtail.models import PageViewRestriction

from home.models import StandardPage
from search import generation
from search.models import Synonym
from tests.factories import CategoryPageFactory, ServicePageFactory, make_site


class SearchMemoryTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.home = make_site()
        cls.roads = CategoryPageFactory(parent=cls.home, slug="roads", title="Roads")
        cls.pothole = ServicePageFactory(
            parent=cls.roads, slug="pothole", title="Report a pothole", keywords="road defect"
        )
        cls.gritting = ServicePageFactory(
            parent=cls.roads, slug="gritting", title="Gritting and snow", keywords="ice"
        )

    def titles(self, query: str) -> list[str]:
        response = self.client.get("/search/", {"q": query})
        self.assertEqual(response.status_code, 200)
        soup = BeautifulSoup(response.content, "html.parser")
        return [a.get_text(strip=True) for a in soup.select("ol[aria-labelledby] a")]

    def test_a_page_published_after_a_search_is_found_by_the_same_search(self):
        self.assertEqual(self.titles("pothole"), ["Report a pothole"])
        ServicePageFactory(
            parent=self.roads, slug="pothole-claim", title="Claim for pothole damage"
        )
        self.assertCountEqual(
            self.titles("pothole"), ["Report a pothole", "Claim for pothole damage"]
        )

    def test_a_change_another_process_made_is_seen_here(self):
        """Publishing on another server bumps the generation in the shared cache and leaves
        this process's memory as it was: the next search here must not answer from it."""
        self.assertEqual(self.titles("pothole"), ["Report a pothole"])
        remembered = {kind: dict(kept) for kind, kept in generation._memo.items()}
        remembered_generation = generation._memo_generation[0]
        self.pothole.title = "Report a pothole or a sunken drain"
        self.pothole.save_revision().publish()
        generation._memo.update(remembered)
        generation._memo_generation[0] = remembered_generation
        self.assertEqual(self.titles("pothole"), ["Report a pothole or a sunken drain"])

    def test_a_stale_memory_is_never_used_after_the_cache_lost_its_number(self):
        self.assertEqual(self.titles("pothole"), ["Report a pothole"])
        before = generation.current()
        cache.delete(generation.GENERATION_KEY)
        self.assertNotEqual(generation.current(), before)

    def test_an_editors_promoted_result_shows_on_the_next_search(self):
        self.assertEqual(self.titles("ice"), ["Gritting and snow"])
        SearchPromotion.objects.create(
            query=Query.get("ice"), page=self.pothole, sort_order=0, description="Roads in winter"
        )
        self.assertEqual(self.titles("ice"), ["Report a pothole", "Gritting and snow"])

    def test_a_page_restricted_after_a_search_is_no_longer_shown(self):
        self.assertEqual(self.titles("ice"), ["Gritting and snow"])
        PageViewRestriction.objects.create(
            page=self.gritting, restriction_type=PageViewRestriction.LOGIN
        )
        self.assertEqual(self.titles("ice"), [])

    def test_an_editors_synonym_works_on_the_next_search(self):
        self.assertEqual(self.titles("crater"), [])
        Synonym.objects.create(terms="crater, pothole", language="en-gb")
        self.assertEqual(self.titles("crater"), ["Report a pothole"])

    def test_a_query_asked_again_reads_nothing_and_writes_its_log_and_hit(self):
        self.titles("pothole")
        self.titles("pothole")  # the footer and head kept as on every other page
        with CaptureQueriesContext(connection) as queries:
            self.assertEqual(self.titles("pothole"), ["Report a pothole"])
        # (The test's own transaction adds savepoints around each write.)
        statements = [q["sql"] for q in queries if "SAVEPOINT" not in q["sql"]]
        self.assertEqual(len(statements), 2, statements)
        self.assertTrue(all(sql.startswith("INSERT") for sql in statements), statements)
        self.assertEqual(Query.get("pothole").hits, 3)

    def test_the_footer_follows_an_editors_change(self):
        self.titles("pothole")
        self.home.add_child(
            instance=StandardPage(title="Privacy", slug="privacy", show_in_menus=True)
        )
        response = self.client.get("/search/", {"q": "pothole"})
        footer = BeautifulSoup(response.content, "html.parser").select_one("footer")
        self.assertIn("Privacy", footer.get_text())

    def test_suggestions_follow_a_published_change(self):
        first = self.client.get("/search/suggest/", {"q": "potho"}).json()["suggestions"]
        self.assertEqual([s["title"] for s in first], ["Report a pothole"])
        self.pothole.unpublish()
        again = self.client.get("/search/suggest/", {"q": "potho"}).json()["suggestions"]
        self.assertEqual(again, [])
