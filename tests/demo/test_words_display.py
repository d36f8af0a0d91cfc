"""Words that fit: counts, dates and the order of a start page, as a resident reads them."""

import datetime
from types import SimpleNamespace

from bs4 import BeautifulSoup
from django.test import SimpleTestCase, TestCase
from django.utils import translation

from forms.flows.handlers import actions, fees
from forms.flows.questions import answer_for_display
from tests.factories import CategoryPageFactory, ServicePageFactory, make_site
from tests.flows.test_question_types import make_questions


class QuantityAnswerTests(SimpleTestCase):
    def test_a_count_of_one_is_not_followed_by_a_plural_unit(self):
        question = make_questions(
            (
                "quantity",
                {
                    "label": "How many brown bins do you want us to empty?",
                    "name": "bins",
                    "unit": "bins",
                    "min_value": 1,
                    "max_value": 3,
                },
            )
        )[0]
        self.assertEqual(answer_for_display(question, 1), "1")
        self.assertEqual(answer_for_display(question, 2), "2")

    def test_the_fee_line_names_the_count_in_the_singular_and_the_plural(self):
        one = fees["garden-waste"].calculate({"bins": 1}).lines
        two = fees["garden-waste"].calculate({"bins": 2}).lines
        self.assertEqual(one, [("1 brown bin for 12 months", 5000)])
        self.assertEqual(two, [("2 brown bins for 12 months at £50 each", 10000)])


class MissedBinDayTests(SimpleTestCase):
    def sentence(self, language: str) -> str:
        friday_evening = datetime.datetime(2026, 11, 27, 18, 30, tzinfo=datetime.UTC)
        submission = SimpleNamespace(created_at=friday_evening, answer=lambda name: ["Food caddy"])
        with translation.override(language):
            return actions["missed-bin"].run(submission)[0]

    def test_the_return_day_reads_as_a_sentence_in_each_language(self):
        self.assertEqual(
            self.sentence("en-gb"),
            "We will come back to empty your bin on Monday 30 November 2026.",
        )
        self.assertIn("ar ddydd Llun 30 Tachwedd 2026", self.sentence("cy"))
        self.assertNotIn("ar Dydd", self.sentence("cy"))
        self.assertIn("w poniedziałek 30 listopada 2026", self.sentence("pl"))
        self.assertIn("يوم الاثنين 30 نوفمبر 2026", self.sentence("ar"))


class StartPageOrderTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        home = make_site()
        category = CategoryPageFactory(parent=home, title="Bins", slug="bins")
        cls.service = ServicePageFactory(
            parent=category,
            title="Report a missed bin collection",
            slug="missed-bin",
            external_start_url="https://example.org/start",
            body=[
                {"type": "paragraph", "value": "<p>It takes about 5 minutes.</p>"},
                {
                    "type": "inset_text",
                    "value": {"text": "<p>Wait until 6pm before you report it.</p>"},
                },
                {"type": "heading", "value": "What happens next"},
                {"type": "paragraph", "value": "<p>We check with the crew.</p>"},
            ],
        )

    def test_what_to_read_first_comes_before_start_now_and_what_happens_next_after(self):
        response = self.client.get("/bins/missed-bin/")
        main = BeautifulSoup(response.content, "html.parser").main
        text = " ".join(main.get_text(" ").split())
        start = text.index("Start now")
        self.assertLess(text.index("Wait until 6pm before you report it."), start)
        self.assertLess(text.index("It takes about 5 minutes."), start)
        self.assertGreater(text.index("What happens next"), start)
        self.assertGreater(text.index("We check with the crew."), start)


class LowerFirstTests(SimpleTestCase):
    def render(self, label: str) -> str:
        from django.template import Context, Template

        return Template("{% load words %}{{ label|lower_first }}").render(Context({"label": label}))

    def test_names_and_abbreviations_keep_their_capitals(self):
        self.assertEqual(
            self.render("Where in Fernbridge will the skip be?"),
            "where in Fernbridge will the skip be?",
        )
        self.assertEqual(
            self.render("Upload your vehicle log book (V5C)"), "upload your vehicle log book (V5C)"
        )
        self.assertEqual(self.render("PCN number"), "PCN number")
