"""'Track your request' offers Pay now for a request waiting for payment; the reference and
email address are proof enough to pay for it from another browser, and nothing else is."""

from bs4 import BeautifulSoup
from django.core.cache import cache
from django.test import Client, TestCase, override_settings

from forms.flows.models import Submission
from forms.payments.constants import PaymentStatus
from forms.payments.models import Payment
from tests.payments.test_payments_sandbox import paid_flow


@override_settings(PAYMENT_PROVIDER="sandbox")
class TrackPayNowTests(TestCase):
    base = "/bins/bulky-waste/apply/"

    @classmethod
    def setUpTestData(cls):
        cls.flow = paid_flow()

    def setUp(self):
        cache.clear()  # the rate limits count in the cache
        self.client.get(self.base)
        management = f"flow-{self.flow.pk}-current_step"
        self.client.post(f"{self.base}items/", {management: "items", "items-items": "2"})
        self.client.post(
            f"{self.base}contact/", {management: "contact", "contact-email": "sam@example.org"}
        )
        token = self.client.get(f"{self.base}check-your-answers/").context["token"]
        self.sandbox_url = self.client.post(f"{self.base}check-your-answers/", {"token": token})[
            "Location"
        ]
        self.submission = Submission.objects.get()
        self.other = Client()  # another browser: the resident's phone, a day later

    def track(self, client: Client, email: str = "Sam@Example.org"):
        return client.post("/track/", {"reference": self.submission.reference, "email": email})

    def pay_now_form(self, response):
        soup = BeautifulSoup(response.content, "html.parser")
        button = soup.find("button", string="Pay now")
        return button.find_parent("form") if button else None

    def test_a_request_waiting_for_payment_offers_pay_now_from_any_browser(self):
        response = self.track(self.other)
        self.assertContains(response, "We have not taken the £25 yet")
        form = self.pay_now_form(response)
        payment = Payment.objects.get()
        self.assertEqual(form["action"], f"/payments/{payment.uuid}/pay/")
        self.assertIsNotNone(form.find("input", attrs={"name": "csrfmiddlewaretoken"}))

        sent = self.other.post(form["action"])
        self.assertEqual(sent["Location"], self.sandbox_url)  # the same checkout
        back = self.other.post(sent["Location"], {"outcome": "succeed"})
        confirmation = self.other.get(back["Location"], follow=True)
        self.assertContains(confirmation, self.submission.reference)
        self.assertContains(confirmation, "You have paid £25")
        self.assertEqual(Payment.objects.get().status, PaymentStatus.PAID)

    def test_a_paid_request_offers_no_pay_now(self):
        self.client.post(self.sandbox_url, {"outcome": "succeed"})
        response = self.track(self.other)
        self.assertContains(response, "Paid")
        self.assertIsNone(self.pay_now_form(response))

    def test_paid_in_another_tab_after_tracking_is_not_paid_again(self):
        form = self.pay_now_form(self.track(self.other))
        self.client.post(self.sandbox_url, {"outcome": "succeed"})
        response = self.other.post(form["action"])
        soup = BeautifulSoup(response.content, "html.parser")
        self.assertEqual(soup.h1.get_text(strip=True), "You have already paid")
        self.assertIn("We received your payment of £25 on", soup.main.get_text())
        self.assertEqual(Payment.objects.get().attempt, 1)

    def test_a_wrong_email_address_gives_no_way_to_pay(self):
        response = self.track(self.other, email="someone@example.org")
        self.assertIsNone(self.pay_now_form(response))
        payment = Payment.objects.get()
        refused = self.other.post(f"/payments/{payment.uuid}/pay/")
        self.assertEqual(refused.status_code, 403)
        self.assertContains(refused, "Find your request to pay for it", status_code=403)
