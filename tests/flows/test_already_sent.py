"""Back after sending (or Back from the payment page) says "You have already sent this" with
the reference, where to follow it and, while it waits for payment, "Pay now"; a request not
paid for yet may have its answers changed and be sent again, which closes the old one."""

from django.core import mail
from django.test import override_settings

from forms.flows.checkout import get_checkout
from forms.flows.constants import SubmissionStatus
from forms.flows.models import Submission
from forms.flows.runtime import change_answers_url
from tests.flows.test_runtime import FlowTestCase, crime_number_flow
from tests.payments.test_payments_sandbox import paid_flow


class AlreadySentTests(FlowTestCase):
    @classmethod
    def setUpTestData(cls):
        cls.flow = crime_number_flow()

    def test_back_after_sending_says_already_sent_with_the_reference(self):
        check = self.go_to_check_answers()
        check_url = check.request["PATH_INFO"] + "?" + check.request["QUERY_STRING"]
        self.client.post(check_url, {"token": self.token(check)})
        submission = Submission.objects.get()
        for url in (check_url, f"{self.base}contact/", f"{self.base}stolen/"):
            with self.subTest(url):
                response = self.client.get(url)
                self.assertEqual(response.status_code, 200)
                soup = self.soup(response)
                self.assertEqual(soup.h1.get_text(strip=True), "You have already sent this")
                self.assertIn(submission.reference, soup.main.get_text())
                self.assertNotIn("You need to start again", soup.get_text())
                self.assertEqual(soup.find("a", string="Track your request")["href"], "/track/")
                self.assertIsNone(soup.find("button", string="Pay now"))
        # Continue on a page shown before sending sends nothing more
        response = self.answer(
            "contact", {"contact-full_name": "X", "contact-email": "x@example.org"}, follow=True
        )
        self.assertEqual(self.soup(response).h1.get_text(strip=True), "You have already sent this")
        self.assertEqual(Submission.objects.count(), 1)
        self.assertEqual(len(mail.outbox), 1)

    def test_start_now_after_sending_begins_a_new_request(self):
        self.client.post(
            f"{self.base}check-your-answers/", {"token": self.token(self.go_to_check_answers())}
        )
        response = self.client.get(self.base, follow=True)
        self.assertIn("Was your bin stolen?", self.soup(response).h1.get_text())


@override_settings(PAYMENT_PROVIDER="sandbox")
class WaitingForPaymentTests(FlowTestCase):
    @classmethod
    def setUpTestData(cls):
        cls.flow = paid_flow()

    def send(self, items: str = "2"):
        self.client.get(self.base)
        self.answer("items", {"items-items": items})
        self.answer("contact", {"contact-email": "sam@example.org"})
        check = self.client.get(f"{self.base}check-your-answers/")
        return self.client.post(
            f"{self.base}check-your-answers/", {"token": check.context["token"]}
        )

    def test_back_from_the_payment_page_offers_pay_now(self):
        self.send()
        submission = Submission.objects.get()
        response = self.client.get(f"{self.base}check-your-answers/")
        soup = self.soup(response)
        self.assertEqual(soup.h1.get_text(strip=True), "You have already sent this")
        self.assertIn(submission.reference, soup.main.get_text())
        button = soup.main.find("button", string="Pay now")
        form = button.find_parent("form")
        self.assertEqual(form["method"], "post")
        self.assertEqual(form["action"], get_checkout().pay_now_url(submission))
        self.assertIsNotNone(form.find("input", attrs={"name": "csrfmiddlewaretoken"}))

    def test_changing_the_answers_of_an_unpaid_request_sends_a_new_one_and_closes_the_old(self):
        self.send("2")
        old = Submission.objects.get()
        url = change_answers_url(self.client_request(), old)
        self.assertIsNotNone(url)
        check = self.client.get(url)
        self.assertEqual(check.status_code, 200)
        self.assertContains(check, f"we will close request {old.reference}")
        self.client.get(f"{self.base}items/?change=1")
        self.answer("items", {"items-items": "3"})
        check = self.client.get(f"{self.base}check-your-answers/")
        self.client.post(f"{self.base}check-your-answers/", {"token": check.context["token"]})
        old.refresh_from_db()
        new = Submission.objects.exclude(pk=old.pk).get()
        self.assertEqual(old.status, SubmissionStatus.CLOSED)
        self.assertIn(new.reference, old.events.order_by("-pk").first().note)
        self.assertEqual(new.status, SubmissionStatus.WAITING_FOR_PAYMENT)
        self.assertEqual(new.answer("items"), 3)
        self.assertEqual(
            Submission.objects.filter(status=SubmissionStatus.WAITING_FOR_PAYMENT).count(), 1
        )

    def test_no_change_link_for_a_paid_request_or_another_session(self):
        self.send()
        submission = Submission.objects.get()
        self.assertIsNotNone(change_answers_url(self.client_request(), submission))
        self.client.cookies.clear()
        self.assertIsNone(change_answers_url(self.client_request(), submission))
        submission.set_status(SubmissionStatus.PAID)
        self.assertIsNone(change_answers_url(self.client_request(), submission))

    def client_request(self):
        """A request with this test client's session, as a page outside the flow has."""
        from django.test import RequestFactory

        request = RequestFactory().get("/")
        request.session = self.client.session
        return request
