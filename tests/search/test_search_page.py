"""The search page finds services in residents' words and never fails on odd input."""

from bs4 import BeautifulSoup
from django.test import TestCase
from wagtail.contrib.search_promotions.models import Query

from tests.factories import CategoryPageFactory, ServicePageFactory, make_site


class SearchPageTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        home = make_site()
        bins = CategoryPageFactory(parent=home, slug="bins", title="Bins")
        ServicePageFactory(
            parent=bins,
            title="Household waste recycling centres",
            slug="hwrc",
            summary="Take rubbish and recycling to our two sites.",
            keywords="tip, dump, recycling centre",
        )
        ServicePageFactory(parent=bins, title="Report a missed bin", slug="missed-bin")

    def results(self, query: str) -> list[str]:
        response = self.client.get("/search/", {"q": query})
        self.assertEqual(response.status_code, 200)
        soup = BeautifulSoup(response.content, "html.parser")
        return [a.get_text(strip=True) for a in soup.select("ol[aria-labelledby] a")]

    def test_finds_a_service_by_a_word_only_in_its_keywords(self):
        self.assertEqual(self.results("tip"), ["Household waste recycling centres"])

    def test_no_results_explains_what_to_try(self):
        response = self.client.get("/search/", {"q": "zzzzzz"})
        self.assertContains(response, "0 results for")
        self.assertContains(response, "checking your spelling")

    def test_odd_input_never_fails(self):
        for params in [
            {"q": ""},
            {"q": "   "},
            {"q": "x" * 5000},
            {"q": "<script>alert(1)</script>"},
            {"q": "bin", "page": "abc"},
            {"q": "bin", "page": "99999"},
            {"q": "'; DROP TABLE pages; --"},
            {"q": "\u0000"},
        ]:
            with self.subTest(params=params):
                response = self.client.get("/search/", params)
                self.assertEqual(response.status_code, 200)
                self.assertNotIn(b"<script>alert", response.content)

    def test_searches_are_recorded_for_the_web_team(self):
        self.client.get("/search/", {"q": "Tip "})
        self.client.get("/search/", {"q": "tip"})
        self.assertEqual(Query.get("tip").hits, 2)
