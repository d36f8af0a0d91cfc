"""A language is whole or not offered: every page of every demo flow in Welsh, Polish and
Arabic is either in that language throughout or in English throughout (marked as English, and
the language switcher says so), never English questions among translated buttons."""

from bs4 import BeautifulSoup
from django.conf import settings
from django.test import TestCase, override_settings
from django.utils import translation
from django.utils.translation import gettext
from wagtail.models import Locale

from demo.loader import DemoLoader
from demo.translate import translatable_strings
from demo.walker import FlowWalker
from forms.flows.constants import CHECK_ANSWERS_STEP
from forms.flows.models import FlowPage, Submission


def english_texts(flow):
    """Every English text of the flow's own (questions, page titles, hints)."""
    return {text.strip() for _path, text in translatable_strings(flow.source_flow)}


def english(text: str) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return gettext(text)


class LanguageWholeTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        DemoLoader(translate=True).load()

    def page_language(self, flow, soup, page_name):
        """'en' if the page's text is English, else the flow's language; fails on a mix."""
        code = flow.locale.language_code
        main = soup.select_one("main")
        english_questions = english_texts(flow)
        headings = [
            h.get_text(" ", strip=True) for h in main.select("h1, legend, label.govuk-label--l")
        ]
        question = next((h for h in headings if h), "")
        # the main button: the last ("Find address" comes first), never a secondary one
        buttons = main.select(
            "button.govuk-button:not(.govuk-button--secondary):not(.govuk-button--warning)"
        )
        button = buttons[-1] if buttons else None
        button_text = button.get_text(" ", strip=True) if button else ""
        question_in_english = question in english_questions
        button_in_english = button_text in {
            english("Continue"),
            english("Accept and send"),
            english("Accept and continue to payment"),
        }
        where = f"{code}:{flow.get_parent().slug} {page_name}: {question!r} / {button_text!r}"
        if button_text:
            self.assertEqual(question_in_english, button_in_english, f"mixed page {where}")
        if question_in_english or (button_text and button_in_english):
            # English text is marked as English, left to right, for screen readers and layout
            marked = main.select_one(f'[lang="{settings.LANGUAGE_CODE}"][dir="ltr"]')
            self.assertIsNotNone(marked, f"English not marked as English: {where}")
            self.assertIn(question, marked.get_text(" ", strip=True), where)
            return "en"
        return code

    def check_answers_language(self, flow, soup):
        main = soup.select_one("main")
        english_questions = english_texts(flow)
        keys = [k.get_text(" ", strip=True) for k in main.select(".govuk-summary-list__key")]
        first_change = main.select_one(".govuk-summary-list__actions a")
        change = next(first_change.stripped_strings) if first_change else ""
        keys_in_english = keys[0] in english_questions
        where = (
            f"{flow.locale.language_code}:{flow.get_parent().slug} check: {keys[0]!r} / {change!r}"
        )
        self.assertEqual(keys_in_english, change == english("Change"), f"mixed page {where}")
        return "en" if keys_in_english else flow.locale.language_code

    def test_every_flow_page_is_in_one_language(self):
        flows = FlowPage.objects.live().exclude(locale=Locale.get_default()).order_by("path")
        self.assertEqual(flows.count(), 20 * 3)
        for flow in flows:
            with self.subTest(flow=f"{flow.locale.language_code}:{flow.get_parent().slug}"):
                self.client.cookies.clear()
                walker = FlowWalker(self.client, flow)
                url = self.client.get(flow.url)["Location"]
                languages = set()
                for _ in range(30):
                    step = walker.step_of(url)
                    page = self.client.get(url)
                    soup = BeautifulSoup(page.content, "html.parser")
                    if step == CHECK_ANSWERS_STEP:
                        if not flow.result_handler:
                            languages.add(self.check_answers_language(flow, soup))
                        break
                    languages.add(self.page_language(flow, soup, step))
                    if not languages - {"en"} and len(languages) == 1 and flow.alias_of_id:
                        # an English-only flow says so in the switcher, in the resident's language
                        with translation.override(flow.locale.language_code):
                            self.assertIn(gettext("(English only)"), page.content.decode())
                    _step, _data, url = walker.answer(url)
                else:
                    self.fail(f"{flow.url} did not reach check your answers")
                self.assertEqual(len(languages), 1, f"{flow.url}: {languages}")
                if flow.alias_of_id:
                    self.assertEqual(languages, {"en"})

    def test_the_footers_standard_pages_are_in_the_residents_language(self):
        for code in ("cy", "pl", "ar"):
            with self.subTest(code=code):
                home = BeautifulSoup(self.client.get(f"/{code}/").content, "html.parser")
                links = home.select("footer .govuk-footer__inline-list a")
                standard = [a for a in links if not a["href"].endswith("/track/")]
                self.assertGreaterEqual(len(standard), 4)
                for link in standard:
                    # a translated page: not marked as English, and it says nothing of English
                    self.assertNotIn("lang", link.attrs, link)
                    page = BeautifulSoup(self.client.get(link["href"]).content, "html.parser")
                    self.assertIsNone(page.select_one(".council-untranslated"), link["href"])
                    self.assertEqual(page.html["lang"], code)
                    self.assertIsNone(page.select_one("main [lang]"), link["href"])

    def test_the_switcher_says_which_languages_a_page_is_english_only_in(self):
        english = FlowPage.objects.get(
            locale=Locale.get_default(), fee_handler="garden-waste"
        ).get_parent()
        page = BeautifulSoup(self.client.get(english.url).content, "html.parser")
        switcher = page.select_one(".govuk-language-navigation")
        welsh = switcher.find("a", lang="cy")
        with translation.override("cy"):
            self.assertIn(gettext("(English only)"), welsh.get_text())
        self.assertNotIn("hreflang", welsh.attrs)
        translated = FlowPage.objects.get(
            locale=Locale.get_default(), fee_handler="pcn"
        ).get_parent()
        page = BeautifulSoup(self.client.get(translated.url).content, "html.parser")
        welsh = page.select_one(".govuk-language-navigation").find("a", lang="cy")
        self.assertEqual(welsh.get_text(strip=True), "Cymraeg")

    def test_an_english_only_page_in_arabic_is_laid_out_left_to_right(self):
        source = FlowPage.objects.get(locale=Locale.get_default(), fee_handler="garden-waste")
        untranslated = source.get_parent().get_translation(Locale.objects.get(language_code="ar"))
        self.assertIsNotNone(untranslated.alias_of_id)
        page = BeautifulSoup(self.client.get(untranslated.url).content, "html.parser")
        # English text left to right, with the stylesheet that is not mirrored...
        self.assertEqual((page.html["lang"], page.html["dir"]), ("ar", "ltr"))
        stylesheet = page.select_one('link[rel="stylesheet"]')["href"]
        self.assertNotIn(".rtl.", stylesheet)
        # ... and the Arabic around it (header, notice, footer) right to left in its own blocks
        self.assertEqual(page.select_one("header")["dir"], "rtl")
        self.assertEqual(page.select_one(".council-untranslated").parent["dir"], "rtl")
        self.assertEqual(page.select_one("footer").parent["dir"], "rtl")

        translated = FlowPage.objects.get(locale=Locale.get_default(), fee_handler="pcn")
        arabic = translated.get_parent().get_translation(Locale.objects.get(language_code="ar"))
        page = BeautifulSoup(self.client.get(arabic.url).content, "html.parser")
        self.assertEqual((page.html["lang"], page.html["dir"]), ("ar", "rtl"))
        self.assertIn(".rtl.", page.select_one('link[rel="stylesheet"]')["href"])
        self.assertNotIn("dir", page.select_one("header").attrs)

    @override_settings(PAYMENT_PROVIDER="sandbox")
    def test_a_request_sent_from_an_english_only_flow_stays_in_the_residents_language(self):
        english = FlowPage.objects.get(locale=Locale.get_default(), fee_handler="garden-waste")
        flow = english.get_translation(Locale.objects.get(language_code="ar"))
        self.assertIsNotNone(flow.alias_of_id)
        walker = FlowWalker(self.client, flow)
        check_url = walker.walk()
        token = BeautifulSoup(self.client.get(check_url).content, "html.parser").find(
            "input", attrs={"name": "token"}
        )["value"]
        payment_page = self.client.post(check_url, {"token": token})["Location"]
        # the payment and everything after it at the resident's Arabic addresses
        self.assertTrue(payment_page.startswith("/ar/"), payment_page)
        submission = Submission.objects.get(flow=english)
        self.assertEqual(submission.language, "ar")
        back = self.client.post(payment_page, {"outcome": "succeed"})
        confirmation_url = self.client.get(back["Location"])["Location"]
        self.assertTrue(confirmation_url.startswith(flow.url), confirmation_url)
        confirmation = BeautifulSoup(self.client.get(confirmation_url).content, "html.parser")
        self.assertTrue(
            confirmation.select_one("form.council-satisfaction")["action"].startswith("/ar/")
        )
        track = confirmation.find("a", href=lambda href: href and href.endswith("/track/"))
        self.assertTrue(track["href"].startswith("/ar/"), track["href"])

    def test_an_english_only_flow_shows_its_errors_in_english(self):
        source = FlowPage.objects.get(locale=Locale.get_default(), fee_handler="garden-waste")
        flow = source.get_translation(Locale.objects.get(language_code="ar"))
        first = self.client.get(flow.url)["Location"]
        step = first.split("?")[0][len(flow.url) :].strip("/")
        page = self.client.post(
            first,
            {f"flow-{source.pk}-current_step": step, f"{step}-address-postcode": "zz"},
            follow=True,
        )
        summary = BeautifulSoup(page.content, "html.parser").select_one(".govuk-error-summary")
        self.assertIn(english("There is a problem"), summary.get_text())
        text = summary.select_one(".govuk-error-summary__list").get_text(" ", strip=True)
        self.assertTrue(text.isascii(), text)
