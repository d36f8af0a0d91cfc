"""Pressing Enter in the postcode box finds the addresses, as "Find address" does.

A browser submits a form on Enter with its first submit button, and a question page's first
button is Continue. These tests post what chromium posts then: the postcode, the boxes of the
closed "Enter address manually" (empty), no button name."""

from __future__ import annotations

from bs4 import BeautifulSoup
from django.test import TestCase

from forms.flows.questions.addresses import address_to_look_up
from forms.places.models import Property
from tests.flows.factories import make_flow, page, question
from tests.flows.test_question_types import NAME, ask, error

BASE = "/bins/bulky-waste/apply/"
FIELD = "where-address"
EMPTY_MANUAL = {f"{FIELD}-{part}": "" for part in ("line1", "line2", "town", "manual_postcode")}


class AddressPage(TestCase):
    @classmethod
    def setUpTestData(cls):
        for uprn, line in [(100001, "2 Mill Lane"), (100002, "10 Mill Lane")]:
            Property.objects.create(
                uprn=uprn,
                address_line_1=line,
                postcode="FE1 1AA",
                ward="Riverside",
                bin_day=1,
                bin_week="A",
            )
        cls.flow = make_flow(
            [
                page("where", question("address", "address", "What is the address?")),
                page("contact", question("short_text", "full_name", "Full name")),
            ]
        )

    def post(self, data: dict[str, str]):
        self.client.get(BASE, follow=True)
        management = {f"flow-{self.flow.pk}-current_step": "where"}
        return self.client.post(f"{BASE}where/", {**management, **data}, follow=True)

    def soup(self, response) -> BeautifulSoup:
        return BeautifulSoup(response.content, "html.parser")


class EnterInThePostcodeBoxTests(AddressPage):
    def test_the_form_names_the_question_to_look_up(self):
        _question, form = ask("address", {f"{NAME}-postcode": "fe1 1aa"})
        self.assertFalse(form.is_valid())
        self.assertEqual(address_to_look_up(form), NAME)
        # Once the list for that postcode was shown, no address chosen is a mistake.
        _question, form = ask(
            "address", {f"{NAME}-postcode": "fe1 1aa", f"{NAME}-searched": "FE1 1AA"}
        )
        self.assertEqual(error(form), "Select your address")
        self.assertEqual(address_to_look_up(form), "")

    def test_enter_shows_the_addresses_without_an_error(self):
        response = self.post({f"{FIELD}-postcode": "fe1 1aa", **EMPTY_MANUAL})
        soup = self.soup(response)
        self.assertIn("2 addresses found", soup.get_text())
        self.assertIsNone(soup.find(class_="govuk-error-summary"))
        self.assertEqual(response.wsgi_request.path, f"{BASE}where/")

    def test_continue_after_the_list_was_shown_asks_to_select_an_address(self):
        response = self.post(
            {
                f"{FIELD}-postcode": "FE1 1AA",
                f"{FIELD}-searched": "FE1 1AA",
                f"{FIELD}-uprn": "",
                **EMPTY_MANUAL,
            }
        )
        summary = self.soup(response).find(class_="govuk-error-summary")
        self.assertIn("Select your address", summary.get_text())

    def test_find_address_lists_them_in_reading_order_with_the_postcode_it_listed(self):
        response = self.post(
            {f"{FIELD}-postcode": "fe1 1aa", "find_address": FIELD, **EMPTY_MANUAL}
        )
        soup = self.soup(response)
        self.assertIsNone(soup.find(class_="govuk-error-summary"))
        options = [o.get_text() for o in soup.select(f"#id_{FIELD}-uprn option")][1:]
        self.assertEqual(
            options, ["2 Mill Lane, Fernbridge, FE1 1AA", "10 Mill Lane, Fernbridge, FE1 1AA"]
        )
        self.assertEqual(
            soup.find("input", attrs={"name": f"{FIELD}-searched"})["value"], "FE1 1AA"
        )

    def test_choosing_an_address_then_continue_goes_on(self):
        response = self.post(
            {
                f"{FIELD}-postcode": "FE1 1AA",
                f"{FIELD}-searched": "FE1 1AA",
                f"{FIELD}-uprn": "100002",
                **EMPTY_MANUAL,
            }
        )
        self.assertEqual(response.wsgi_request.path, f"{BASE}contact/")


class UnknownPostcodeOnThePageTests(AddressPage):
    def find(self, postcode: str) -> BeautifulSoup:
        response = self.post({f"{FIELD}-postcode": postcode, "find_address": FIELD, **EMPTY_MANUAL})
        self.assertEqual(response.status_code, 200)
        return self.soup(response)

    def test_outside_the_area(self):
        soup = self.find("SW1A 1AA")
        self.assertIn(
            "SW1A 1AA is not in Fernbridge", soup.find(class_="govuk-error-summary").get_text()
        )
        link = soup.find("a", string="Find the council for this address")
        self.assertEqual(link["href"], "https://www.gov.uk/find-local-council")

    def test_in_the_area_with_no_addresses(self):
        soup = self.find("FE1 9ZZ")
        self.assertIn(
            "We cannot find any addresses for FE1 9ZZ",
            soup.find(class_="govuk-error-summary").get_text(),
        )
        self.assertIsNone(soup.find("a", string="Find the council for this address"))

    def test_not_a_real_postcode(self):
        soup = self.find("FE1 1AAA")
        self.assertIn("Enter a real postcode", soup.find(class_="govuk-error-summary").get_text())


class TypedByHandOnThePageTests(AddressPage):
    def test_an_address_typed_by_hand_goes_on_and_shows_on_check_your_answers(self):
        response = self.post(
            {
                f"{FIELD}-postcode": "FE1 9ZZ",
                f"{FIELD}-line1": "12 New Road",
                f"{FIELD}-line2": "",
                f"{FIELD}-town": "Fernbridge",
                f"{FIELD}-manual_postcode": "fe1 9zz",
            }
        )
        self.assertEqual(response.wsgi_request.path, f"{BASE}contact/")
        management = {f"flow-{self.flow.pk}-current_step": "contact"}
        self.client.post(f"{BASE}contact/", {**management, "contact-full_name": "Sam Jones"})
        answers = self.client.get(f"{BASE}check-your-answers/")
        self.assertIn("12 New Road, Fernbridge, FE1 9ZZ", self.soup(answers).get_text())
