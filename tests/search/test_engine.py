"""The database engine finds the right service for the words residents type: stems,
editors' synonyms (at once, both kinds), typos, joined and split words, and the fields that
say most about a page."""

from __future__ import annotations

from django.test import TestCase
from wagtail.models import Locale, PageViewRestriction

from core.text_analysis import stems
from search.analysis import analyse
from search.corpus import vocabulary
from search.engine import get_engine
from search.models import Synonym
from search.service import run_search
from tests.factories import CategoryPageFactory, ServicePageFactory, make_site


class TextTests(TestCase):
    def test_words_meet_whatever_their_ending(self):
        self.assertEqual(stems("Bins collected"), stems("bin collection"))

    def test_apostrophes_and_hyphens(self):
        self.assertEqual(stems("neighbour's fly-tipping"), stems("neighbours fly tipping"))


class EngineTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        home = make_site()
        cls.waste = CategoryPageFactory(parent=home, title="Bins and waste", slug="waste")
        roads = CategoryPageFactory(parent=home, title="Roads", slug="roads")
        cls.hwrc = ServicePageFactory(
            parent=cls.waste,
            title="Household waste recycling centres",
            slug="hwrc",
            summary="Opening times and what you can take to our 2 sites.",
            keywords="recycling centre, opening times",
        )
        cls.missed = ServicePageFactory(
            parent=cls.waste,
            title="Report a missed bin collection",
            slug="missed-bin",
            summary="Tell us if we did not empty your bin on collection day.",
            keywords="bin not emptied",
        )
        cls.fly = ServicePageFactory(
            parent=cls.waste,
            title="Report fly-tipping",
            slug="fly-tipping",
            summary="Rubbish dumped on a street or in a park.",
            keywords="dumped rubbish",
        )
        cls.pothole = ServicePageFactory(
            parent=roads,
            title="Report a pothole",
            slug="pothole",
            summary="Holes and cracks in roads and pavements.",
            keywords="road damage",
        )
        cls.pcn = ServicePageFactory(
            parent=roads,
            title="Pay a parking fine",
            slug="pay-fine",
            summary="Pay a penalty charge notice by card.",
            keywords="parking ticket",
        )
        cls.body_only = ServicePageFactory(
            parent=roads,
            title="Roadworks",
            slug="roadworks",
            summary="Planned works on the roads.",
            body=[{"type": "paragraph", "value": "<p>We may close a road to mend a pothole.</p>"}],
        )

    def slugs(self, query: str) -> list[str]:
        outcome = run_search(query, locale=Locale.get_default())
        from wagtail.models import Page

        ids = [r.page_id for r in outcome.results]
        slugs = dict(Page.objects.filter(pk__in=ids).values_list("pk", "slug"))
        return [slugs[pk] for pk in ids]

    def test_stems_match_other_endings(self):
        self.assertEqual(self.slugs("bins not collected")[0], "missed-bin")

    def test_title_beats_a_mention_in_the_body(self):
        found = self.slugs("pothole")
        self.assertEqual(found[0], "pothole")
        self.assertIn("roadworks", found)

    def test_a_two_way_synonym_works_at_once_in_both_directions(self):
        self.assertNotIn("hwrc", self.slugs("tip"))
        Synonym.objects.create(terms="tip, dump, household waste recycling centre")
        self.assertEqual(self.slugs("tip")[0], "hwrc")
        self.assertEqual(self.slugs("the dump")[0], "hwrc")

    def test_a_one_way_synonym_does_not_work_backwards(self):
        self.assertEqual(self.slugs("pcn"), [])
        Synonym.objects.create(terms="pcn", also_find="penalty charge notice")
        self.assertEqual(self.slugs("pcn")[0], "pay-fine")
        Synonym.objects.create(terms="parking ticket", also_find="recycling centre")
        self.assertEqual(self.slugs("parking ticket")[0], "pay-fine")
        self.assertNotIn("pay-fine", self.slugs("recycling centre"))

    def test_a_deleted_synonym_stops_working(self):
        synonym = Synonym.objects.create(terms="tip, household waste recycling centre")
        self.assertIn("hwrc", self.slugs("tip"))
        synonym.delete()
        self.assertNotIn("hwrc", self.slugs("tip"))

    def test_a_synonym_in_another_language_does_not_apply(self):
        Synonym.objects.create(terms="tip, household waste recycling centre", language="pl")
        self.assertNotIn("hwrc", self.slugs("tip"))

    def test_typos_still_find_the_service_and_suggest_the_spelling(self):
        outcome = run_search("potholle", locale=Locale.get_default())
        self.assertEqual(self.slugs("potholle")[0], "pothole")
        self.assertEqual(outcome.suggestion, "pothole")
        self.assertEqual(self.slugs("recyclign centre")[0], "hwrc")

    def test_short_words_are_not_corrected(self):
        # "tip" is a word in its own right, not a typo for "trip" or "top".
        self.assertIsNone(run_search("tip", locale=Locale.get_default()).suggestion)

    def test_no_suggestion_when_the_words_are_known(self):
        self.assertIsNone(run_search("missed bin", locale=Locale.get_default()).suggestion)

    def test_words_written_together_or_apart(self):
        self.assertEqual(self.slugs("pot hole")[0], "pothole")
        self.assertEqual(self.slugs("flytipping")[0], "fly-tipping")
        self.assertEqual(
            run_search("flytipping", locale=Locale.get_default()).suggestion, "fly tipping"
        )

    def test_a_service_beats_a_category_page_that_says_the_same(self):
        category = CategoryPageFactory(
            parent=self.waste.get_parent(),
            title="Allotments",
            slug="allotments",
            intro="Plots to rent.",
        )
        ServicePageFactory(
            parent=category, title="Allotments", slug="rent-allotment", summary="Plots to rent."
        )
        self.assertEqual(self.slugs("allotments")[:2], ["rent-allotment", "allotments"])

    def test_only_live_public_pages_in_the_language_are_found(self):
        self.missed.unpublish()
        PageViewRestriction.objects.create(page=self.fly, restriction_type="login")
        found = self.slugs("report")
        self.assertNotIn("missed-bin", found)
        self.assertNotIn("fly-tipping", found)
        self.assertIn("pothole", found)

    def test_nothing_to_search_for(self):
        for query in ["", "   ", "?!", "the"]:
            with self.subTest(query=query):
                self.assertEqual(self.slugs(query), [])

    def test_suggestions_as_you_type_complete_the_last_word(self):
        engine = get_engine()
        ids = engine.suggest("pothol", locale=Locale.get_default())
        self.assertEqual(ids[0], self.pothole.pk)
        ids = engine.suggest("missed bi", locale=Locale.get_default())
        self.assertEqual(ids[0], self.missed.pk)

    def test_analysis_keeps_stop_words_out_of_matching(self):
        analysis = analyse("when is my bin day", vocabulary(Locale.get_default()), "en-gb")
        self.assertEqual([c.typed for c in analysis.concepts], [("bin",), ("day",)])


class SuggestEndpointTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        home = make_site()
        waste = CategoryPageFactory(parent=home, title="Bins and waste", slug="waste")
        ServicePageFactory(parent=waste, title="Report a missed bin", slug="missed-bin")

    def test_one_letter_gets_no_suggestions_yet(self):
        for typed in ["b", "<b>", "  b  ", "b?"]:
            with self.subTest(typed=typed):
                response = self.client.get("/search/suggest/", {"q": typed})
                self.assertEqual(response.json()["suggestions"], [])

    def test_two_letters_do(self):
        response = self.client.get("/search/suggest/", {"q": "mi"})
        self.assertEqual(response.json()["suggestions"][0]["title"], "Report a missed bin")
