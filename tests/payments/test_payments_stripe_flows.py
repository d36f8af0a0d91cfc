"""Paying with Stripe from end to end, as a resident would: send, pay on Stripe's (fake) page,
come back and/or have Stripe tell us by webhook, in either order or only one of them. The
confirmation email goes once, when the money is in. Then every paid demo flow the same way."""

from bs4 import BeautifulSoup
from django.core import mail
from django.test import TestCase, override_settings

from demo.loader import DemoLoader
from demo.walker import FlowWalker
from forms.flows.constants import SubmissionStatus
from forms.flows.models import FlowPage, Submission
from forms.payments.constants import PaymentStatus
from forms.payments.models import Payment, PaymentEvent
from tests.payments.stripe_fake import (
    STRIPE_SETTINGS,
    FakeStripeMixin,
    PaidFlowMixin,
    event,
    post_webhook,
)


def success_url(session: dict) -> str:
    """Where Stripe sends the resident after paying (it fills in the session id)."""
    return session["success_url"].replace("{CHECKOUT_SESSION_ID}", session["id"])


@override_settings(**STRIPE_SETTINGS)
class StripeReturnAndWebhookTests(PaidFlowMixin, FakeStripeMixin, TestCase):
    def pay(self):
        """Send the request and pay on Stripe's page; returns the paid session."""
        response, _token = self.send()
        session = self.stripe.last_session()
        self.assertEqual(response["Location"], session["url"])
        self.assertEqual(mail.outbox, [])
        return self.stripe.complete(session["id"])

    def come_back(self, session):
        back = self.client.get(success_url(session))
        self.assertEqual(back.status_code, 302)
        self.assertEqual(back["Location"], f"{self.base}confirmation/")
        return self.client.get(back["Location"])

    def assert_paid_once(self):
        submission = Submission.objects.get()
        payment = Payment.objects.get()
        self.assertEqual(payment.status, PaymentStatus.PAID)
        self.assertEqual(submission.status, SubmissionStatus.PAID)
        self.assertEqual(len(mail.outbox), 1)
        self.assertEqual(mail.outbox[0].to, [self.email])
        self.assertIn(submission.reference, mail.outbox[0].body)
        self.assertEqual(submission.events.filter(status=SubmissionStatus.PAID).count(), 1)
        return submission

    def test_return_first_then_webhook(self):
        session = self.pay()
        confirmation = self.come_back(session)
        submission = self.assert_paid_once()
        self.assertContains(confirmation, submission.reference)
        retrieve = self.stripe.calls_to("get", "/v1/checkout/sessions")
        self.assertEqual([c.path for c in retrieve], [f"/v1/checkout/sessions/{session['id']}"])
        self.assertEqual(Payment.objects.get().provider_payment_id, session["payment_intent"])

        response = post_webhook(self.client, event("checkout.session.completed", session))
        self.assertEqual(response.status_code, 200)
        self.assert_paid_once()
        self.assertEqual(PaymentEvent.objects.count(), 1)

    def test_webhook_first_then_return(self):
        session = self.pay()
        post_webhook(self.client, event("checkout.session.completed", session))
        submission = self.assert_paid_once()
        confirmation = self.come_back(session)
        self.assertContains(confirmation, submission.reference)
        self.assert_paid_once()
        # Already paid: the return page had no need to ask Stripe.
        self.assertEqual(self.stripe.calls_to("get", "/v1/checkout/sessions"), [])

    def test_webhook_only_when_the_browser_was_closed(self):
        session = self.pay()
        post_webhook(self.client, event("checkout.session.completed", session))
        self.assert_paid_once()
        # Later, "track your request" or a bookmark: nothing is sent again.
        self.client.get(f"/payments/{Payment.objects.get().uuid}/return/")
        self.assert_paid_once()

    def test_return_only_when_the_webhook_is_lost(self):
        session = self.pay()
        self.come_back(session)
        self.assert_paid_once()
        self.come_back(session)  # a refresh
        self.assert_paid_once()

    def test_coming_back_before_the_bank_confirms(self):
        self.send()
        session = self.stripe.complete(self.stripe.last_session()["id"], "unpaid")
        page = self.client.get(success_url(session))
        self.assertContains(page, "Your payment was not taken")
        self.assertContains(page, "it can take a few minutes")
        self.assertEqual(Payment.objects.get().status, PaymentStatus.PENDING)
        self.assertEqual(mail.outbox, [])
        session = self.stripe.settle(session["id"])
        post_webhook(self.client, event("checkout.session.async_payment_succeeded", session))
        self.assert_paid_once()

    def test_stripe_cannot_be_asked_on_return(self):
        session = self.pay()
        self.stripe.fail_next(500)
        with self.assertLogs("forms.payments.views", "ERROR"):
            page = self.client.get(success_url(session))
        self.assertContains(page, "Your payment was not taken")
        self.assertEqual(Submission.objects.get().status, SubmissionStatus.WAITING_FOR_PAYMENT)
        # ... then the webhook arrives.
        post_webhook(self.client, event("checkout.session.completed", session))
        self.assert_paid_once()


@override_settings(**STRIPE_SETTINGS)
class PaidDemoFlowsWithStripeTests(FakeStripeMixin, TestCase):
    @classmethod
    def setUpTestData(cls):
        DemoLoader().load()

    def test_every_paid_demo_flow_can_be_paid_for_with_stripe(self):
        paid = [flow for flow in FlowPage.objects.live().order_by("path") if flow.has_fee]
        self.assertEqual(len(paid), 8)
        emailed = []
        for flow in paid:
            slug = flow.get_parent().slug
            with self.subTest(slug=slug):
                self.client.cookies.clear()
                mail.outbox.clear()
                self.stripe.calls.clear()

                url = FlowWalker(self.client, flow).walk()
                check = self.client.get(url)
                self.assertEqual(check.status_code, 200)
                soup = BeautifulSoup(check.content, "html.parser")
                token = soup.find("input", attrs={"name": "token"})["value"]
                sent = self.client.post(url, {"token": token})

                submission = Submission.objects.get(flow=flow)
                payment = Payment.objects.get(submission=submission)
                session = self.stripe.last_session()
                self.assertEqual(sent.status_code, 302)
                self.assertEqual(sent["Location"], session["url"])
                self.assertTrue(sent["Location"].startswith("https://checkout.stripe.com/c/pay/"))
                values = {a["name"]: a["value"] for a in submission.answers}
                expected = flow.fee_calculator().calculate(values).total_pence
                self.assertGreater(expected, 0)
                self.assertEqual(payment.amount_pence, expected)
                [create] = self.stripe.session_creates
                self.assertEqual(
                    create.form["line_items[0][price_data][unit_amount]"], str(expected)
                )
                self.assertEqual(create.form["client_reference_id"], submission.reference)
                self.assertEqual(create.idempotency_key, f"checkout-{payment.uuid}-1")
                self.assertEqual(submission.status, SubmissionStatus.WAITING_FOR_PAYMENT)
                self.assertEqual(mail.outbox, [])

                session = self.stripe.complete(session["id"])
                webhook = post_webhook(self.client, event("checkout.session.completed", session))
                self.assertEqual(webhook.status_code, 200)
                submission.refresh_from_db()
                self.assertEqual(submission.status, SubmissionStatus.PAID)
                emails = 1 if submission.contact_email else 0
                self.assertEqual(len(mail.outbox), emails)
                if emails:
                    self.assertIn(submission.reference, mail.outbox[0].body)
                    emailed.append(slug)

                back = self.client.get(success_url(session))
                self.assertEqual(back.status_code, 302)
                confirmation = self.client.get(back["Location"])
                self.assertEqual(confirmation.status_code, 200)
                self.assertContains(confirmation, submission.reference)
                self.assertEqual(len(mail.outbox), emails)
        self.assertEqual(len(emailed), 8, emailed)
