"""What a resident sees on the search page, in the search box on every page and in the
suggestions as they type."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from unittest.mock import patch

from bs4 import BeautifulSoup
from django.conf import settings
from django.test import TestCase
from django.urls import reverse
from wagtail.contrib.search_promotions.models import Query, SearchPromotion

from search.service import LazyResult, SearchOutcome
from tests.factories import CategoryPageFactory, ServicePageFactory, make_site

JS_SOURCES = Path(settings.BASE_DIR) / "site" / "static_src" / "js"


def quoted(text: str) -> str:
    """The text in the curly quotes the page puts around what was searched for."""
    return f"\u2018{text}\u2019"


class SearchPageTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.home = make_site()
        cls.bins = CategoryPageFactory(parent=cls.home, slug="bins", title="Bins and recycling")
        cls.hwrc = ServicePageFactory(
            parent=cls.bins,
            title="Household waste recycling centres",
            slug="hwrc",
            summary="Take rubbish and recycling to our two sites.",
            keywords="tip, dump",
        )
        cls.parking = CategoryPageFactory(parent=cls.home, slug="parking", title="Parking")
        cls.permit = ServicePageFactory(
            parent=cls.parking,
            title="Apply for a resident parking permit",
            slug="permit",
            summary="Park near your home.",
        )

    def get(self, url: str, params: dict | None = None) -> BeautifulSoup:
        response = self.client.get(url, params or {})
        self.assertEqual(response.status_code, 200, url)
        return BeautifulSoup(response.content, "html.parser")

    def search(self, query: str, **params) -> BeautifulSoup:
        return self.get(reverse("search"), {"q": query, **params})

    def results(self, soup: BeautifulSoup) -> list:
        results = soup.select_one("main ol.council-search-results")
        return results.find_all("li", recursive=False) if results else []


class ResultsTests(SearchPageTestCase):
    def test_count_title_description_and_category(self):
        soup = self.search("rubbish")
        self.assertEqual(
            soup.find(id="results-heading").get_text(" ", strip=True),
            f"1 result for {quoted('rubbish')}",
        )
        [result] = self.results(soup)
        self.assertEqual(result.a.get_text(strip=True), "Household waste recycling centres")
        text = result.get_text(" ", strip=True)
        self.assertIn("Take rubbish and recycling to our two sites.", text)
        self.assertIn("Category: Bins and recycling", text)
        self.assertEqual(
            soup.title.get_text(strip=True),
            f"Search results for {quoted('rubbish')} - Fernbridge City Council",
        )

    def test_results_are_an_ordered_list_labelled_by_the_count(self):
        soup = self.search("parking")
        results = soup.select_one("main ol.council-search-results")
        self.assertEqual(results["aria-labelledby"], "results-heading")
        self.assertEqual(results["start"], "1")
        titles = [li.a.get_text(strip=True) for li in self.results(soup)]
        self.assertIn("Apply for a resident parking permit", titles)

    def test_promoted_result_is_marked_recommended(self):
        SearchPromotion.objects.create(
            query=Query.get("permit"), page=self.permit, sort_order=0, description="Editors' pick."
        )
        [first, *_] = self.results(self.search("permit"))
        self.assertEqual(first.select_one(".govuk-tag").get_text(strip=True), "Recommended")
        self.assertIn("Editors' pick.", first.get_text())

    def test_titles_are_shown_as_text(self):
        ServicePageFactory(parent=self.bins, title="Bulky <b>waste</b>", slug="bulky")
        soup = self.search("bulky")
        self.assertIsNone(soup.select_one("main ol b"))
        self.assertEqual(self.results(soup)[0].a.get_text(), "Bulky <b>waste</b>")

    def test_a_spelling_suggestion_is_offered_above_the_results(self):
        # The engine's spelling is tested with the engine; here only what the page shows.
        outcome = SearchOutcome(
            query="parkign", results=[LazyResult(1, self.permit.pk, None)], suggestion="parking"
        )
        with patch("search.views.run_search", return_value=outcome):
            soup = self.search("parkign")
        did_you_mean = soup.select_one("main .council-did-you-mean")
        self.assertEqual(
            " ".join(did_you_mean.get_text().split()), f"Did you mean {quoted('parking')}?"
        )
        self.assertEqual(did_you_mean.a["href"], "/search/?q=parking")
        self.assertIn(soup.find(id="results-heading"), did_you_mean.find_all_next("h2"))
        self.assertEqual(len(self.results(soup)), 1)


class PaginationTests(SearchPageTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        for number in range(1, 13):
            ServicePageFactory(parent=cls.bins, title=f"Allotment plot {number}")

    def test_first_page_shows_ten_and_links_to_page_two_with_the_query(self):
        soup = self.search("allotment")
        self.assertIn("12 results", soup.find(id="results-heading").get_text())
        self.assertEqual(len(self.results(soup)), 10)
        nav = soup.select_one("main nav.govuk-pagination")
        self.assertEqual(nav.select_one("[aria-current=page]").get_text(strip=True), "1")
        self.assertEqual(nav.select_one("a[rel=next]")["href"], "?q=allotment&page=2")
        self.assertIsNone(nav.select_one("a[rel=prev]"))

    def test_page_two_continues_the_numbering(self):
        soup = self.search("allotment", page="2")
        self.assertEqual(len(self.results(soup)), 2)
        self.assertEqual(soup.select_one("main ol.council-search-results")["start"], "11")
        nav = soup.select_one("main nav.govuk-pagination")
        self.assertEqual(nav.select_one("[aria-current=page]").get_text(strip=True), "2")
        self.assertEqual(nav.select_one("a[rel=prev]")["href"], "?q=allotment&page=1")
        self.assertIn("(page 2 of 2)", soup.title.get_text())

    def test_one_page_of_results_has_no_pagination(self):
        self.assertIsNone(self.search("permit").select_one("nav.govuk-pagination"))


class EmptyAndNoResultsTests(SearchPageTestCase):
    def test_empty_query_shows_the_form_and_no_count(self):
        for params in [{}, {"q": ""}, {"q": "   "}]:
            with self.subTest(params=params):
                soup = self.get(reverse("search"), params)
                self.assertEqual(soup.h1.get_text(strip=True), "Search")
                self.assertIsNotNone(soup.select_one("main form[role=search] input[name=q]"))
                self.assertIsNone(soup.find(id="results-heading"))
                self.assertEqual(self.results(soup), [])
                title = soup.title.get_text(strip=True)
                self.assertEqual(title, "Search - Fernbridge City Council")

    def test_no_results_explain_what_to_try_and_how_to_reach_us(self):
        text = self.search("zzzzzz").main.get_text(" ", strip=True)
        self.assertIn(f"0 results for {quoted('zzzzzz')}", text)
        self.assertIn("There are no matching results.", text)
        self.assertIn("double-checking your spelling", text)
        self.assertIn("01632 960 000", text)  # the contact channels' default phone number

    def test_no_results_offer_the_spelling_suggestion_and_popular_services(self):
        outcome = SearchOutcome(query="permitt", suggestion="permit")
        with (
            patch("search.views.run_search", return_value=outcome),
            patch("search.views.popular_services", return_value=[self.hwrc, self.permit]),
        ):
            soup = self.search("permitt")
        main = soup.main
        self.assertIn("0 results", main.find(id="results-heading").get_text())
        self.assertEqual(main.select_one(".council-did-you-mean a")["href"], "/search/?q=permit")
        popular = {
            a.get_text(strip=True): a["href"] for a in main.select(".council-search-popular a")
        }
        self.assertEqual(
            popular,
            {
                "Household waste recycling centres": "/bins/hwrc/",
                "Apply for a resident parking permit": "/parking/permit/",
            },
        )


class SearchBoxOnEveryPageTests(SearchPageTestCase):
    def header_form(self, soup: BeautifulSoup):
        return soup.select_one("header form[role=search]")

    def assert_unique_ids(self, soup: BeautifulSoup) -> None:
        ids = Counter(tag["id"] for tag in soup.find_all(id=True))
        self.assertEqual([i for i, n in ids.items() if n > 1], [])

    def test_service_page_has_a_labelled_search_box_in_its_header(self):
        form = self.header_form(self.get("/parking/permit/"))
        self.assertEqual(form["action"], "/search/")
        self.assertEqual(form["method"], "get")
        field = form.find("input", attrs={"name": "q"})
        label = form.find("label", attrs={"for": field["id"]})
        self.assertEqual(label.get_text(strip=True), "Search this website")
        self.assertEqual(form.find("button").get_text(strip=True), "Search")

    def test_home_page_has_both_search_boxes_with_their_own_ids(self):
        soup = self.get("/")
        self.assertIsNotNone(self.header_form(soup))
        self.assertEqual(len(soup.select("form[role=search] input[name=q]")), 2)
        labels = [form["aria-label"] for form in soup.select("form[role=search]")]
        self.assertEqual(len(set(labels)), 2, "two search landmarks need different names")
        self.assert_unique_ids(soup)

    def test_search_page_has_one_search_box_and_unique_ids(self):
        soup = self.search("recycling")
        self.assertIsNone(self.header_form(soup))
        self.assertEqual(len(soup.select("input[name=q]")), 1)
        self.assert_unique_ids(soup)


class SuggestionsTests(SearchPageTestCase):
    def suggest(self, query: str) -> dict:
        response = self.client.get(reverse("search_suggest"), {"q": query})
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "application/json")
        return response.json()

    def test_json_shape(self):
        data = self.suggest("recyc")
        self.assertEqual(data["query"], "recyc")
        self.assertIn(
            {
                "title": "Household waste recycling centres",
                "url": "/bins/hwrc/",
                "description": "Take rubbish and recycling to our two sites.",
                "category": "Bins and recycling",
            },
            data["suggestions"],
        )
        for suggestion in data["suggestions"]:
            self.assertEqual(set(suggestion), {"title", "url", "description", "category"})

    def test_one_letter_gets_no_suggestions(self):
        self.assertEqual(self.suggest("r")["suggestions"], [])

    def test_titles_come_back_as_text(self):
        ServicePageFactory(parent=self.bins, title="Bulky <b>waste</b>", slug="bulky")
        titles = [s["title"] for s in self.suggest("bulky")["suggestions"]]
        self.assertEqual(titles, ["Bulky <b>waste</b>"])
        # and the script shows them as text, never as HTML
        script = (JS_SOURCES / "search-suggestions.js").read_text()
        self.assertIn("title.textContent = suggestion.title", script)
        self.assertIsNone(re.search(r"\.(inner|outer)HTML\b|insertAdjacentHTML", script))

    def test_every_search_box_carries_what_the_script_needs(self):
        soup = self.get("/")
        fields = soup.select("[data-module=council-search-suggestions]")
        self.assertEqual(len(fields), 2)
        for field in fields:
            self.assertEqual(field["data-suggest-url"], reverse("search_suggest"))
            self.assertEqual(field["data-status-1"], "1 suggestion")
            self.assertEqual(field["data-status-6"], "6 suggestions")
            box = field.find("input", attrs={"name": "q"})
            # Without JavaScript it is a plain text box: no combobox role until the script runs.
            self.assertNotIn("role", box.attrs)
            self.assertEqual(box["autocomplete"], "off")
            self.assertIsNotNone(soup.find(id=f"{box['id']}-suggestions-hint"))

    def test_the_script_is_a_module_loaded_from_the_base_layout(self):
        soup = self.get("/parking/permit/")
        [script] = soup.find_all("script")
        self.assertEqual(script["type"], "module")
        self.assertEqual(script["src"], "/static/js/council.js")
        council = (JS_SOURCES / "council.js").read_text()
        # Ending in ";" lets production's manifest storage rewrite the import to the hashed name.
        self.assertIn("import { initSearchSuggestions } from './search-suggestions.js';", council)
        self.assertIn(
            "export function initSearchSuggestions",
            (JS_SOURCES / "search-suggestions.js").read_text(),
        )
        preload = soup.find("link", rel="modulepreload")
        self.assertEqual(preload["href"], "/static/js/search-suggestions.js")
