"""Paying for a request with the sandbox provider (the demo's): saved first, paid, failed,
cancelled, tried again; the confirmation email goes once, when the money is in."""

from bs4 import BeautifulSoup
from django.core import mail
from django.test import TestCase, override_settings

from forms.flows.constants import SubmissionStatus
from forms.flows.models import Submission
from forms.payments.constants import PaymentStatus
from forms.payments.models import Payment
from forms.payments.refunds import refund_payment
from tests.flows.factories import make_flow, page, question


def paid_flow():
    return make_flow(
        [
            page("items", question("quantity", "items", "How many items?", max_value=10)),
            page("contact", question("email", "email", "Email address")),
        ],
        fee_handler="bulky-waste",
    )


@override_settings(PAYMENT_PROVIDER="sandbox")
class SandboxPaymentTests(TestCase):
    base = "/bins/bulky-waste/apply/"

    @classmethod
    def setUpTestData(cls):
        cls.flow = paid_flow()

    def send(self, items: str = "5", extra: dict | None = None):
        self.client.get(self.base)
        management = f"flow-{self.flow.pk}-current_step"
        self.client.post(f"{self.base}items/", {management: "items", "items-items": items})
        self.client.post(
            f"{self.base}contact/", {management: "contact", "contact-email": "sam@example.org"}
        )
        check = self.client.get(f"{self.base}check-your-answers/")
        token = check.context["token"]
        return self.client.post(
            f"{self.base}check-your-answers/", {"token": token, **(extra or {})}
        ), token

    def test_request_is_saved_before_paying_then_paid_and_confirmed_once(self):
        response, _token = self.send()
        submission = Submission.objects.get()
        payment = Payment.objects.get()
        self.assertEqual(submission.status, SubmissionStatus.WAITING_FOR_PAYMENT)
        self.assertEqual(payment.amount_pence, 4100)  # £25 for 3, then 2 x £8
        self.assertEqual(response["Location"], f"/payments/sandbox/{payment.uuid}/")
        self.assertEqual(mail.outbox, [])

        back = self.client.post(response["Location"], {"outcome": "succeed"})
        confirmation = self.client.get(back["Location"], follow=True)
        self.assertContains(confirmation, submission.reference)
        self.assertContains(confirmation, "You have paid £41")
        submission.refresh_from_db()
        self.assertEqual(submission.status, SubmissionStatus.PAID)
        self.assertEqual(len(mail.outbox), 1)
        # coming back to the return page again sends nothing more
        self.client.get(back["Location"])
        self.assertEqual(len(mail.outbox), 1)

    def test_an_amount_in_the_request_changes_nothing(self):
        self.send(extra={"amount": "1", "amount_pence": "1", "fee_pence": "1"})
        self.assertEqual(Payment.objects.get().amount_pence, 4100)

    def test_double_click_on_send_makes_one_request_and_one_payment(self):
        first, token = self.send()
        again = self.client.post(f"{self.base}check-your-answers/", {"token": token})
        self.assertEqual(again["Location"], first["Location"])
        self.assertEqual(Submission.objects.count(), 1)
        self.assertEqual(Payment.objects.count(), 1)

    def test_a_failed_payment_says_so_and_can_be_tried_again(self):
        response, _token = self.send()
        back = self.client.post(response["Location"], {"outcome": "fail"})
        page = self.client.get(back["Location"])
        soup = BeautifulSoup(page.content, "html.parser")
        self.assertEqual(soup.h1.get_text(strip=True), "Your payment failed")
        self.assertIn(Submission.objects.get().reference, soup.main.get_text())
        self.assertIn("Other ways to pay", soup.main.get_text())
        self.assertEqual(Submission.objects.get().status, SubmissionStatus.WAITING_FOR_PAYMENT)

        payment = Payment.objects.get()
        retry = self.client.post(f"/payments/{payment.uuid}/start/")
        payment.refresh_from_db()
        self.assertEqual(payment.attempt, 2)
        self.assertEqual(payment.status, PaymentStatus.PENDING)
        back = self.client.post(retry["Location"], {"outcome": "succeed"})
        self.client.get(back["Location"])
        payment.refresh_from_db()
        self.assertEqual(payment.status, PaymentStatus.PAID)
        self.assertEqual(len(mail.outbox), 1)

    def test_cancelling_keeps_the_request_waiting_for_payment(self):
        response, _token = self.send()
        back = self.client.post(response["Location"], {"outcome": "cancel"})
        self.assertContains(self.client.get(back["Location"]), "You cancelled your payment")
        self.assertEqual(Payment.objects.get().status, PaymentStatus.CANCELLED)
        self.assertEqual(Submission.objects.get().status, SubmissionStatus.WAITING_FOR_PAYMENT)

    def test_a_paid_payment_cannot_be_failed_afterwards(self):
        response, _token = self.send()
        self.client.post(response["Location"], {"outcome": "succeed"})
        self.client.post(response["Location"], {"outcome": "fail"})
        self.assertEqual(Payment.objects.get().status, PaymentStatus.PAID)

    def test_refunds_full_partial_and_twice(self):
        response, _token = self.send()
        self.client.post(response["Location"], {"outcome": "succeed"})
        payment = Payment.objects.get()
        refund_payment(payment, 1000, user=None, idempotency_key="r1", reason="One item fewer")
        refund_payment(payment, 1000, user=None, idempotency_key="r1")  # the same form again
        payment.refresh_from_db()
        self.assertEqual((payment.refunded_pence, payment.status), (1000, "partially_refunded"))
        refund_payment(payment, 3100, user=None, idempotency_key="r2")
        payment.refresh_from_db()
        self.assertEqual((payment.refunded_pence, payment.status), (4100, "refunded"))
        self.assertEqual(payment.refunds.count(), 2)

    @override_settings(PAYMENT_PROVIDER="stripe")
    def test_the_sandbox_page_does_not_exist_where_real_payments_are_taken(self):
        payment_uuid = "9b2f3c1e-1d2a-4c5b-8e7f-0a1b2c3d4e5f"
        self.assertEqual(self.client.get(f"/payments/sandbox/{payment_uuid}/").status_code, 404)
