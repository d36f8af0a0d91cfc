"""The GOV.UK markup a resident (and their screen reader) gets for each question type."""

from __future__ import annotations

from html.parser import HTMLParser

from django.test import SimpleTestCase

from forms.flows.questions import error_anchor
from tests.flows.test_question_types import NAME, ask

OPTIONS = [{"label": "Sofa", "hint": "Any size"}, {"label": "Mattress", "hint": ""}]

EVERY_TYPE = {
    "short_text": {"max_length": 5, "min_length": 2, "pattern": "^[a-z]+$"},
    "long_text": {"max_length": 20},
    "email": {},
    "uk_phone": {},
    "whole_number": {"min_value": 1, "max_value": 9},
    "money": {"min_amount": "1", "max_amount": "9"},
    "date": {"must_be": "past"},
    "radios": {"options": OPTIONS},
    "checkboxes": {"options": OPTIONS},
    "select": {"options": OPTIONS},
    "yes_no": {},
    "quantity": {"unit": "bins", "max_value": 4},
    "address": {},
    "location": {},
    "file_upload": {},
    "declaration": {"statement": "It is true."},
}


class Elements(HTMLParser):
    """Every start tag with its attributes, in order."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def find(self, tag: str, **attrs: str) -> dict[str, str | None]:
        for name, found in self.tags:
            if name == tag and all(found.get(k.replace("_", "-")) == v for k, v in attrs.items()):
                return found
        raise AssertionError(f"no <{tag}> with {attrs}")


def rendered(block_type: str, data: dict | None = None, heading: bool = False, **settings) -> str:
    _question, form = ask(block_type, data if data is not None else {}, **settings)
    form.is_valid()
    if heading:
        form.fields[NAME].is_page_heading = True
    return form[NAME].as_field_group()


class NoBrowserValidationTests(SimpleTestCase):
    def test_no_html5_validation_on_any_type(self):
        for block_type, settings in EVERY_TYPE.items():
            with self.subTest(block_type):
                elements = Elements(rendered(block_type, {}, **settings))
                for tag, attrs in elements.tags:
                    for banned in ["required", "maxlength", "minlength", "pattern", "min", "max"]:
                        self.assertNotIn(banned, attrs, f"<{tag}> has {banned}")
                    self.assertNotEqual(attrs.get("type"), "number")
                    self.assertNotIn("style", attrs)
                self.assertNotIn("<script", rendered(block_type, {}, **settings))

    def test_every_type_shows_its_error_in_a_govuk_form_group(self):
        for block_type, settings in EVERY_TYPE.items():
            with self.subTest(block_type):
                html = rendered(block_type, {}, **settings)
                elements = Elements(html)
                self.assertIn("govuk-form-group--error", elements.tags[0][1]["class"])
                message = elements.find("p", id=f"id_{NAME}-error")
                self.assertEqual(message["class"], "govuk-error-message")
                self.assertIn('<span class="govuk-visually-hidden">Error:</span>', html)
                described = " ".join(a.get("aria-describedby") or "" for _t, a in elements.tags)
                self.assertIn(f"id_{NAME}-error", described.split())


class InputTests(SimpleTestCase):
    def test_an_answer_with_an_error_is_kept_and_described(self):
        html = rendered("short_text", {NAME: "Too long"}, hint="Up to 5 letters", max_length=5)
        elements = Elements(html)
        box = elements.find("input", name=NAME)
        self.assertEqual(box["value"], "Too long")
        self.assertEqual(box["class"], "govuk-input govuk-input--error")
        self.assertEqual(box["aria-describedby"], f"id_{NAME}-hint id_{NAME}-error")
        self.assertEqual(elements.find("div", id=f"id_{NAME}-hint")["class"], "govuk-hint")
        self.assertIn("must be 5 characters or fewer", html)

    def test_without_an_error(self):
        html = rendered("short_text", {NAME: "Ann"}, width="10")
        self.assertNotIn("error", html)
        box = Elements(html).find("input", name=NAME)
        self.assertEqual(box["class"], "govuk-input govuk-input--width-10")
        self.assertNotIn("aria-describedby", box)

    def test_the_label_as_the_page_heading(self):
        html = rendered("short_text", {NAME: "Ann"}, heading=True, label="What is your name?")
        self.assertInHTML(
            '<h1 class="govuk-label-wrapper"><label class="govuk-label govuk-label--l" '
            f'for="id_{NAME}">What is your name?</label></h1>',
            html,
        )

    def test_input_types_as_gov_uk_uses_them(self):
        email = Elements(rendered("email")).find("input", name=NAME)
        self.assertEqual((email["type"], email["spellcheck"]), ("email", "false"))
        phone = Elements(rendered("uk_phone")).find("input", name=NAME)
        self.assertEqual((phone["type"], phone["autocomplete"]), ("tel", "tel"))
        number = Elements(rendered("whole_number")).find("input", name=NAME)
        self.assertEqual((number["type"], number["inputmode"]), ("text", "numeric"))

    def test_money_has_a_pound_sign_and_quantity_its_unit(self):
        self.assertInHTML(
            '<div class="govuk-input__prefix" aria-hidden="true">£</div>', rendered("money")
        )
        self.assertInHTML(
            '<div class="govuk-input__suffix" aria-hidden="true">bins</div>',
            rendered("quantity", unit="bins"),
        )

    def test_long_text_has_a_character_count_without_maxlength(self):
        html = rendered("long_text", {NAME: "x" * 21}, max_length=20)
        elements = Elements(html)
        group = elements.tags[0][1]
        self.assertEqual(group["data-module"], "govuk-character-count")
        self.assertEqual(group["data-maxlength"], "20")
        area = elements.find("textarea", name=NAME)
        self.assertIn("govuk-js-character-count", area["class"])
        self.assertEqual(area["aria-describedby"], f"id_{NAME}-info id_{NAME}-error")
        self.assertIn("You can enter up to 20 characters", html)
        self.assertIn("x" * 21, html)

    def test_file_upload_says_what_it_takes(self):
        html = rendered("file_upload", max_size_mb=5, allow_pdf=False)
        self.assertIn("The file must be a JPG or PNG and smaller than 5MB.", html)
        self.assertEqual(
            Elements(html).find("input", name=NAME)["class"],
            "govuk-file-upload govuk-file-upload--error",
        )


class GroupedInputTests(SimpleTestCase):
    def test_radios_keep_the_choice_and_show_option_hints(self):
        html = rendered("radios", {NAME: "Mattress"}, options=OPTIONS, hint="Choose one")
        elements = Elements(html)
        self.assertEqual(elements.find("fieldset")["aria-describedby"], f"id_{NAME}-hint")
        first = elements.find("input", id=f"id_{NAME}")
        self.assertEqual(first["aria-describedby"], f"id_{NAME}-item-hint")
        self.assertNotIn("checked", first)
        self.assertIn("checked", elements.find("input", id=f"id_{NAME}-2"))
        self.assertInHTML(
            f'<div id="id_{NAME}-item-hint" class="govuk-hint govuk-radios__hint">Any size</div>',
            html,
        )

    def test_the_legend_as_the_page_heading(self):
        html = rendered("yes_no", heading=True, label="Is this your home?")
        self.assertInHTML(
            '<legend class="govuk-fieldset__legend govuk-fieldset__legend--l">'
            '<h1 class="govuk-fieldset__heading">Is this your home?</h1></legend>',
            html,
        )
        self.assertIn("govuk-radios govuk-radios--inline", html)

    def test_checkboxes_keep_what_was_ticked(self):
        elements = Elements(rendered("checkboxes", {NAME: ["Mattress"]}, options=OPTIONS))
        self.assertIn("checked", elements.find("input", value="Mattress"))
        self.assertNotIn("checked", elements.find("input", value="Sofa"))

    def test_a_date_keeps_its_boxes_and_marks_the_one_at_fault(self):
        data = {f"{NAME}-day": "4", f"{NAME}-month": "", f"{NAME}-year": "2020"}
        elements = Elements(rendered("date", data))
        fieldset = elements.find("fieldset")
        self.assertEqual(fieldset["role"], "group")
        self.assertEqual(fieldset["aria-describedby"], f"id_{NAME}-hint id_{NAME}-error")
        day = elements.find("input", id=f"id_{NAME}-day")
        self.assertEqual(day["value"], "4")
        self.assertNotIn("govuk-input--error", day["class"])
        self.assertIn("govuk-input--error", elements.find("input", id=f"id_{NAME}-month")["class"])
        self.assertEqual(elements.find("input", id=f"id_{NAME}-year")["value"], "2020")

    def test_the_declaration_shows_the_statement_beside_one_checkbox(self):
        html = rendered("declaration", statement="The information I have given is correct.")
        elements = Elements(html)
        self.assertEqual(len([t for t, a in elements.tags if t == "input"]), 1)
        self.assertInHTML(
            f'<label class="govuk-label govuk-checkboxes__label" for="id_{NAME}">'
            "The information I have given is correct.</label>",
            html,
        )


class ErrorAnchorTests(SimpleTestCase):
    def anchor(self, block_type: str, data: dict | None = None, **settings) -> str:
        _question, form = ask(block_type, data or {}, **settings)
        form.is_valid()
        return error_anchor(form[NAME])

    def test_the_error_summary_links_to_the_first_thing_to_fix(self):
        self.assertEqual(self.anchor("short_text"), f"id_{NAME}")
        self.assertEqual(self.anchor("radios", options=OPTIONS), f"id_{NAME}")
        self.assertEqual(self.anchor("checkboxes", options=OPTIONS), f"id_{NAME}")
        self.assertEqual(self.anchor("declaration", statement="Yes"), f"id_{NAME}")
        self.assertEqual(self.anchor("date"), f"id_{NAME}-day")
        self.assertEqual(self.anchor("address"), f"id_{NAME}-postcode")
        self.assertEqual(self.anchor("location"), f"id_{NAME}-postcode")

    def test_every_link_goes_to_a_box_in_the_page(self):
        for block_type, settings in EVERY_TYPE.items():
            with self.subTest(block_type):
                _question, form = ask(block_type, {}, **settings)
                form.is_valid()
                anchor = error_anchor(form[NAME])
                tags = Elements(form[NAME].as_field_group()).tags
                self.assertIn(
                    anchor, [a.get("id") for t, a in tags if t in ("input", "select", "textarea")]
                )
