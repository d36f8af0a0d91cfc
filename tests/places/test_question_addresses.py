"""Address and location: a postcode, "Find address", then one of the council's addresses."""

from __future__ import annotations

from typing import Any
from unittest import mock

from django.test import TestCase

from core.registry import Registry
from forms.flows.handlers import LookupFailed
from forms.flows.questions import CHOOSE_ADDRESS_MESSAGES, answer_for_display, error_anchor
from forms.places.models import Property
from tests.flows.test_question_types import NAME, ask, error, stored


def address(postcode: str = "", uprn: str = "", description: str | None = None) -> dict:
    data = {f"{NAME}-postcode": postcode, f"{NAME}-uprn": uprn}
    if description is not None:
        data[f"{NAME}-description"] = description
    return data


class CouncilAddresses(TestCase):
    @classmethod
    def setUpTestData(cls):
        common = {"town": "Fernbridge", "bin_day": 1, "bin_week": "A"}
        cls.first = Property.objects.create(
            uprn=100001,
            address_line_1="1 Mill Lane",
            postcode="FE1 1AA",
            ward="Riverside",
            **common,
        )
        cls.second = Property.objects.create(
            uprn=100002,
            address_line_1="2 Mill Lane",
            postcode="FE1 1AA",
            ward="Riverside",
            **common,
        )
        cls.elsewhere = Property.objects.create(
            uprn=200001, address_line_1="9 Hill Road", postcode="FE2 2BB", ward="Uplands", **common
        )


class AddressTests(CouncilAddresses):
    def test_an_address_in_the_postcode_is_kept_with_its_uprn_and_ward(self):
        for typed in ["FE1 1AA", "fe1 1aa", "FE11AA", "  fe1  1aa "]:
            with self.subTest(typed):
                question, form = ask("address", address(typed, "100002"))
                answer = stored(question, form)
                self.assertEqual(
                    answer,
                    {
                        "uprn": 100002,
                        "address": "2 Mill Lane, Fernbridge, FE1 1AA",
                        "postcode": "FE1 1AA",
                        "ward": "Riverside",
                    },
                )
                self.assertEqual(
                    answer_for_display(question, answer), "2 Mill Lane, Fernbridge, FE1 1AA"
                )

    def test_a_postcode_alone_asks_for_an_address_and_lists_them(self):
        _question, form = ask("address", address("fe1 1aa"))
        self.assertEqual(error(form), "Select your address")
        self.assertIn("Select your address", CHOOSE_ADDRESS_MESSAGES)
        html = form[NAME].as_field_group()
        self.assertIn("2 addresses found", html)
        self.assertInHTML('<option value="100001">1 Mill Lane, Fernbridge, FE1 1AA</option>', html)
        self.assertNotIn("9 Hill Road", html)
        self.assertEqual(error_anchor(form[NAME]), f"id_{NAME}-uprn")

    def test_an_address_from_another_postcode_is_refused(self):
        _question, form = ask("address", address("FE1 1AA", "200001"))
        self.assertEqual(error(form), "Select your address")
        _question, form = ask("address", address("FE1 1AA", "not-a-uprn"))
        self.assertEqual(error(form), "Select your address")

    def test_a_postcode_with_no_addresses(self):
        _question, form = ask("address", address("fe1 9zz"))
        self.assertEqual(
            error(form),
            "We cannot find any addresses for FE1 9ZZ. Check the postcode, "
            "or enter the address manually",
        )
        self.assertEqual(error_anchor(form[NAME]), f"id_{NAME}-postcode")

    def test_not_a_postcode(self):
        for typed in ["FE1", "hello", "FE1 1AAA"]:
            with self.subTest(typed):
                _question, form = ask("address", address(typed))
                self.assertEqual(error(form), "Enter a real postcode")

    def test_nothing_typed(self):
        _question, form = ask("address", address())
        self.assertEqual(error(form), "Enter a postcode")
        _question, form = ask(
            "address", address(), required_message="Enter the postcode of the property"
        )
        self.assertEqual(error(form), "Enter the postcode of the property")
        question, form = ask("address", address(), required=False)
        self.assertIsNone(stored(question, form))

    def test_the_find_address_button_names_the_field(self):
        _question, form = ask("address", {})
        self.assertInHTML(
            '<button type="submit" class="govuk-button govuk-button--secondary" '
            f'data-module="govuk-button" name="find_address" value="{NAME}">Find address</button>',
            form[NAME].as_field_group(),
        )

    def test_a_lookup_sees_the_stored_address(self):
        class OnlyRiverside:
            title = "Riverside only"

            def check(self, value: Any, question: Any = None) -> dict[str, Any]:
                if value["ward"] != "Riverside":
                    raise LookupFailed("We only collect from Riverside")
                return {}

        registry: Registry = Registry("lookups")
        registry.register("riverside")(OnlyRiverside())
        with mock.patch("forms.flows.handlers.lookups", registry):
            question, form = ask("address", address("FE1 1AA", "100001"), lookup="riverside")
            self.assertEqual(stored(question, form)["uprn"], 100001)
            _question, form = ask("address", address("FE2 2BB", "200001"), lookup="riverside")
            self.assertEqual(error(form), "We only collect from Riverside")


class LocationTests(CouncilAddresses):
    def test_an_address(self):
        question, form = ask("location", address("fe2 2bb", "200001", ""))
        answer = stored(question, form)
        self.assertEqual(
            answer,
            {
                "uprn": 200001,
                "address": "9 Hill Road, Fernbridge, FE2 2BB",
                "postcode": "FE2 2BB",
                "description": "",
            },
        )
        self.assertEqual(answer_for_display(question, answer), "9 Hill Road, Fernbridge, FE2 2BB")

    def test_a_description(self):
        question, form = ask("location", address("", "", "  Behind the library car park "))
        answer = stored(question, form)
        self.assertEqual(
            answer,
            {
                "uprn": None,
                "address": "",
                "postcode": "",
                "description": "Behind the library car park",
            },
        )
        self.assertEqual(answer_for_display(question, answer), "Behind the library car park")

    def test_an_address_and_a_description(self):
        question, form = ask("location", address("FE1 1AA", "100001", "On the pavement outside"))
        answer = stored(question, form)
        self.assertEqual(answer["uprn"], 100001)
        self.assertEqual(
            answer_for_display(question, answer),
            "1 Mill Lane, Fernbridge, FE1 1AA\nOn the pavement outside",
        )

    def test_a_postcode_alone_asks_to_choose_or_describe(self):
        _question, form = ask("location", address("FE1 1AA", "", ""))
        self.assertEqual(error(form), "Choose an address or describe where it is")
        self.assertIn("Choose an address or describe where it is", CHOOSE_ADDRESS_MESSAGES)
        self.assertIn("2 addresses found", form[NAME].as_field_group())

    def test_a_wrong_postcode_without_a_description(self):
        _question, form = ask("location", address("FE1", "", ""))
        self.assertEqual(error(form), "Enter a real postcode")
        _question, form = ask("location", address("FE2 9ZZ", "", ""))
        self.assertEqual(
            error(form),
            "We cannot find any addresses for FE2 9ZZ. Check the postcode, "
            "or enter the address manually",
        )
        _question, form = ask("location", address("FE9 9ZZ", "", ""))
        self.assertEqual(error(form), "FE9 9ZZ is not in Fernbridge")

    def test_an_address_from_another_postcode_is_refused(self):
        _question, form = ask("location", address("FE1 1AA", "200001", ""))
        self.assertEqual(error(form), "Choose an address or describe where it is")

    def test_nothing_given(self):
        _question, form = ask("location", address("", "", ""))
        self.assertEqual(error(form), "Choose an address or describe where it is")
        self.assertEqual(error_anchor(form[NAME]), f"id_{NAME}-postcode")
        _question, form = ask("location", address("", "", ""), required_message="Tell us where")
        self.assertEqual(error(form), "Tell us where")
        question, form = ask("location", address("", "", ""), required=False)
        self.assertIsNone(stored(question, form))

    def test_a_description_that_is_too_long(self):
        _question, form = ask("location", address("", "", "x" * 1201))
        self.assertEqual(error(form), "The description must be 1200 characters or fewer")
        self.assertEqual(error_anchor(form[NAME]), f"id_{NAME}-description")
