"""A resident goes through a flow: question pages, branching, end points, check your answers,
Change links, sending once, and starting again after a session expires."""

from bs4 import BeautifulSoup
from django.core import mail
from django.test import TestCase

from forms.flows.constants import SubmissionStatus
from forms.flows.models import Submission
from forms.flows.questions import StepForm
from forms.flows.runtime.steps import FlowSteps
from tests.flows.factories import assert_goes_to, end_point, make_flow, page, question

NO_CONDITION = {"question": "", "answer": "", "negate": False}


def crime_number_flow(**fields):
    return make_flow(
        [
            page(
                "stolen",
                question(
                    "yes_no",
                    "stolen",
                    "Was your bin stolen?",
                    required_message="Select yes if your bin was stolen",
                ),
            ),
            page(
                "crime-number",
                question(
                    "short_text",
                    "crime_number",
                    "What is the crime number?",
                    required_message="Enter the crime number",
                ),
                show_if={"question": "stolen", "answer": "yes", "negate": False},
            ),
            end_point(
                "cannot-order",
                "You cannot order a bin online",
                "Call 01632 960 100.",
                show_if={"question": "stolen", "answer": "no", "negate": False},
            ),
            page(
                "contact",
                question(
                    "short_text", "full_name", "Full name", required_message="Enter your name"
                ),
                question("email", "email", "Email address", required_message="Enter your email"),
                heading="Your contact details",
            ),
        ],
        what_happens_next="<p>We deliver within 10 working days.</p>",
        **fields,
    )


class FlowTestCase(TestCase):
    base = "/bins/bulky-waste/apply/"

    def soup(self, response) -> BeautifulSoup:
        return BeautifulSoup(response.content, "html.parser")

    def answer(self, step: str, data: dict, follow: bool = False):
        management = {f"flow-{self.flow.pk}-current_step": step}
        return self.client.post(f"{self.base}{step}/", {**management, **data}, follow=follow)

    def go_to_check_answers(self):
        self.client.get(self.base)
        self.answer("stolen", {"stolen-stolen": "yes"})
        self.answer("crime-number", {"crime-number-crime_number": "AB/123/26"})
        self.answer(
            "contact", {"contact-full_name": "Sam Jones", "contact-email": "sam@example.org"}
        )
        return self.client.get(f"{self.base}check-your-answers/")

    def token(self, response) -> str:
        return self.soup(response).find("input", attrs={"name": "token"})["value"]


class FlowStepsTests(FlowTestCase):
    def test_every_page_of_a_flow_is_a_step_form_end_points_included(self):
        # The wizard reads answers, files and errors through StepForm's own methods.
        forms = FlowSteps(crime_number_flow()).form_list()
        self.assertIn("cannot-order", forms)
        for step, form_class in forms.items():
            with self.subTest(step):
                self.assertTrue(issubclass(form_class, StepForm))


class QuestionPageTests(FlowTestCase):
    @classmethod
    def setUpTestData(cls):
        cls.flow = crime_number_flow()

    def test_start_goes_to_the_first_question(self):
        response = self.client.get(self.base)
        assert_goes_to(self, response, f"{self.base}stolen/")

    def test_question_page_follows_the_gov_uk_pattern(self):
        response = self.client.get(self.base, follow=True)
        soup = self.soup(response)
        self.assertEqual(soup.select_one(".govuk-back-link")["href"], "/bins/bulky-waste/")
        self.assertIn("Was your bin stolen?", soup.h1.get_text())
        form = soup.find("form", attrs={"method": "post"})
        self.assertTrue(form.has_attr("novalidate"))
        self.assertEqual(form.select("[required]"), [])
        self.assertEqual(form.select_one("button").get_text(strip=True), "Continue")

    def test_an_error_is_summarised_titled_and_linked_and_answers_are_kept(self):
        self.client.get(self.base)
        self.answer("stolen", {"stolen-stolen": "yes"})
        response = self.answer("crime-number", {"crime-number-crime_number": ""}, follow=True)
        self.assertEqual(response.status_code, 200)
        soup = self.soup(response)
        self.assertTrue(soup.title.get_text().startswith("Error: "))
        summary = soup.select_one(".govuk-error-summary")
        link = summary.find("a")
        self.assertEqual(link.get_text(strip=True), "Enter the crime number")
        self.assertIsNotNone(soup.find(id=link["href"][1:]))

        response = self.answer(
            "contact",
            {"contact-full_name": "Sam Jones", "contact-email": "not-an-email"},
            follow=True,
        )
        soup = self.soup(response)
        self.assertEqual(
            soup.find("input", attrs={"name": "contact-full_name"})["value"], "Sam Jones"
        )
        self.assertEqual(
            soup.find("input", attrs={"name": "contact-email"})["value"], "not-an-email"
        )

    def test_branching_skips_a_page_that_does_not_apply(self):
        self.client.get(self.base)
        response = self.answer("stolen", {"stolen-stolen": "yes"})
        assert_goes_to(self, response, f"{self.base}crime-number/")

    def test_an_end_point_stops_the_flow_with_its_reason(self):
        self.client.get(self.base)
        response = self.answer("stolen", {"stolen-stolen": "no"}, follow=True)
        soup = self.soup(response)
        self.assertEqual(soup.h1.get_text(strip=True), "You cannot order a bin online")
        self.assertIn("Call 01632 960 100.", soup.main.get_text())
        # no way on: the only button asks for feedback
        buttons = [b.get_text(strip=True) for b in soup.main.find_all("button")]
        self.assertEqual(buttons, ["Send feedback"])
        # and the check page cannot be reached round it
        response = self.client.get(f"{self.base}check-your-answers/")
        assert_goes_to(self, response, f"{self.base}cannot-order/")

    def test_a_stale_or_tampered_form_goes_back_to_the_current_page(self):
        self.client.get(self.base)
        response = self.client.post(f"{self.base}stolen/", {"stolen-stolen": "yes"})
        self.assertEqual(response.status_code, 302)
        response = self.client.post(
            f"{self.base}crime-number/", {f"flow-{self.flow.pk}-current_step": "crime-number"}
        )
        self.assertEqual(response.status_code, 302)

    def test_an_unknown_page_goes_to_the_first_question(self):
        self.client.get(self.base)
        response = self.client.get(f"{self.base}no-such-step/")
        assert_goes_to(self, response, f"{self.base}stolen/")


class CheckAnswersTests(FlowTestCase):
    @classmethod
    def setUpTestData(cls):
        cls.flow = crime_number_flow()

    def test_check_answers_lists_each_question_as_asked_with_change_links(self):
        soup = self.soup(self.go_to_check_answers())
        rows = [
            (
                r.dt.get_text(strip=True),
                r.select_one(".govuk-summary-list__value").get_text(strip=True),
            )
            for r in soup.select(".govuk-summary-list__row")
        ]
        self.assertEqual(
            rows,
            [
                ("Was your bin stolen?", "Yes"),
                ("What is the crime number?", "AB/123/26"),
                ("Full name", "Sam Jones"),
                ("Email address", "sam@example.org"),
            ],
        )
        change = soup.select(".govuk-summary-list__actions a")[1]
        self.assertTrue(change["href"].startswith(f"{self.base}crime-number/?journey="))
        self.assertTrue(change["href"].endswith("&change=1"))
        self.assertIn("what is the crime number?", change.get_text())

    def test_change_returns_to_check_answers(self):
        self.go_to_check_answers()
        page = self.client.get(f"{self.base}crime-number/?change=1")
        self.assertTrue(
            self.soup(page)
            .select_one(".govuk-back-link")["href"]
            .startswith(f"{self.base}check-your-answers/?journey=")
        )
        response = self.answer("crime-number", {"crime-number-crime_number": "XY/999/26"})
        assert_goes_to(self, response, f"{self.base}check-your-answers/")
        self.assertContains(self.client.get(f"{self.base}check-your-answers/"), "XY/999/26")

    def test_a_change_that_opens_an_end_point_stops_there(self):
        self.go_to_check_answers()
        self.client.get(f"{self.base}stolen/?change=1")
        response = self.answer("stolen", {"stolen-stolen": "no"}, follow=True)
        self.assertEqual(
            self.soup(response).h1.get_text(strip=True), "You cannot order a bin online"
        )


class SendingTests(FlowTestCase):
    @classmethod
    def setUpTestData(cls):
        cls.flow = crime_number_flow()

    def test_sending_saves_one_request_with_a_reference_and_emails_the_resident(self):
        token = self.token(self.go_to_check_answers())
        response = self.client.post(f"{self.base}check-your-answers/", {"token": token})
        self.assertRedirects(response, f"{self.base}confirmation/", fetch_redirect_response=False)
        submission = Submission.objects.get()
        self.assertRegex(submission.reference, r"^FCC-[2-9A-HJKMNP-TW-Z]{4}-[2-9A-HJKMNP-TW-Z]{4}$")
        self.assertEqual(submission.status, SubmissionStatus.RECEIVED)
        self.assertEqual(submission.contact_email, "sam@example.org")
        self.assertEqual(submission.language, "en-gb")
        self.assertEqual(
            [(a["label"], a["value"]) for a in submission.answers],
            [
                ("Was your bin stolen?", "yes"),
                ("What is the crime number?", "AB/123/26"),
                ("Full name", "Sam Jones"),
                ("Email address", "sam@example.org"),
            ],
        )
        self.assertEqual(submission.events.count(), 1)

        confirmation = self.soup(self.client.get(f"{self.base}confirmation/"))
        self.assertIn(submission.reference, confirmation.select_one(".govuk-panel").get_text())
        self.assertIn("We deliver within 10 working days.", confirmation.main.get_text())
        self.assertEqual(len(mail.outbox), 1)
        self.assertIn(submission.reference, mail.outbox[0].subject + mail.outbox[0].body)
        self.assertEqual(mail.outbox[0].to, ["sam@example.org"])

    def test_double_click_refresh_and_back_then_send_make_one_request(self):
        token = self.token(self.go_to_check_answers())
        for _ in range(3):
            response = self.client.post(f"{self.base}check-your-answers/", {"token": token})
            self.assertRedirects(
                response, f"{self.base}confirmation/", fetch_redirect_response=False
            )
        self.assertEqual(Submission.objects.count(), 1)
        self.assertEqual(len(mail.outbox), 1)

    def test_a_second_request_started_afresh_is_a_new_request(self):
        first = self.token(self.go_to_check_answers())
        self.client.post(f"{self.base}check-your-answers/", {"token": first})
        second = self.token(self.go_to_check_answers())
        self.assertNotEqual(first, second)
        self.client.post(f"{self.base}check-your-answers/", {"token": second})
        self.assertEqual(Submission.objects.count(), 2)

    def test_confirmation_is_only_for_the_resident_who_sent_it(self):
        token = self.token(self.go_to_check_answers())
        self.client.post(f"{self.base}check-your-answers/", {"token": token})
        self.client.logout()
        self.client.cookies.clear()
        response = self.client.get(f"{self.base}confirmation/")
        self.assertEqual(response.status_code, 200)
        self.assertNotContains(response, Submission.objects.get().reference)
        self.assertContains(response, "You need to start again")


class ExpiredSessionTests(FlowTestCase):
    @classmethod
    def setUpTestData(cls):
        cls.flow = crime_number_flow()

    def expire(self):
        self.client.cookies.clear()

    def test_a_later_page_after_the_session_expired_says_start_again(self):
        self.client.get(self.base)
        self.answer("stolen", {"stolen-stolen": "yes"})
        self.expire()
        for response in (
            self.client.get(f"{self.base}crime-number/"),
            self.answer("crime-number", {"crime-number-crime_number": "AB/1"}, follow=True),
            self.client.get(f"{self.base}check-your-answers/"),
            self.client.post(
                f"{self.base}check-your-answers/",
                {"token": "1f0e6a34-7a1e-4e35-9c3c-0b6f2a4b9d11"},
                follow=True,
            ),
        ):
            self.assertEqual(response.status_code, 200)
            soup = self.soup(response)
            self.assertEqual(soup.h1.get_text(strip=True), "You need to start again")
            self.assertEqual(soup.select_one("a.govuk-button")["href"], f"{self.base}?reset=1")
        self.assertEqual(Submission.objects.count(), 0)

    def test_a_garbled_token_does_not_fail(self):
        self.go_to_check_answers()
        response = self.client.post(f"{self.base}check-your-answers/", {"token": "nonsense"})
        assert_goes_to(self, response, f"{self.base}check-your-answers/")


class ServicePageStartTests(FlowTestCase):
    @classmethod
    def setUpTestData(cls):
        cls.flow = crime_number_flow()

    def test_service_page_start_now_goes_to_its_flow(self):
        soup = self.soup(self.client.get("/bins/bulky-waste/"))
        self.assertEqual(soup.select_one(".govuk-button--start")["href"], self.base)

    def test_unpublished_flow_has_no_start_button(self):
        self.flow.unpublish()
        soup = self.soup(self.client.get("/bins/bulky-waste/"))
        self.assertIsNone(soup.select_one(".govuk-button--start"))
