"""An address that is not in the council's list, typed by hand (GOV.UK's address pattern), and a
postcode that finds nothing: outside the council's area, in it with no addresses, or not real."""

from __future__ import annotations

import datetime

from bs4 import BeautifulSoup
from django.test import TestCase
from django.utils import translation

from forms.flows.handlers import LookupFailed, lookups, results
from forms.flows.questions import answer_for_display, error_anchor
from forms.places.models import Property
from tests.flows.test_question_types import NAME, ask, error, stored


def typed(line1="", line2="", town="", postcode="", lookup="", uprn="") -> dict[str, str]:
    """What a browser posts: every box, the closed "Enter address manually" ones too."""
    return {
        f"{NAME}-postcode": lookup,
        f"{NAME}-line1": line1,
        f"{NAME}-line2": line2,
        f"{NAME}-town": town,
        f"{NAME}-manual_postcode": postcode,
        **({f"{NAME}-uprn": uprn} if uprn else {}),
    }


class Addresses(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.home = Property.objects.create(
            uprn=100001,
            address_line_1="1 Mill Lane",
            postcode="FE1 1AA",
            ward="Riverside",
            bin_day=1,
            bin_week="A",
        )


class ManualAddressTests(Addresses):
    def test_an_address_typed_by_hand_is_kept_like_one_from_the_list_without_a_uprn(self):
        question, form = ask("address", typed("12 New Road", "", " Fernbridge ", "fe1 9zz"))
        answer = stored(question, form)
        self.assertIsNone(answer["uprn"])
        self.assertTrue(answer["entered_by_hand"])
        self.assertEqual(answer["address"], "12 New Road, Fernbridge, FE1 9ZZ")
        self.assertEqual(answer["postcode"], "FE1 9ZZ")
        self.assertEqual(answer_for_display(question, answer), "12 New Road, Fernbridge, FE1 9ZZ")

    def test_each_box_gets_its_own_govuk_message(self):
        _question, form = ask("address", typed(line2="Flat 3", postcode="nonsense"))
        self.assertFalse(form.is_valid())
        self.assertEqual(
            [str(e) for e in form.errors[NAME]],
            [
                "Enter address line 1, typically the building and street",
                "Enter town or city",
                "Enter a real postcode",
            ],
        )
        self.assertEqual(error_anchor(form[NAME]), f"id_{NAME}-line1")
        soup = BeautifulSoup(form[NAME].as_field_group(), "html.parser")
        self.assertTrue(soup.find("details").has_attr("open"))
        town = soup.find(id=f"id_{NAME}-town")
        self.assertIn("govuk-input--error", town["class"])
        message = soup.find(id=town["aria-describedby"]).get_text(" ", strip=True)
        self.assertEqual(message, "Error: Enter town or city")
        # The message is by its box, not once more at the top of the question.
        self.assertEqual(len(soup.find_all(string=lambda s: s and "Enter town or city" in s)), 1)

    def test_a_missing_postcode_and_too_long_lines(self):
        _question, form = ask("address", typed("x" * 101, "", "Fernbridge", ""))
        self.assertEqual(
            [str(e) for e in form.errors[NAME]],
            ["Address line 1 must be 100 characters or less", "Enter postcode"],
        )

    def test_the_boxes_have_labels_and_autocomplete_and_start_closed(self):
        _question, form = ask("address", {})
        soup = BeautifulSoup(form[NAME].as_field_group(), "html.parser")
        details = soup.find("details")
        self.assertFalse(details.has_attr("open"))
        self.assertEqual(details.summary.get_text(strip=True), "Enter address manually")
        boxes = {
            label.get_text(strip=True): soup.find(id=label["for"])["autocomplete"]
            for label in details.find_all("label")
        }
        self.assertEqual(
            boxes,
            {
                "Address line 1": "address-line1",
                "Address line 2 (optional)": "address-line2",
                "Town or city": "address-level2",
                "Postcode": "postal-code",
            },
        )

    def test_after_a_look_up_it_says_i_cannot_find_my_address(self):
        _question, form = ask("address", {f"{NAME}-postcode": "FE1 1AA"})
        soup = BeautifulSoup(form[NAME].as_field_group(), "html.parser")
        summary = soup.find("details").summary.get_text(strip=True)
        self.assertEqual(summary, "I can't find my address in the list")
        # The postcode already typed is offered again for the address typed by hand.
        self.assertEqual(soup.find(id=f"id_{NAME}-manual_postcode")["value"], "FE1 1AA")

    def test_a_stored_address_typed_by_hand_is_shown_again_for_change(self):
        question, form = ask("address", typed("12 New Road", "Colley", "Fernbridge", "FE1 9ZZ"))
        answer = stored(question, form)
        _again, form = ask("address")
        form = type(form)(initial={NAME: answer})
        soup = BeautifulSoup(form[NAME].as_field_group(), "html.parser")
        self.assertTrue(soup.find("details").has_attr("open"))
        self.assertEqual(soup.find(id=f"id_{NAME}-line2")["value"], "Colley")
        self.assertEqual(soup.find(id=f"id_{NAME}-manual_postcode")["value"], "FE1 9ZZ")

    def test_a_location_can_be_an_address_typed_by_hand(self):
        question, form = ask(
            "location",
            {
                **typed("Land behind 4 Mill Lane", "", "Fernbridge", "FE1 1AA"),
                f"{NAME}-description": "",
            },
        )
        answer = stored(question, form)
        self.assertIsNone(answer["uprn"])
        self.assertTrue(answer["entered_by_hand"])
        self.assertEqual(
            answer_for_display(question, answer), "Land behind 4 Mill Lane, Fernbridge, FE1 1AA"
        )
        _question, form = ask("location", {**typed(line1="Somewhere"), f"{NAME}-description": ""})
        self.assertEqual(str(form.errors[NAME][0]), "Enter town or city")

    def test_the_bin_day_look_up_says_it_cannot_find_collections_and_gives_the_phone(self):
        question, form = ask("address", typed("12 New Road", "", "Fernbridge", "FE1 9ZZ"))
        result = results["bin-day"].show(
            {"address": stored(question, form)}, today=datetime.date(2026, 11, 23)
        )
        self.assertEqual(
            result.heading, "We cannot find bin collections for an address entered by hand"
        )
        self.assertEqual(dict(result.rows)["Address"], "12 New Road, Fernbridge, FE1 9ZZ")
        self.assertIn("01632 960 100", result.note)

    def test_the_address_we_serve_check_refuses_it_with_a_message_not_a_crash(self):
        question, form = ask("address", typed("12 New Road", "", "Fernbridge", "FE1 9ZZ"))
        with self.assertRaisesMessage(LookupFailed, "Fernbridge"):
            lookups["address-in-area"].check(stored(question, form))

    def test_the_question_renders_in_every_language(self):
        for language in ["en", "cy", "pl", "ar"]:
            with self.subTest(language), translation.override(language):
                _question, form = ask("address", typed(line2="Flat 3"))
                soup = BeautifulSoup(form[NAME].as_field_group(), "html.parser")
                self.assertTrue(soup.find("details").summary.get_text(strip=True))
                self.assertEqual(len(soup.select(".govuk-details .govuk-error-message")), 3)


class UnknownPostcodeTests(Addresses):
    def test_a_postcode_outside_the_area_says_so_and_links_to_find_the_council(self):
        _question, form = ask("address", {f"{NAME}-postcode": "sw1a 1aa"})
        self.assertEqual(error(form), "SW1A 1AA is not in Fernbridge")
        soup = BeautifulSoup(form[NAME].as_field_group(), "html.parser")
        link = soup.find("a", string="Find the council for this address")
        self.assertEqual(link["href"], "https://www.gov.uk/find-local-council")
        self.assertEqual(error_anchor(form[NAME]), f"id_{NAME}-postcode")

    def test_a_postcode_in_the_area_with_no_addresses_offers_to_type_it(self):
        _question, form = ask("address", {f"{NAME}-postcode": "FE1 9ZZ"})
        self.assertEqual(
            error(form),
            "We cannot find any addresses for FE1 9ZZ. Check the postcode, "
            "or enter the address manually",
        )
        html = form[NAME].as_field_group()
        self.assertNotIn("Find the council for this address", html)
        self.assertIn("Enter address manually", html)

    def test_not_a_real_postcode(self):
        _question, form = ask("address", {f"{NAME}-postcode": "FE1 1AAA"})
        self.assertEqual(error(form), "Enter a real postcode")

    def test_the_area_is_read_from_the_address_list(self):
        Property.objects.create(
            uprn=900001,
            address_line_1="1 Border Road",
            postcode="FE9 1AA",
            ward="Westfield",
            bin_day=1,
            bin_week="A",
        )
        _question, form = ask("address", {f"{NAME}-postcode": "FE9 9ZZ"})
        self.assertIn("We cannot find any addresses for FE9 9ZZ", error(form))
