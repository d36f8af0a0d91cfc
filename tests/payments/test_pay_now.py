"""'Pay now' for a request waiting for payment: the session that sent it is sent to pay (the same
checkout after a double click), a paid request is never paid twice, and anyone else is told
where to find their request."""

from bs4 import BeautifulSoup
from django.test import Client, TestCase, override_settings

from forms.flows.checkout import get_checkout
from forms.flows.constants import SubmissionStatus
from forms.flows.models import Submission
from forms.payments.constants import PaymentStatus
from forms.payments.models import Payment
from tests.payments.test_payments_sandbox import paid_flow


def heading(response) -> str:
    return BeautifulSoup(response.content, "html.parser").h1.get_text(" ", strip=True)


@override_settings(PAYMENT_PROVIDER="sandbox")
class PayNowTests(TestCase):
    base = "/bins/bulky-waste/apply/"

    @classmethod
    def setUpTestData(cls):
        cls.flow = paid_flow()

    def send(self):
        self.client.get(self.base)
        management = f"flow-{self.flow.pk}-current_step"
        self.client.post(f"{self.base}items/", {management: "items", "items-items": "2"})
        self.client.post(
            f"{self.base}contact/", {management: "contact", "contact-email": "sam@example.org"}
        )
        token = self.client.get(f"{self.base}check-your-answers/").context["token"]
        return self.client.post(f"{self.base}check-your-answers/", {"token": token})

    def pay_now_url(self) -> str:
        return get_checkout().pay_now_url(Submission.objects.get())

    def test_the_pay_now_address_is_the_payments(self):
        self.send()
        payment = Payment.objects.get()
        self.assertEqual(self.pay_now_url(), f"/payments/{payment.uuid}/pay/")

    def test_the_sender_is_sent_to_the_same_checkout_after_a_double_click(self):
        sent = self.send()
        first = self.client.post(self.pay_now_url())
        second = self.client.post(self.pay_now_url())
        self.assertEqual(first.status_code, 302)
        self.assertEqual(first["Location"], sent["Location"])
        self.assertEqual(second["Location"], sent["Location"])
        payment = Payment.objects.get()
        self.assertEqual((payment.attempt, payment.status), (1, PaymentStatus.PENDING))

    def test_after_a_failed_payment_pay_now_starts_a_new_attempt(self):
        sent = self.send()
        self.client.post(sent["Location"], {"outcome": "fail"})
        again = self.client.post(self.pay_now_url())
        payment = Payment.objects.get()
        self.assertEqual(again["Location"], f"/payments/sandbox/{payment.uuid}/")
        self.assertEqual((payment.attempt, payment.status), (2, PaymentStatus.PENDING))
        back = self.client.post(again["Location"], {"outcome": "succeed"})
        confirmation = self.client.get(back["Location"], follow=True)
        self.assertContains(confirmation, "You have paid £25")

    def test_a_paid_request_goes_to_its_confirmation_and_is_not_paid_again(self):
        sent = self.send()
        self.client.post(sent["Location"], {"outcome": "succeed"})
        response = self.client.post(self.pay_now_url(), follow=True)
        self.assertEqual(heading(response), "Payment received")
        self.assertContains(response, "You have paid £25")
        self.assertEqual(Payment.objects.count(), 1)
        payment = Payment.objects.get()
        self.assertEqual((payment.attempt, payment.status), (1, PaymentStatus.PAID))

    def test_a_request_the_team_moved_on_needs_no_payment(self):
        self.send()
        submission = Submission.objects.get()
        submission.set_status(SubmissionStatus.CLOSED)
        response = self.client.post(self.pay_now_url())
        self.assertEqual(response.status_code, 200)
        self.assertEqual(heading(response), "You do not need to pay for this request")
        self.assertEqual(Payment.objects.get().attempt, 1)

    def test_anyone_else_is_told_how_to_find_their_request_and_nothing_about_it(self):
        self.send()
        url = self.pay_now_url()
        stranger = Client()
        response = stranger.post(url)
        self.assertEqual(response.status_code, 403)
        self.assertEqual(heading(response), "Find your request to pay for it")
        self.assertContains(response, 'href="/track/"', status_code=403)
        text = BeautifulSoup(response.content, "html.parser").main.get_text()
        for secret in (Submission.objects.get().reference, "sam@example.org", "£25"):
            self.assertNotIn(secret, text)
        self.assertEqual(Payment.objects.get().attempt, 1)

    def test_a_form_without_its_csrf_token_gets_the_sites_page(self):
        self.send()
        url = self.pay_now_url()
        checked = Client(enforce_csrf_checks=True)
        checked.cookies = self.client.cookies
        response = checked.post(url)
        self.assertEqual(response.status_code, 403)
        self.assertIn("govuk-heading-l", response.content.decode())

    def test_opening_the_address_is_the_sites_405_page(self):
        self.send()
        response = self.client.get(self.pay_now_url())
        self.assertEqual(response.status_code, 405)
        self.assertTrue(response.content)

    def test_an_unknown_payment_is_not_found(self):
        response = self.client.post("/payments/9b2f3c1e-1d2a-4c5b-8e7f-0a1b2c3d4e5f/pay/")
        self.assertEqual(response.status_code, 404)
