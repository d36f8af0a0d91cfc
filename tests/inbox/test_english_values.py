"""Staff read each chosen option in English, with the resident's own words beneath: a Welsh
request's answers are stored as the resident saw them, and the inbox finds the same option in
the English flow."""

from __future__ import annotations

from typing import Any

from tests.flows.factories import make_flow, page, question
from tests.inbox.test_inbox import INBOX, InboxTestCase, make_submission
from tests.inbox.test_service_filter import translate

OPTIONS = {
    "size": [("Small", "Bach"), ("Large", "Mawr")],
    "items": [("Sofa", "Soffa"), ("Fridge", "Oergell"), ("Bed", "Gwely")],
}
WELSH_LABELS = {
    "size": "Pa mor fawr yw e?",
    "items": "Pa eitemau?",
    "outside": "Ydy e tu allan?",
    "notes": "Unrhyw beth arall?",
}


def options(name: str, index: int) -> list[dict[str, str]]:
    return [{"label": pair[index], "hint": ""} for pair in OPTIONS[name]]


def welsh_steps(flow: Any, reverse_items: bool = False) -> list[dict[str, Any]]:
    """The English flow's steps, block ids kept (as wagtail-localize keeps them), in Welsh."""
    steps = flow.steps.get_prep_value()
    for step in steps:
        for block in step["value"]["questions"]:
            value = block["value"]
            value["label"] = WELSH_LABELS[value["name"]]
            if value["name"] in OPTIONS:
                welsh = dict(OPTIONS[value["name"]])
                for item in value["options"]:
                    item["value"]["label"] = welsh[item["value"]["label"]]
                if reverse_items and value["name"] == "items":
                    value["options"].reverse()  # a translator may put them in their order
    return steps


class EnglishValuesTests(InboxTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        service = cls.bulky_flow.get_parent()
        cls.flow = make_flow(
            [
                page(
                    "details",
                    question("radios", "size", "How big is it?", options=options("size", 0)),
                    question("checkboxes", "items", "Which items?", options=options("items", 0)),
                    question("yes_no", "outside", "Is it outside?"),
                    question("short_text", "notes", "Anything else?"),
                )
            ],
            service=service,
            slug="details",
        )
        bins = service.get_parent()
        translate(bins.get_parent(), "cy")
        translate(bins, "cy", title="Biniau")
        translate(service, "cy", title="Gwastraff swmpus")
        cls.welsh_flow = translate(cls.flow, "cy", steps=welsh_steps(cls.flow))
        cls.welsh = make_submission(
            cls.flow,
            "FCC-CYCY-2345",
            service_title="Gwastraff swmpus",
            language="cy",
            answers=[
                answer("size", "Mawr", "Mawr"),
                answer("items", ["Soffa", "Gwely"], "Soffa\nGwely"),
                answer("outside", "yes", "Ydy"),
                answer("notes", "Mae'r gath yn cysgu arno", "Mae'r gath yn cysgu arno"),
            ],
        )
        cls.english = make_submission(
            cls.flow,
            "FCC-ENEN-2345",
            answers=[
                {"name": "size", "label": "How big is it?", "value": "Small", "display": "Small"},
            ],
        )

    def answer_rows(self, submission: Any) -> dict[str, tuple[str, str, str]]:
        """Each answer: (English value, the resident's words, their lang attribute)."""
        soup = self.soup(f"{INBOX}{submission.pk}/")
        section = soup.find(id="answers-heading").find_parent("section")
        rows = {}
        for div in section.select("dl > div"):
            resident = div.dd.select_one("[data-resident-words]")
            words = resident.get_text("\n", strip=True) if resident else ""
            lang = resident.get("lang", "") if resident else ""
            if resident:
                resident.extract()
            question = div.dt.contents[0].strip()
            rows[question] = (div.dd.get_text("\n", strip=True), words, lang)
        return rows

    def test_a_welsh_choice_is_shown_in_english_with_the_residents_words_beneath(self):
        rows = self.answer_rows(self.welsh)
        self.assertEqual(rows["How big is it?"], ("Large", "Mawr", "cy"))
        self.assertEqual(rows["Which items?"], ("Sofa\nBed", "Soffa\nGwely", "cy"))
        self.assertEqual(rows["Is it outside?"], ("Yes", "Ydy", "cy"))

    def test_words_the_resident_typed_are_shown_once(self):
        rows = self.answer_rows(self.welsh)
        self.assertEqual(rows["Anything else?"], ("Mae'r gath yn cysgu arno", "", ""))

    def test_options_are_matched_by_block_not_by_place(self):
        self.welsh_flow.steps = welsh_steps(self.flow, reverse_items=True)
        self.welsh_flow.save_revision().publish()
        rows = self.answer_rows(self.welsh)
        self.assertEqual(rows["Which items?"], ("Sofa\nBed", "Soffa\nGwely", "cy"))

    def test_an_option_no_longer_in_the_flow_is_shown_in_the_residents_words(self):
        edited = make_submission(
            self.flow, "FCC-CYCY-3456", language="cy", answers=[answer("size", "Enfawr", "Enfawr")]
        )
        rows = self.answer_rows(edited)
        self.assertEqual(rows["How big is it?"], ("Enfawr", "", ""))

    def test_an_english_request_shows_just_the_value(self):
        rows = self.answer_rows(self.english)
        self.assertEqual(rows["How big is it?"], ("Small", "", ""))

    def test_the_export_gives_the_english_value_and_the_residents_words(self):
        rows = {row["Reference"]: row for row in self.export_rows()}
        self.assertEqual(
            rows["FCC-CYCY-2345"]["Answers"].splitlines(),
            [
                "How big is it?: Large (Mawr)",
                "Which items?: Sofa, Bed (Soffa, Gwely)",
                "Is it outside?: Yes (Ydy)",
                "Anything else?: Mae'r gath yn cysgu arno",
            ],
        )
        self.assertEqual(rows["FCC-ENEN-2345"]["Answers"], "How big is it?: Small")


def answer(name: str, value: Any, display: str) -> dict[str, Any]:
    """An answer as the runtime stores a Welsh one: the question in Welsh and in English."""
    english = {
        "size": "How big is it?",
        "items": "Which items?",
        "outside": "Is it outside?",
        "notes": "Anything else?",
    }
    return {
        "name": name,
        "label": WELSH_LABELS[name],
        "source_label": english[name],
        "value": value,
        "display": display,
    }
