"""Residents can switch to a page's translation; no switcher where there is none."""

from bs4 import BeautifulSoup
from django.test import TestCase
from django.utils import translation
from wagtail.models import Locale

from tests.factories import CategoryPageFactory, ServicePageFactory, make_site


class LanguageSwitcherTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        home = make_site()
        polish = Locale.objects.create(language_code="pl")
        category = CategoryPageFactory(parent=home, slug="bins", title="Bins")
        cls.service = ServicePageFactory(parent=category, slug="bin-day", title="Bin day")
        ServicePageFactory(parent=category, slug="not-translated")
        for page in (home, category, cls.service):
            translated = page.copy_for_translation(polish, copy_parents=False)
            translated.save_revision().publish()

    def tearDown(self):
        translation.activate("en-gb")

    def test_switcher_links_to_the_translation_and_marks_the_current_language(self):
        soup = BeautifulSoup(self.client.get("/bins/bin-day/").content, "html.parser")
        nav = soup.find("nav", class_="govuk-language-navigation")
        current = nav.find(attrs={"aria-current": "true"})
        self.assertEqual((current.get_text(strip=True), current["lang"]), ("English", "en-gb"))
        link = nav.find("a")
        self.assertEqual(
            (link["href"], link["hreflang"], link["lang"]), ("/pl/bins/bin-day/", "pl", "pl")
        )
        self.assertEqual(link.get_text(strip=True), "Polski")

    def test_translated_page_is_served_in_its_language(self):
        soup = BeautifulSoup(self.client.get("/pl/bins/bin-day/").content, "html.parser")
        self.assertEqual(soup.html["lang"], "pl")
        self.assertEqual(
            soup.find("nav", class_="govuk-language-navigation").find("a")["href"], "/bins/bin-day/"
        )

    def test_no_switcher_on_a_page_with_no_translation(self):
        soup = BeautifulSoup(self.client.get("/bins/not-translated/").content, "html.parser")
        self.assertIsNone(soup.find("nav", class_="govuk-language-navigation"))
