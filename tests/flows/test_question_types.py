"""What a resident typing answers sees: answers taken, kept and shown, and GOV.UK error messages.

Dates, uploads, addresses and the HTML have their own modules; `ask` and `stored` are shared.
"""

from __future__ import annotations

from typing import Any
from unittest import mock

from django.test import SimpleTestCase

from core.registry import Registry
from forms.flows.handlers import LookupFailed
from forms.flows.questions import (
    StepForm,
    answer_for_display,
    answer_for_storage,
    build_field,
    build_step_form,
    uploaded_files,
)
from forms.flows.questions.blocks import QuestionsBlock

NAME = "answer"


def make_questions(*questions: tuple[str, dict[str, Any]]) -> list[Any]:
    """StreamField children of QuestionsBlock, as a FlowPage's question page holds them."""
    value = QuestionsBlock().to_python([{"type": t, "value": v} for t, v in questions])
    return list(value)


def ask(
    block_type: str,
    data: dict[str, Any] | None = None,
    files: dict[str, Any] | None = None,
    **settings: Any,
) -> tuple[Any, StepForm]:
    """One question called "answer" on its own page, bound to what the resident sent."""
    settings = {"label": "Your answer", "name": NAME, **settings}
    question = make_questions((block_type, settings))[0]
    form_class = build_step_form([question], name="the-question")
    return question, form_class(data=data or {}, files=files or {})


def stored(question: Any, form: StepForm) -> Any:
    assert form.is_valid(), form.errors
    return answer_for_storage(question, form.cleaned_data[NAME])


def error(form: StepForm) -> str:
    assert not form.is_valid(), "the answer was taken"
    return str(form.errors[NAME][0])


class StepFormTests(SimpleTestCase):
    def test_fields_are_the_answer_names_in_order(self):
        questions = make_questions(
            ("short_text", {"label": "Full name", "name": "full_name"}),
            ("email", {"label": "Email address", "name": "email"}),
            ("yes_no", {"label": "Is this your home?", "name": "is_home"}),
        )
        form = build_step_form(questions, name="your-details")()
        self.assertEqual(list(form.fields), ["full_name", "email", "is_home"])
        self.assertEqual(type(form).__name__, "YourDetailsForm")
        self.assertFalse(form.use_required_attribute)
        self.assertIsInstance(form, StepForm)

    def test_label_hint_and_required_come_from_the_question(self):
        question = make_questions(
            ("short_text", {"label": "Full name", "name": "n", "hint": "As on a bill"})
        )[0]
        field = build_field(question)
        self.assertEqual(field.label, "Full name")
        self.assertEqual(field.help_text, "As on a bill")
        self.assertTrue(field.required)

    def test_stored_answers_and_error_summary(self):
        questions = make_questions(
            ("short_text", {"label": "Full name", "name": "full_name"}),
            ("whole_number", {"label": "How many?", "name": "count"}),
        )
        form = build_step_form(questions, name="details")(data={"full_name": "Ann", "count": ""})
        self.assertFalse(form.is_valid())
        self.assertEqual(form.error_summary(), [("id_count", 'Enter an answer to "How many?"')])
        form.add_error(None, "Wait a minute, then continue")  # the page's own: no box to go to
        self.assertEqual(form.error_summary()[-1], ("", "Wait a minute, then continue"))
        form = build_step_form(questions, name="details")(data={"full_name": "Ann", "count": "3"})
        self.assertTrue(form.is_valid())
        self.assertEqual(form.stored_answers(), {"full_name": "Ann", "count": 3})


class RequiredAndOptionalTests(SimpleTestCase):
    def test_an_empty_required_answer_gets_the_default_message(self):
        for block_type, message in [
            ("short_text", 'Enter an answer to "Your answer"'),
            ("long_text", 'Enter an answer to "Your answer"'),
            ("email", 'Enter an answer to "Your answer"'),
            ("uk_phone", 'Enter an answer to "Your answer"'),
            ("whole_number", 'Enter an answer to "Your answer"'),
            ("quantity", 'Enter an answer to "Your answer"'),
            ("money", 'Enter an answer to "Your answer"'),
            ("yes_no", 'Select yes or no for "Your answer"'),
        ]:
            with self.subTest(block_type):
                _question, form = ask(block_type, {NAME: "  "})
                self.assertEqual(error(form), message)

    def test_the_editors_message_wins(self):
        for block_type in ["short_text", "long_text", "email", "uk_phone", "money", "yes_no"]:
            with self.subTest(block_type):
                _question, form = ask(block_type, {}, required_message="Tell us this, please")
                self.assertEqual(error(form), "Tell us this, please")

    def test_an_optional_question_left_empty_is_kept_as_none(self):
        for block_type in ["short_text", "long_text", "email", "uk_phone", "whole_number"]:
            with self.subTest(block_type):
                question, form = ask(block_type, {NAME: ""}, required=False)
                self.assertIsNone(stored(question, form))
                self.assertEqual(answer_for_display(question, None), "Not answered")
                self.assertEqual(uploaded_files(question, form.cleaned_data[NAME]), [])


class ShortTextTests(SimpleTestCase):
    def test_the_answer_is_trimmed(self):
        question, form = ask("short_text", {NAME: "  Ann Smith "})
        self.assertEqual(stored(question, form), "Ann Smith")
        self.assertEqual(answer_for_display(question, "Ann Smith"), "Ann Smith")

    def test_longest_and_shortest(self):
        _question, form = ask("short_text", {NAME: "x" * 11}, max_length=10)
        self.assertEqual(error(form), '"Your answer" must be 10 characters or fewer')
        _question, form = ask("short_text", {NAME: "ab"}, min_length=3)
        self.assertEqual(error(form), '"Your answer" must be 3 characters or more')
        question, form = ask("short_text", {NAME: "x" * 10}, max_length=10, min_length=3)
        self.assertEqual(stored(question, form), "x" * 10)

    def test_pattern(self):
        settings = {"pattern": r"^[A-Z]{2}[0-9]{8}$"}
        question, form = ask("short_text", {NAME: "AB12345678"}, **settings)
        self.assertEqual(stored(question, form), "AB12345678")
        _question, form = ask("short_text", {NAME: "AB1234"}, **settings)
        self.assertEqual(error(form), 'Enter "Your answer" in the correct format')
        _question, form = ask(
            "short_text", {NAME: "AB1234"}, rule_message="Use 2 letters", **settings
        )
        self.assertEqual(error(form), "Use 2 letters")

    def test_a_broken_pattern_does_not_stop_residents(self):
        question, form = ask("short_text", {NAME: "anything"}, pattern="[unclosed")
        self.assertEqual(stored(question, form), "anything")

    def test_the_editors_rule_message_wins(self):
        _question, form = ask(
            "short_text", {NAME: "x" * 71}, max_length=70, rule_message="Full name is too long"
        )
        self.assertEqual(error(form), "Full name is too long")


class LongTextTests(SimpleTestCase):
    def test_line_breaks_count_once_like_the_character_count(self):
        question, form = ask("long_text", {NAME: "abcd\r\nefgh"}, max_length=9)
        self.assertEqual(stored(question, form), "abcd\nefgh")

    def test_too_long(self):
        _question, form = ask("long_text", {NAME: "x" * 1201})
        self.assertEqual(error(form), '"Your answer" must be 1200 characters or fewer')


class EmailTests(SimpleTestCase):
    def test_a_real_address(self):
        question, form = ask("email", {NAME: " ann@example.com "})
        self.assertEqual(stored(question, form), "ann@example.com")

    def test_not_an_address(self):
        for typed in ["ann", "ann@", "ann@example", "ann example@example.com"]:
            with self.subTest(typed):
                _question, form = ask("email", {NAME: typed})
                self.assertEqual(
                    error(form),
                    "Enter an email address in the correct format, like name@example.com",
                )


class UKPhoneTests(SimpleTestCase):
    def test_uk_numbers_are_kept_in_national_format(self):
        for typed, kept in [
            ("01632 960 001", "01632 960001"),
            ("07700900982", "07700 900982"),
            ("+44 7700 900982", "07700 900982"),
            ("(020) 7946 0018", "020 7946 0018"),
            ("0044 20 7946 0018", "020 7946 0018"),
        ]:
            with self.subTest(typed):
                question, form = ask("uk_phone", {NAME: typed})
                self.assertEqual(stored(question, form), kept)
                self.assertEqual(answer_for_display(question, kept), kept)

    def test_not_a_uk_number(self):
        for typed in ["12345", "+1 202 555 0100", "phone me", "0207 946 00189999"]:
            with self.subTest(typed):
                _question, form = ask("uk_phone", {NAME: typed})
                self.assertEqual(
                    error(form), "Enter a UK phone number, like 01632 960 001 or 07700 900 982"
                )


class WholeNumberTests(SimpleTestCase):
    def test_spaces_and_thousands_commas(self):
        for typed, kept in [(" 12 ", 12), ("1,200", 1200), ("0", 0), ("-3", -3)]:
            with self.subTest(typed):
                question, form = ask("whole_number", {NAME: typed})
                self.assertEqual(stored(question, form), kept)

    def test_not_a_whole_number(self):
        for typed in ["2.5", "three", "1,20", "12a"]:
            with self.subTest(typed):
                _question, form = ask("whole_number", {NAME: typed})
                self.assertEqual(error(form), '"Your answer" must be a whole number, like 3')

    def test_smallest_and_largest(self):
        _question, form = ask("whole_number", {NAME: "0"}, min_value=1, max_value=5)
        self.assertEqual(error(form), '"Your answer" must be between 1 and 5')
        _question, form = ask("whole_number", {NAME: "6"}, max_value=5)
        self.assertEqual(error(form), '"Your answer" must be 5 or less')
        _question, form = ask("whole_number", {NAME: "0"}, min_value=1)
        self.assertEqual(error(form), '"Your answer" must be 1 or more')
        _question, form = ask("whole_number", {NAME: "9"}, max_value=5, rule_message="Up to 5")
        self.assertEqual(error(form), "Up to 5")
        question, form = ask("whole_number", {NAME: "5"}, min_value=1, max_value=5)
        self.assertEqual(stored(question, form), 5)


class QuantityTests(SimpleTestCase):
    def test_a_quantity_is_an_int_shown_as_the_number_its_question_asks_for(self):
        # "How many bins?": "3": never "1 bins", and right in every language
        question, form = ask("quantity", {NAME: "3"}, unit="bins", max_value=4)
        self.assertEqual(stored(question, form), 3)
        self.assertEqual(answer_for_display(question, 1), "1")
        self.assertEqual(answer_for_display(question, 3), "3")

    def test_at_least_one_unless_the_editor_says_otherwise(self):
        _question, form = ask("quantity", {NAME: "0"})
        self.assertEqual(error(form), '"Your answer" must be 1 or more')
        _question, form = ask("quantity", {NAME: "5"}, max_value=4)
        self.assertEqual(error(form), '"Your answer" must be between 1 and 4')
        _question, form = ask("quantity", {NAME: "5"}, max_value=4, rule_message="4 items at most")
        self.assertEqual(error(form), "4 items at most")


class MoneyTests(SimpleTestCase):
    def test_amounts_are_kept_in_pence(self):
        for typed, pence in [
            ("12", 1200),
            ("12.5", 1250),
            ("12.50", 1250),
            ("£1,200.00", 120000),
            (" £ 7.05 ", 705),
            ("0.99", 99),
            ("0", 0),
        ]:
            with self.subTest(typed):
                question, form = ask("money", {NAME: typed})
                self.assertEqual(stored(question, form), pence)

    def test_not_an_amount(self):
        for typed in ["12.505", "-5", "£-5", "twelve", "12p", "1,20.00", "12.", "£"]:
            with self.subTest(typed):
                _question, form = ask("money", {NAME: typed})
                self.assertEqual(error(form), "Enter an amount in pounds and pence, like 12.50")

    def test_smallest_and_largest_in_pounds(self):
        settings = {"min_amount": "5.00", "max_amount": "250.50"}
        _question, form = ask("money", {NAME: "4.99"}, **settings)
        self.assertEqual(error(form), '"Your answer" must be between £5 and £250.50')
        _question, form = ask("money", {NAME: "250.51"}, max_amount="250.50")
        self.assertEqual(error(form), '"Your answer" must be £250.50 or less')
        _question, form = ask("money", {NAME: "1"}, min_amount="5", rule_message="At least £5")
        self.assertEqual(error(form), "At least £5")
        question, form = ask("money", {NAME: "250.50"}, **settings)
        self.assertEqual(stored(question, form), 25050)

    def test_display(self):
        question, _form = ask("money")
        self.assertEqual(answer_for_display(question, 1250), "£12.50")
        self.assertEqual(answer_for_display(question, 120000), "£1,200")


OPTIONS = [
    {"label": "Sofa", "hint": "Any size"},
    {"label": "Fridge or freezer", "hint": ""},
    {"label": "Mattress", "hint": ""},
]


class ChoiceTests(SimpleTestCase):
    def test_radios_and_select_keep_the_options_label(self):
        for block_type in ["radios", "select"]:
            with self.subTest(block_type):
                question, form = ask(block_type, {NAME: "Fridge or freezer"}, options=OPTIONS)
                self.assertEqual(stored(question, form), "Fridge or freezer")
                self.assertEqual(
                    answer_for_display(question, "Fridge or freezer"), "Fridge or freezer"
                )

    def test_nothing_chosen(self):
        for block_type in ["radios", "select", "checkboxes"]:
            with self.subTest(block_type):
                _question, form = ask(block_type, {}, options=OPTIONS)
                self.assertEqual(error(form), 'Select an option for "Your answer"')
                _question, form = ask(block_type, {}, options=OPTIONS, required_message="Pick one")
                self.assertEqual(error(form), "Pick one")

    def test_an_option_that_is_not_offered_is_refused(self):
        for block_type in ["radios", "select", "checkboxes"]:
            with self.subTest(block_type):
                _question, form = ask(block_type, {NAME: "Piano"}, options=OPTIONS)
                self.assertEqual(error(form), 'Select an option for "Your answer"')

    def test_checkboxes_keep_the_labels_in_the_order_offered(self):
        question, form = ask("checkboxes", {NAME: ["Mattress", "Sofa"]}, options=OPTIONS)
        self.assertEqual(stored(question, form), ["Sofa", "Mattress"])
        self.assertEqual(answer_for_display(question, ["Sofa", "Mattress"]), "Sofa\nMattress")

    def test_optional_checkboxes_left_empty(self):
        question, form = ask("checkboxes", {}, options=OPTIONS, required=False)
        self.assertIsNone(stored(question, form))

    def test_yes_or_no(self):
        question, form = ask("yes_no", {NAME: "yes"})
        self.assertEqual(stored(question, form), "yes")
        self.assertEqual(answer_for_display(question, "yes"), "Yes")
        question, form = ask("yes_no", {NAME: "no"})
        self.assertEqual(stored(question, form), "no")
        self.assertEqual(answer_for_display(question, "no"), "No")
        _question, form = ask("yes_no", {NAME: "maybe"})
        self.assertEqual(error(form), 'Select yes or no for "Your answer"')


class DeclarationTests(SimpleTestCase):
    statement = {"statement": "The information I have given is correct."}

    def test_confirmed(self):
        question, form = ask("declaration", {NAME: "yes"}, **self.statement)
        self.assertIs(stored(question, form), True)
        self.assertEqual(answer_for_display(question, True), "Confirmed")

    def test_not_confirmed(self):
        _question, form = ask("declaration", {}, **self.statement)
        self.assertEqual(error(form), "Select the box to confirm the declaration")
        _question, form = ask(
            "declaration", {}, required_message="You must agree", **self.statement
        )
        self.assertEqual(error(form), "You must agree")


class FakeLookup:
    title = "Fake council records"

    def __init__(self, known: Any) -> None:
        self.known = known
        self.calls: list[tuple[Any, Any]] = []

    def check(self, value: Any, question: Any = None) -> dict[str, Any]:
        self.calls.append((value, question))
        if value != self.known:
            raise LookupFailed("We have no record of that. Check it and try again")
        return {}


class LookupTests(SimpleTestCase):
    def setUp(self):
        self.registry: Registry = Registry("lookups")
        self.lookup = self.registry.register("records")(FakeLookup("AB123"))
        patcher = mock.patch("forms.flows.handlers.lookups", self.registry)
        patcher.start()
        self.addCleanup(patcher.stop)

    def test_a_matching_answer_passes_and_the_lookup_sees_it_and_the_question(self):
        question, form = ask("short_text", {NAME: " AB123 "}, lookup="records")
        self.assertEqual(stored(question, form), "AB123")
        self.assertEqual(self.lookup.calls, [("AB123", question.value)])

    def test_lookup_failed_is_shown_as_the_error(self):
        _question, form = ask("short_text", {NAME: "ZZ999"}, lookup="records")
        self.assertEqual(error(form), "We have no record of that. Check it and try again")

    def test_whole_numbers_are_looked_up_as_ints(self):
        self.registry.register("count")(FakeLookup(42))
        question, form = ask("whole_number", {NAME: "42"}, lookup="count")
        self.assertEqual(stored(question, form), 42)
        _question, form = ask("whole_number", {NAME: "41"}, lookup="count")
        self.assertEqual(error(form), "We have no record of that. Check it and try again")

    def test_a_lookup_that_is_not_registered_is_ignored(self):
        question, form = ask("short_text", {NAME: "ZZ999"}, lookup="gone")
        self.assertEqual(stored(question, form), "ZZ999")

    def test_an_empty_optional_answer_is_not_looked_up(self):
        question, form = ask("short_text", {NAME: ""}, lookup="records", required=False)
        self.assertIsNone(stored(question, form))
        self.assertEqual(self.lookup.calls, [])

    def test_a_broken_answer_is_not_looked_up(self):
        _question, form = ask("short_text", {NAME: "AB1234"}, lookup="records", max_length=5)
        self.assertEqual(error(form), '"Your answer" must be 5 characters or fewer')
        self.assertEqual(self.lookup.calls, [])
