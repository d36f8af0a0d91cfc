"""A service's words for search: the situations residents describe, and in another language
the title, summary and words its speakers use, so a page not translated yet is found in it."""

from __future__ import annotations

from bs4 import BeautifulSoup
from django.test import TestCase
from wagtail.models import Locale

from search.service import run_search
from services.models import ServicePage, ServiceSearchWords
from tests.factories import CategoryPageFactory, ServicePageFactory, make_site


def found(query: str, locale: Locale) -> list[int]:
    return [result.page_id for result in run_search(query, locale=locale).results]


class WordsForSearchTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.english = Locale.get_default()
        cls.polish = Locale.objects.create(language_code="pl")
        home = make_site()
        cls.category = CategoryPageFactory(parent=home, slug="environment", title="Environment")
        cls.pests = ServicePageFactory(
            parent=cls.category,
            slug="pest-control",
            title="Get rid of pests",
            summary="Book a visit to treat rats, mice, cockroaches or bedbugs in your home.",
            keywords="rats, mice, pest control",
        )
        cls.noise = ServicePageFactory(
            parent=cls.category,
            slug="report-noise",
            title="Report a noise problem",
            summary="Tell us about loud music, barking dogs or building work at night.",
            keywords="noise, loud music",
        )
        cls.publish_words(
            cls.pests,
            ServiceSearchWords(language="en-gb", phrases="something is scratching in the loft"),
            ServiceSearchWords(
                language="pl",
                title="Pozbądź się szkodników",
                summary="Zamów wizytę w sprawie szczurów, myszy lub karaluchów w domu.",
                phrases="szczury\nszczur w domu\nmyszy w kuchni",
            ),
        )
        cls.publish_words(
            cls.noise,
            ServiceSearchWords(language="pl", title="Zgłoś hałas", phrases="głośna muzyka"),
        )
        # The Polish site's untranslated pages: aliases of the English ones, as wagtail-localize
        # keeps them in step.
        home.copy_for_translation(cls.polish, alias=True)
        polish_category = cls.category.copy_for_translation(cls.polish, alias=True)
        cls.polish_pests = cls.pests.copy_for_translation(cls.polish, alias=True)
        cls.polish_noise = cls.noise.copy_for_translation(cls.polish, alias=True)
        assert polish_category.live
        assert cls.polish_pests.live

    @staticmethod
    def publish_words(page: ServicePage, *rows: ServiceSearchWords) -> None:
        page.search_terms = list(rows)
        page.save_revision().publish()

    def test_a_polish_word_finds_the_english_page_on_the_polish_site(self):
        self.assertEqual(found("szczury", self.polish)[:1], [self.polish_pests.pk])
        # a word of the Polish title and another form of a phrase's word
        self.assertEqual(found("szkodników", self.polish)[:1], [self.polish_pests.pk])
        self.assertEqual(found("szczur", self.polish)[:1], [self.polish_pests.pk])
        self.assertEqual(found("głośna muzyka", self.polish)[:1], [self.polish_noise.pk])

    def test_the_words_a_question_is_made_of_count_for_nothing(self):
        # "where can i ... my": only "szczury" says what the resident needs
        self.assertEqual(
            found("gdzie mogę zgłosić moje szczury", self.polish)[:1], [self.polish_pests.pk]
        )

    def test_a_polish_word_finds_nothing_on_the_english_site(self):
        self.assertEqual(found("szczury", self.english), [])

    def test_a_situation_residents_describe_finds_its_service(self):
        self.assertEqual(found("scratching in the loft", self.english)[:1], [self.pests.pk])

    def test_the_polish_result_is_the_english_page_marked_as_english(self):
        response = self.client.get("/pl/search/", {"q": "szczury"})
        soup = BeautifulSoup(response.content, "html.parser")
        link = soup.select_one("main a.council-search-results__link")
        self.assertIsNotNone(link, "no result")
        self.assertEqual(link.get_text(strip=True), "Get rid of pests")
        self.assertEqual((link["lang"], link["dir"]), ("en-gb", "ltr"))

    def test_changed_words_are_searched_at_once(self):
        self.publish_words(
            self.pests, ServiceSearchWords(language="en-gb", phrases="wasps nest under the roof")
        )
        self.assertEqual(found("wasps nest", self.english)[:1], [self.pests.pk])
        self.assertEqual(found("scratching in the loft", self.english), [])

    def test_one_row_a_language(self):
        from django.db import IntegrityError, transaction

        with self.assertRaises(IntegrityError), transaction.atomic():
            ServiceSearchWords.objects.create(page=self.pests, language="pl", phrases="x")
