"""Post/Redirect/Get: every answer sent in a flow is answered with a redirect to a page, so
Back, Forward and Reload show a page (never "Confirm Form Resubmission") and nothing is sent
twice. A wrong answer's errors and what was typed are shown once, on the page redirected to."""

from django.test import override_settings

from forms.flows.signals import flow_event
from forms.places.models import Property
from tests.flows.factories import assert_goes_to, make_flow, page, question
from tests.flows.test_runtime import FlowTestCase, crime_number_flow


class FailedEvents:
    """The "step_failed" events the runtime sends, as (step, field)."""

    def __init__(self) -> None:
        self.failed: list[tuple[str, str]] = []

    def __call__(self, sender, kind, step, detail, **kwargs) -> None:
        if kind == "step_failed":
            self.failed.append((step, detail.get("field", "")))


class WrongAnswerTests(FlowTestCase):
    @classmethod
    def setUpTestData(cls):
        cls.flow = crime_number_flow()

    def setUp(self):
        self.events = FailedEvents()
        flow_event.connect(self.events)
        self.addCleanup(flow_event.disconnect, self.events)

    def test_a_wrong_answer_redirects_and_the_page_shows_its_errors_until_answered(self):
        self.client.get(self.base)
        self.answer("stolen", {"stolen-stolen": "yes"})
        response = self.answer(
            "contact", {"contact-full_name": "Sam Jones", "contact-email": "not-an-email"}
        )
        assert_goes_to(self, response, f"{self.base}contact/")
        self.assertEqual(self.events.failed, [("contact", "email")])

        shown = self.client.get(response["Location"])
        soup = self.soup(shown)
        self.assertTrue(soup.title.get_text().startswith("Error: "))
        summary = soup.select_one(".govuk-error-summary")
        self.assertIn("Enter an email address in the correct format", summary.get_text())
        self.assertEqual(
            soup.find("input", attrs={"name": "contact-email"})["value"], "not-an-email"
        )
        self.assertEqual(
            soup.find("input", attrs={"name": "contact-full_name"})["value"], "Sam Jones"
        )
        self.assertIn("no-store", shown["Cache-Control"])

        # Reload: the same page, what was typed and its error (as reloading a page rendered
        # from the POST would show), counted once
        again = self.soup(self.client.get(response["Location"]))
        self.assertIn("in the correct format", again.select_one(".govuk-error-summary").get_text())
        self.assertEqual(
            again.find("input", attrs={"name": "contact-email"})["value"], "not-an-email"
        )
        self.assertEqual(self.events.failed, [("contact", "email")])

        # Another page, then this one again: the error is gone, the kept answers shown
        self.client.get(f"{self.base}stolen/")
        later = self.soup(self.client.get(response["Location"]))
        self.assertIsNone(later.select_one(".govuk-error-summary"))

    def test_a_right_answer_after_a_wrong_one_moves_on(self):
        self.client.get(self.base)
        self.answer("stolen", {"stolen-stolen": ""})
        response = self.answer("stolen", {"stolen-stolen": "yes"})
        assert_goes_to(self, response, f"{self.base}crime-number/")

    def test_back_to_an_answered_page_shows_the_answer(self):
        self.client.get(self.base)
        self.answer("stolen", {"stolen-stolen": "yes"})
        self.answer("crime-number", {"crime-number-crime_number": "AB/123/26"})
        soup = self.soup(self.client.get(f"{self.base}crime-number/"))
        self.assertEqual(
            soup.find("input", attrs={"name": "crime-number-crime_number"})["value"], "AB/123/26"
        )

    def test_sending_an_end_point_redirects_to_it(self):
        self.client.get(self.base)
        self.answer("stolen", {"stolen-stolen": "no"})
        response = self.answer("cannot-order", {})
        assert_goes_to(self, response, f"{self.base}cannot-order/")

    def test_an_answer_after_the_session_ended_redirects_to_start_again(self):
        response = self.answer("crime-number", {"crime-number-crime_number": "AB/1"})
        self.assertEqual(response.status_code, 302)
        page = self.soup(self.client.get(response["Location"]))
        self.assertEqual(page.h1.get_text(strip=True), "You need to start again")

    def test_every_flow_form_carries_its_journey(self):
        response = self.client.get(self.base, follow=True)
        soup = self.soup(response)
        form = soup.find("form", attrs={"method": "post"})
        journey = form.find("input", attrs={"name": "journey"})["value"]
        self.assertTrue(journey)
        self.assertIn(f"journey={journey}", form["action"])
        self.assertIsNotNone(form.find("input", attrs={"name": "csrfmiddlewaretoken"}))


@override_settings(RATELIMIT_ENABLE=False)
class FindAddressTests(FlowTestCase):
    @classmethod
    def setUpTestData(cls):
        common = {"town": "Fernbridge", "bin_day": 1, "bin_week": "A", "ward": "Riverside"}
        Property.objects.create(
            uprn=100001, address_line_1="1 Mill Lane", postcode="FE1 1AA", **common
        )
        Property.objects.create(
            uprn=100002, address_line_1="2 Mill Lane", postcode="FE1 1AA", **common
        )
        cls.flow = make_flow(
            [
                page("where", question("address", "address", "What is the address?")),
                page("contact", question("email", "email", "Email address")),
            ]
        )

    def test_find_address_redirects_and_the_page_lists_the_addresses(self):
        self.client.get(self.base)
        response = self.answer(
            "where",
            {"where-address-postcode": "fe1 1aa", "find_address": "where-address"},
        )
        assert_goes_to(self, response, f"{self.base}where/")
        shown = self.client.get(response["Location"])
        soup = self.soup(shown)
        self.assertIsNone(soup.select_one(".govuk-error-summary"))
        self.assertIn("2 addresses found", soup.get_text())
        self.assertIsNotNone(soup.find("option", attrs={"value": "100002"}))
        response = self.answer(
            "where", {"where-address-postcode": "FE1 1AA", "where-address-uprn": "100002"}
        )
        assert_goes_to(self, response, f"{self.base}contact/")
