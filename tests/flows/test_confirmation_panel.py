"""The confirmation panel says what happened: a request sent, a payment received, a subscription
set up, or a request saved and waiting for payment (with Pay now)."""

from unittest import mock

from bs4 import BeautifulSoup
from django.test import TestCase, override_settings

from forms.flows.handlers import FeeQuote, fees
from forms.payments.models import Payment
from tests.flows.factories import make_flow, page, question


class YearlySubscription:
    """A fee that sets up a subscription, as garden waste does."""

    title = "A yearly subscription"
    subscription = True

    def calculate(self, answers):
        return FeeQuote(total_pence=5000, lines=[("12 months", 5000)])


class OneOffFee:
    title = "A one-off fee"

    def calculate(self, answers):
        return FeeQuote(total_pence=2500, lines=[("A collection", 2500)])


def panel(response) -> tuple[str, str, str]:
    soup = BeautifulSoup(response.content, "html.parser")
    body = soup.select_one(".govuk-panel__body").get_text(" ", strip=True)
    return soup.h1.get_text(strip=True), body, soup.title.get_text(strip=True)


@override_settings(PAYMENT_PROVIDER="sandbox")
class ConfirmationPanelTests(TestCase):
    base = "/bins/bulky-waste/apply/"

    def setUp(self):
        patcher = mock.patch.dict(
            fees._items, {"test-subscription": YearlySubscription(), "test-one-off": OneOffFee()}
        )
        patcher.start()
        self.addCleanup(patcher.stop)

    def flow(self, fee_handler: str = ""):
        self.page = make_flow(
            [page("contact", question("email", "email", "Email address"))],
            fee_handler=fee_handler,
        )

    def send(self):
        self.client.get(self.base)
        self.client.post(
            f"{self.base}contact/",
            {f"flow-{self.page.pk}-current_step": "contact", "contact-email": "sam@example.org"},
        )
        token = self.client.get(f"{self.base}check-your-answers/").context["token"]
        return self.client.post(f"{self.base}check-your-answers/", {"token": token})

    def pay(self, outcome: str = "succeed"):
        sandbox = self.send()["Location"]
        back = self.client.post(sandbox, {"outcome": outcome})
        return self.client.get(back["Location"], follow=True)

    def test_a_free_request_is_sent(self):
        self.flow()
        response = self.client.get(self.send()["Location"])
        title, body, page_title = panel(response)
        self.assertEqual(title, "Request sent")
        self.assertIn("Your reference number", body)
        self.assertTrue(page_title.startswith("Request sent - "))

    def test_a_paid_request_says_payment_received(self):
        self.flow("test-one-off")
        title, body, page_title = panel(self.pay())
        self.assertEqual(title, "Payment received")
        self.assertIn(Payment.objects.get().submission.reference, body)
        self.assertTrue(page_title.startswith("Payment received - "))

    def test_a_paid_subscription_says_subscription_set_up(self):
        self.flow("test-subscription")
        title, body, _page_title = panel(self.pay())
        self.assertEqual(title, "Subscription set up")
        self.assertIn(Payment.objects.get().submission.reference, body)

    def test_a_request_waiting_for_payment_is_saved_and_offers_pay_now(self):
        self.flow("test-one-off")
        self.pay("cancel")
        response = self.client.get(f"{self.base}confirmation/")
        self.assertEqual(panel(response)[0], "Request saved")
        soup = BeautifulSoup(response.content, "html.parser")
        form = soup.find("button", string="Pay now").find_parent("form")
        self.assertEqual(form["action"], f"/payments/{Payment.objects.get().uuid}/pay/")
