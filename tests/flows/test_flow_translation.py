"""Translators see a flow's words, never the names conditions and fee rules depend on."""

from django.test import TestCase
from wagtail_localize.segments.extract import extract_segments

from tests.flows.factories import make_flow, page, question


class FlowTranslationTests(TestCase):
    def test_questions_are_offered_for_translation_but_names_are_not(self):
        flow = make_flow(
            [
                page("stolen", question("yes_no", "bin_stolen", "Was your bin stolen?")),
                page(
                    "crime-number",
                    question("short_text", "crime_number", "What is the crime number?"),
                    show_if={"question": "bin_stolen", "answer": "yes", "negate": False},
                ),
            ]
        )
        texts = {
            getattr(segment, "string", None) and segment.string.data
            for segment in extract_segments(flow)
        }
        self.assertIn("Was your bin stolen?", texts)
        self.assertIn("What is the crime number?", texts)
        for identifier in ("bin_stolen", "crime_number", "stolen", "crime-number"):
            self.assertNotIn(identifier, texts)
