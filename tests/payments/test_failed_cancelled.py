"""A failed payment and a cancelled one say different things, both that no money was taken; the
failed page offers to change the answers once the runtime can. The sandbox makes both."""

from unittest import mock

from bs4 import BeautifulSoup
from django.test import TestCase, override_settings

from forms.payments.constants import PaymentStatus
from forms.payments.models import Payment
from tests.payments.test_payments_sandbox import paid_flow


def words(response) -> tuple[str, str]:
    soup = BeautifulSoup(response.content, "html.parser")
    return soup.h1.get_text(" ", strip=True), " ".join(soup.main.get_text(" ").split())


@override_settings(PAYMENT_PROVIDER="sandbox")
class FailedOrCancelledTests(TestCase):
    base = "/bins/bulky-waste/apply/"

    @classmethod
    def setUpTestData(cls):
        cls.flow = paid_flow()

    def pay(self, outcome: str):
        self.client.get(self.base)
        management = f"flow-{self.flow.pk}-current_step"
        self.client.post(f"{self.base}items/", {management: "items", "items-items": "2"})
        self.client.post(
            f"{self.base}contact/", {management: "contact", "contact-email": "sam@example.org"}
        )
        token = self.client.get(f"{self.base}check-your-answers/").context["token"]
        sandbox = self.client.post(f"{self.base}check-your-answers/", {"token": token})
        page = self.client.get(sandbox["Location"])
        self.assertContains(page, f'value="{outcome}"')  # the sandbox offers this outcome
        back = self.client.post(sandbox["Location"], {"outcome": outcome})
        return self.client.get(back["Location"])

    def test_a_failed_payment_says_it_failed_and_no_money_was_taken(self):
        response = self.pay("fail")
        title, text = words(response)
        self.assertEqual(title, "Your payment failed")
        self.assertIn("no money was taken", text)
        self.assertNotIn("cancelled", text)
        self.assertIn("Try again", text)
        self.assertTrue(response.content.decode().count("<title>Your payment failed"))
        self.assertEqual(Payment.objects.get().status, PaymentStatus.FAILED)

    def test_a_cancelled_payment_says_the_request_waits_until_you_pay(self):
        title, text = words(self.pay("cancel"))
        self.assertEqual(title, "You cancelled your payment")
        self.assertIn("We have not taken the £25 from your card", text)
        self.assertIn("It has not been sent to the team, and will not be until you pay", text)
        self.assertNotIn("failed", text)
        self.assertIn("Pay now", text)

    def test_coming_back_from_the_providers_cancel_link_is_a_cancellation(self):
        self.pay("cancel")
        payment = Payment.objects.get()
        Payment.objects.filter(pk=payment.pk).update(status=PaymentStatus.PENDING)
        response = self.client.get(f"/payments/{payment.uuid}/return/?cancelled=1")
        self.assertEqual(words(response)[0], "You cancelled your payment")

    def test_no_change_your_answers_link_when_the_runtime_offers_none(self):
        with mock.patch("forms.payments.checkout.change_answers_url", return_value=None):
            response = self.pay("fail")
        self.assertNotContains(response, "Change your answers")

    def test_the_failed_page_links_to_change_the_answers_when_the_runtime_can(self):
        with mock.patch(
            "forms.payments.checkout.change_answers_url", return_value="/bins/bulky-waste/apply/x/"
        ):
            response = self.pay("fail")
        soup = BeautifulSoup(response.content, "html.parser")
        link = soup.find("a", string="Change your answers")
        self.assertIsNotNone(link)
        self.assertEqual(link["href"], "/bins/bulky-waste/apply/x/")

    def test_a_cancelled_payment_offers_no_change_your_answers_link(self):
        with mock.patch(
            "forms.payments.checkout.change_answers_url", return_value="/bins/bulky-waste/apply/x/"
        ):
            response = self.pay("cancel")
        self.assertNotContains(response, "Change your answers")
