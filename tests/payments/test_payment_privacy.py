"""A payment's address is no secret (it passes through the provider, a bank app, a browser's
history): only the browser that sent the request sees its reference, fee and email address on
the return, sandbox and confirmation pages. Anyone else with the address is told whether the
payment was received, nothing personal, and the payment is still recorded as before."""

from bs4 import BeautifulSoup
from django.core import mail
from django.test import Client, TestCase, override_settings

from forms.flows.constants import SubmissionStatus
from forms.flows.models import Submission
from forms.payments.constants import PaymentStatus
from forms.payments.models import Payment
from tests.payments.stripe_fake import STRIPE_SETTINGS, FakeStripeMixin, PaidFlowMixin


class PrivacyMixin(PaidFlowMixin):
    def assert_nothing_personal(self, response, heading: str) -> None:
        self.assertEqual(response.status_code, 200)
        soup = BeautifulSoup(response.content, "html.parser")
        self.assertEqual(soup.h1.get_text(strip=True), heading)
        text = soup.get_text()
        submission = Submission.objects.get()
        for secret in (submission.reference, self.email, "£41", "41.00", "Bulky waste"):
            self.assertNotIn(secret, text)


@override_settings(PAYMENT_PROVIDER="sandbox")
class SandboxPrivacyTests(PrivacyMixin, TestCase):
    def test_a_stranger_with_the_addresses_sees_nothing_personal(self):
        response, _token = self.send()
        sandbox_url = response["Location"]
        payment = Payment.objects.get()
        return_url = f"/payments/{payment.uuid}/return/"
        stranger = Client()

        # the fake card page, before paying
        self.assert_nothing_personal(stranger.get(sandbox_url), "Test payment")
        # "try again" from a stranger starts nothing: the return page, with nothing personal
        self.assertEqual(stranger.post(f"/payments/{payment.uuid}/start/")["Location"], return_url)
        self.assert_nothing_personal(stranger.get(return_url), "We are checking your payment")

        self.client.post(sandbox_url, {"outcome": "fail"})
        self.assert_nothing_personal(stranger.get(return_url), "Your payment was not taken")
        self.client.post(f"/payments/{payment.uuid}/start/")
        self.client.post(sandbox_url, {"outcome": "succeed"})
        received = stranger.get(return_url)
        self.assert_nothing_personal(received, "Payment received")
        # ... and being on the return page gives the stranger no way to the confirmation
        confirmation = stranger.get(f"{self.base}confirmation/")
        self.assertNotContains(confirmation, Submission.objects.get().reference)

        # the payer still sees everything
        mine = self.client.get(return_url, follow=True)
        self.assertContains(mine, Submission.objects.get().reference)
        self.assertContains(mine, "You have paid £41")


@override_settings(**STRIPE_SETTINGS)
class StripeReturnInAnotherBrowserTests(PrivacyMixin, FakeStripeMixin, TestCase):
    def test_the_payment_completes_when_the_bank_app_opens_the_return_in_another_browser(self):
        self.send()
        session = self.stripe.complete(self.stripe.last_session()["id"])
        success_url = session["success_url"].replace("{CHECKOUT_SESSION_ID}", session["id"])

        self.assert_nothing_personal(Client().get(success_url), "Payment received")
        submission = Submission.objects.get()
        self.assertEqual(Payment.objects.get().status, PaymentStatus.PAID)
        self.assertEqual(submission.status, SubmissionStatus.PAID)
        self.assertEqual(len(mail.outbox), 1)
        self.assertIn(submission.reference, mail.outbox[0].body)

        # the resident, back in the browser they started in, gets the confirmation
        mine = self.client.get(success_url, follow=True)
        self.assertContains(mine, submission.reference)
        self.assertEqual(len(mail.outbox), 1)
