"""The Stripe Checkout provider against a fake Stripe: what is asked for (every parameter, the
idempotency key, the pinned API version), double clicks, Stripe being down, asking Stripe where
a payment is, and refunds."""

import datetime
import threading
import time
from unittest import mock

from bs4 import BeautifulSoup
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import (
    Client,
    RequestFactory,
    TestCase,
    TransactionTestCase,
    override_settings,
    skipUnlessDBFeature,
)
from django.utils import timezone

from forms.flows.constants import SubmissionStatus
from forms.flows.models import Submission
from forms.flows.runtime.pages import SENT_SESSION_KEY
from forms.payments import ProviderError, get_provider, stripe_checkout
from forms.payments.constants import PaymentStatus
from forms.payments.models import Payment, Refund
from forms.payments.refunds import refund_payment
from forms.payments.stripe_checkout import STRIPE_API_VERSION, StripeCheckout
from tests.payments.stripe_fake import (
    STRIPE_SETTINGS,
    FakeStripeMixin,
    PaidFlowMixin,
    make_payment,
)


def start(payment):
    return get_provider("stripe").start_payment(payment, RequestFactory().get("/"))


@override_settings(**STRIPE_SETTINGS)
class CheckoutSessionTests(FakeStripeMixin, TestCase):
    def test_the_pinned_api_version_is_the_one_stripe_python_16_1_ships(self):
        import stripe

        self.assertEqual(STRIPE_API_VERSION, "2026-10-28.endive")
        self.assertEqual(STRIPE_API_VERSION, stripe.api_version)

    def test_a_checkout_session_asks_for_exactly_this(self):
        payment = make_payment(4100)
        reference, uuid = payment.submission.reference, str(payment.uuid)
        before = time.time()

        url = start(payment)

        [call] = self.stripe.calls
        self.assertEqual(call.method, "post")
        self.assertEqual(call.url, "https://api.stripe.com/v1/checkout/sessions")
        self.assertEqual(call.idempotency_key, f"checkout-{uuid}-1")
        self.assertEqual(call.api_version, "2026-10-28.endive")
        self.assertEqual(call.headers["Authorization"], "Bearer sk_test_x")
        self.assertEqual(call.headers["Content-Type"], "application/x-www-form-urlencoded")
        expires_at = int(call.form["expires_at"])
        self.assertGreaterEqual(expires_at - before, 30 * 60)
        self.assertLessEqual(expires_at - before, 32 * 60)
        return_url = f"http://testserver/payments/{uuid}/return/"
        self.assertEqual(
            call.form,
            {
                "mode": "payment",
                "payment_method_types[0]": "card",
                "line_items[0][price_data][currency]": "gbp",
                "line_items[0][price_data][unit_amount]": "4100",
                "line_items[0][price_data][product_data][name]": (
                    f"Bulky waste collection ({reference})"
                ),
                "line_items[0][quantity]": "1",
                "client_reference_id": reference,
                "metadata[reference]": reference,
                "metadata[payment]": uuid,
                "payment_intent_data[metadata][reference]": reference,
                "payment_intent_data[metadata][payment]": uuid,
                "customer_email": "sam@example.org",
                "success_url": return_url + "?session_id={CHECKOUT_SESSION_ID}",
                "cancel_url": return_url + "?cancelled=1",
                "expires_at": str(expires_at),
            },
        )
        self.assertEqual(call.params["line_items"][0]["price_data"]["unit_amount"], "4100")

        session = self.stripe.last_session()
        self.assertTrue(session["id"].startswith("cs_test_"))
        self.assertEqual(url, session["url"])
        self.assertTrue(url.startswith(f"https://checkout.stripe.com/c/pay/{session['id']}"))
        payment.refresh_from_db()
        self.assertEqual(payment.status, PaymentStatus.PENDING)
        self.assertEqual(payment.provider_session_id, session["id"])
        self.assertEqual(payment.checkout_url, url)
        self.assertEqual(payment.expires_at.timestamp(), expires_at)
        sent = payment.options["stripe_checkout_session"]
        self.assertEqual(sent["line_items"][0]["price_data"]["unit_amount"], 4100)
        self.assertEqual(sent["metadata"], {"reference": reference, "payment": uuid})
        self.assertEqual(payment.submission.status, SubmissionStatus.WAITING_FOR_PAYMENT)
        self.assertEqual(mail.outbox, [])

    def test_no_customer_email_when_the_resident_gave_none(self):
        payment = make_payment(email="")
        start(payment)
        self.assertNotIn("customer_email", self.stripe.calls[0].form)

    def test_expiry_is_never_less_than_stripe_accepts(self):
        with override_settings(PAYMENT_CHECKOUT_MINUTES=5):
            start(make_payment())
        self.assertGreaterEqual(int(self.stripe.calls[0].form["expires_at"]) - time.time(), 1800)
        self.assertEqual(self.stripe.calls[0].status, 200)

    def test_a_second_click_reuses_the_open_checkout(self):
        payment = make_payment()
        first = start(payment)
        second = start(Payment.objects.get(pk=payment.pk))
        self.assertEqual(first, second)
        self.assertEqual(len(self.stripe.session_creates), 1)

    def test_two_clicks_at_once_send_the_same_key_and_get_one_session(self):
        payment = make_payment()
        first = start(payment)
        # The second click was sent before the first had saved its checkout.
        Payment.objects.filter(pk=payment.pk).update(
            provider_session_id="", checkout_url="", expires_at=None
        )
        second = start(Payment.objects.get(pk=payment.pk))
        self.assertEqual(first, second)
        calls = self.stripe.session_creates
        self.assertEqual(len(calls), 2)
        self.assertEqual(calls[0].idempotency_key, calls[1].idempotency_key)
        self.assertEqual(calls[1].status, 200)
        self.assertEqual(len(self.stripe.sessions), 1)

    def test_a_checkout_that_ran_out_is_replaced_with_a_new_key(self):
        payment = make_payment()
        first = start(payment)
        Payment.objects.filter(pk=payment.pk).update(
            expires_at=timezone.now() - datetime.timedelta(minutes=1)
        )
        second = start(Payment.objects.get(pk=payment.pk))
        self.assertNotEqual(first, second)
        keys = [c.idempotency_key for c in self.stripe.session_creates]
        self.assertEqual(keys, [f"checkout-{payment.uuid}-1", f"checkout-{payment.uuid}-2"])
        self.assertEqual(len(self.stripe.sessions), 2)
        payment.refresh_from_db()
        self.assertEqual(payment.checkout_url, second)

    def test_stripe_500_is_a_provider_error_and_the_next_try_uses_a_new_key(self):
        payment = make_payment()
        self.stripe.fail_next(500)
        with self.assertRaises(ProviderError):
            start(payment)
        payment.refresh_from_db()
        self.assertEqual(payment.attempt, 2)
        self.assertEqual(payment.status, PaymentStatus.CREATED)
        self.assertEqual(payment.provider_session_id, "")
        # Stripe said not to retry a 500 (it would replay it): one request only.
        self.assertEqual(len(self.stripe.calls), 1)

        url = start(payment)
        keys = [c.idempotency_key for c in self.stripe.session_creates]
        self.assertEqual(keys, [f"checkout-{payment.uuid}-1", f"checkout-{payment.uuid}-2"])
        self.assertEqual(url, self.stripe.last_session()["url"])

    def test_the_same_key_again_would_replay_the_500(self):
        payment = make_payment()
        self.stripe.fail_next(500)
        with self.assertRaises(ProviderError):
            start(payment)
        Payment.objects.filter(pk=payment.pk).update(attempt=1)  # as if the key were reused
        with self.assertRaises(ProviderError):
            start(Payment.objects.get(pk=payment.pk))
        self.assertEqual([c.status for c in self.stripe.calls], [500, 500])
        self.assertEqual(self.stripe.sessions, {})

    def test_a_card_error_or_a_refusal_is_a_provider_error(self):
        payment = make_payment()
        self.stripe.fail_next(402, "card_error", "Your card was declined.", code="card_declined")
        with self.assertRaises(ProviderError):
            start(payment)
        self.stripe.fail_next(400, "invalid_request_error", "Invalid currency")
        with self.assertRaises(ProviderError):
            start(Payment.objects.get(pk=payment.pk))
        self.assertEqual(Payment.objects.get(pk=payment.pk).attempt, 3)

    def test_a_dropped_connection_is_retried_once_with_the_same_key(self):
        payment = make_payment()
        self.stripe.drop_next(1)
        url = start(payment)
        calls = self.stripe.session_creates
        self.assertEqual([c.dropped for c in calls], [True, False])
        self.assertEqual(calls[0].idempotency_key, calls[1].idempotency_key)
        self.assertEqual(url, self.stripe.last_session()["url"])

    def test_stripe_unreachable_is_a_provider_error(self):
        payment = make_payment()
        self.stripe.drop_next(2)
        with self.assertRaises(ProviderError):
            start(payment)
        self.assertEqual(len(self.stripe.calls), 2)
        self.assertEqual(Payment.objects.get(pk=payment.pk).attempt, 2)

    def test_no_secret_key_is_a_provider_error_without_a_request(self):
        with override_settings(STRIPE_SECRET_KEY=""), self.assertRaises(ProviderError):
            start(make_payment())
        self.assertEqual(self.stripe.calls, [])

    def test_a_paid_payment_is_not_sent_to_pay_again(self):
        payment = make_payment()
        start(payment)
        Payment.objects.filter(pk=payment.pk).update(status=PaymentStatus.PAID)
        url = start(Payment.objects.get(pk=payment.pk))
        self.assertEqual(url, f"http://testserver/payments/{payment.uuid}/return/")
        self.assertEqual(len(self.stripe.calls), 1)


@skipUnlessDBFeature("has_select_for_update")
@override_settings(**STRIPE_SETTINGS)
class SimultaneousClicksTests(FakeStripeMixin, TransactionTestCase):
    """PostgreSQL only: clicks at the same moment wait for each other's checkout."""

    def test_five_clicks_at_once_make_one_checkout_session(self):
        payment = make_payment()
        barrier = threading.Barrier(5)
        locations = []

        def payer():
            """A browser whose session sent the request (only that one may start its payment)."""
            client = Client()
            session = client.session
            session[SENT_SESSION_KEY] = [payment.submission.reference]
            session.save()
            return client

        def click():
            try:
                client = payer()
                barrier.wait(timeout=10)
                response = client.post(f"/payments/{payment.uuid}/start/")
                locations.append(response.get("Location"))
            finally:
                connection.close()

        threads = [threading.Thread(target=click) for _ in range(5)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        self.assertEqual(len(self.stripe.session_creates), 1)
        self.assertEqual(locations, [self.stripe.last_session()["url"]] * 5)


@override_settings(**STRIPE_SETTINGS)
class FetchStateTests(FakeStripeMixin, TestCase):
    def setUp(self):
        super().setUp()
        self.payment = make_payment()
        start(self.payment)
        self.payment.refresh_from_db()
        self.session_id = self.payment.provider_session_id

    def state(self):
        return get_provider("stripe").fetch_state(self.payment)

    def test_it_retrieves_the_session(self):
        self.state()
        call = self.stripe.calls[-1]
        self.assertEqual(call.method, "get")
        self.assertEqual(call.url, f"https://api.stripe.com/v1/checkout/sessions/{self.session_id}")
        self.assertEqual(call.api_version, STRIPE_API_VERSION)

    def test_open_is_pending(self):
        state = self.state()
        self.assertEqual((state.status, state.session_id), (PaymentStatus.PENDING, self.session_id))
        self.assertEqual(state.payment_id, "")

    def test_complete_and_paid_is_paid_with_its_payment_intent(self):
        session = self.stripe.complete(self.session_id)
        state = self.state()
        self.assertEqual(state.status, PaymentStatus.PAID)
        self.assertEqual(state.payment_id, session["payment_intent"])

    def test_complete_but_unpaid_is_still_pending(self):
        self.stripe.complete(self.session_id, payment_status="unpaid")
        self.assertEqual(self.state().status, PaymentStatus.PENDING)
        self.stripe.complete(self.session_id, payment_status="no_payment_required")
        self.assertEqual(self.state().status, PaymentStatus.PENDING)

    def test_expired_is_expired(self):
        self.stripe.expire(self.session_id)
        self.assertEqual(self.state().status, PaymentStatus.EXPIRED)

    def test_paid_for_another_amount_is_not_paid(self):
        self.stripe.complete(self.session_id)
        self.stripe.sessions[self.session_id]["amount_total"] = 100
        with self.assertLogs("forms.payments.stripe_checkout", "ERROR"):
            self.assertEqual(self.state().status, PaymentStatus.PENDING)

    def test_errors_are_provider_errors(self):
        self.stripe.fail_next(500)
        with self.assertRaises(ProviderError):
            self.state()
        self.stripe.sessions.clear()  # 404 No such checkout.session
        with self.assertRaises(ProviderError):
            self.state()


@override_settings(**STRIPE_SETTINGS)
class RefundTests(FakeStripeMixin, TestCase):
    def setUp(self):
        super().setUp()
        payment = make_payment(4100)
        start(payment)
        payment.refresh_from_db()
        session = self.stripe.complete(payment.provider_session_id)
        self.intent = session["payment_intent"]
        get_provider("stripe").fetch_state(payment)
        from forms.payments.transitions import update_payment

        self.payment = update_payment(payment, PaymentStatus.PAID, payment_id=self.intent)
        self.stripe.calls.clear()

    def refund(self, amount, key):
        refund_payment(self.payment, amount, user=None, idempotency_key=key, reason="test")
        self.payment.refresh_from_db()

    def test_a_full_refund(self):
        self.refund(4100, "refund-form-1")
        [call] = self.stripe.refund_creates
        self.assertEqual(call.url, "https://api.stripe.com/v1/refunds")
        self.assertEqual(call.idempotency_key, "refund-form-1")
        self.assertEqual(call.api_version, STRIPE_API_VERSION)
        self.assertEqual(call.form["payment_intent"], self.intent)
        self.assertEqual(call.form["amount"], "4100")
        self.assertEqual(call.form["metadata[payment]"], str(self.payment.uuid))
        self.assertEqual(self.payment.status, PaymentStatus.REFUNDED)
        self.assertEqual(self.payment.refunded_pence, 4100)
        refund = Refund.objects.get()
        self.assertEqual(refund.provider_refund_id, next(iter(self.stripe.refunds)))
        self.assertTrue(refund.provider_refund_id.startswith("re_test_"))

    def test_partial_refunds_then_the_rest(self):
        self.refund(1000, "r1")
        self.assertEqual(
            (self.payment.status, self.payment.refunded_pence),
            (PaymentStatus.PARTIALLY_REFUNDED, 1000),
        )
        self.refund(3100, "r2")
        self.assertEqual(
            (self.payment.status, self.payment.refunded_pence), (PaymentStatus.REFUNDED, 4100)
        )
        self.assertEqual([c.form["amount"] for c in self.stripe.refund_creates], ["1000", "3100"])
        self.assertEqual(self.stripe.charges[self.intent]["amount_refunded"], 4100)

    def test_the_same_refund_form_twice_sends_one_request(self):
        self.refund(1000, "r1")
        self.refund(1000, "r1")
        self.assertEqual(len(self.stripe.refund_creates), 1)
        self.assertEqual(Refund.objects.count(), 1)
        self.assertEqual(self.payment.refunded_pence, 1000)

    def test_more_than_is_refundable_is_refused_without_asking_stripe(self):
        self.refund(4000, "r1")
        with self.assertRaises(ValidationError):
            self.refund(200, "r2")
        self.assertEqual(len(self.stripe.refund_creates), 1)
        self.assertEqual(self.payment.refunded_pence, 4000)

    def test_stripe_refusing_is_a_provider_error_and_nothing_is_recorded(self):
        self.stripe.fail_next(402, "card_error", "The card was closed.", code="expired_card")
        with self.assertRaises(ProviderError):
            self.refund(1000, "r1")
        self.assertEqual(Refund.objects.count(), 0)
        self.assertEqual((self.payment.status, self.payment.refunded_pence), ("paid", 0))

    def test_the_payment_intent_is_looked_up_when_it_was_not_recorded(self):
        Payment.objects.filter(pk=self.payment.pk).update(provider_payment_id="")
        self.payment.refresh_from_db()
        self.refund(500, "r1")
        self.assertEqual(self.stripe.refund_creates[0].form["payment_intent"], self.intent)

    def test_the_client_is_made_in_one_place(self):
        client = StripeCheckout.client()
        self.assertIs(client._requestor._get_http_client(), self.stripe)
        self.assertEqual(client._requestor._options.stripe_version, STRIPE_API_VERSION)
        self.assertEqual(client._requestor._options.max_network_retries, 1)

    def test_without_a_fake_it_would_use_requests_with_a_short_timeout(self):
        import stripe

        with mock.patch.object(stripe_checkout, "http_client", None):
            real = StripeCheckout.client()._requestor._get_http_client()
        self.assertIsInstance(real, stripe.RequestsClient)
        self.assertEqual(real._timeout, stripe_checkout.TIMEOUT_SECONDS)


@override_settings(**STRIPE_SETTINGS)
class PayingThroughTheSiteTests(PaidFlowMixin, FakeStripeMixin, TestCase):
    def test_send_goes_to_stripe_for_the_amount_worked_out_on_the_server(self):
        response, _token = self.send(
            items="5",
            extra={"amount": "1", "amount_pence": "1", "fee_pence": "1", "unit_amount": "1"},
        )
        payment = Payment.objects.get()
        self.assertEqual(payment.amount_pence, 4100)  # £25 for 3, then 2 x £8
        self.assertEqual(response.status_code, 302)
        self.assertEqual(response["Location"], self.stripe.last_session()["url"])
        self.assertEqual(
            self.stripe.session_creates[0].form["line_items[0][price_data][unit_amount]"], "4100"
        )
        # The "try again" button, tampered with, asks for the same amount too.
        self.client.post(f"/payments/{payment.uuid}/start/", {"amount": "1", "unit_amount": "1"})
        for call in self.stripe.session_creates:
            self.assertEqual(call.form["line_items[0][price_data][unit_amount]"], "4100")

    def test_double_click_on_send_makes_one_checkout_session(self):
        first, token = self.send()
        second = self.client.post(f"{self.base}check-your-answers/", {"token": token})
        self.assertEqual(second["Location"], first["Location"])
        self.assertEqual(len(self.stripe.session_creates), 1)
        self.assertEqual(Submission.objects.count(), 1)
        self.assertEqual(Payment.objects.count(), 1)

    def test_stripe_down_shows_try_again_and_other_ways_to_pay(self):
        self.stripe.fail_next(500)
        response, _token = self.send()
        self.assertEqual(response.status_code, 503)
        soup = BeautifulSoup(response.content, "html.parser")
        text = soup.main.get_text(" ", strip=True)
        submission = Submission.objects.get()
        self.assertIn("Try again", text)
        self.assertIn("Other ways to pay", text)
        self.assertIn(submission.reference, text)
        self.assertEqual(submission.status, SubmissionStatus.WAITING_FOR_PAYMENT)
        self.assertEqual(mail.outbox, [])
        payment = Payment.objects.get()
        form = soup.find("form", action=f"/payments/{payment.uuid}/start/")
        self.assertIsNotNone(form)

        retry = self.client.post(form["action"])
        self.assertEqual(retry.status_code, 302)
        self.assertEqual(retry["Location"], self.stripe.last_session()["url"])
        keys = [c.idempotency_key for c in self.stripe.session_creates]
        self.assertEqual(keys, [f"checkout-{payment.uuid}-1", f"checkout-{payment.uuid}-2"])
        payment.refresh_from_db()
        self.assertEqual(payment.status, PaymentStatus.PENDING)

    def test_coming_back_without_paying_offers_the_same_checkout_again(self):
        response, _token = self.send()
        payment = Payment.objects.get()
        back = self.client.get(f"/payments/{payment.uuid}/return/?cancelled=1")
        self.assertContains(back, "You cancelled your payment")
        retry = self.client.post(f"/payments/{payment.uuid}/start/")
        self.assertEqual(retry["Location"], response["Location"])
        self.assertEqual(len(self.stripe.session_creates), 1)
        self.assertEqual(Submission.objects.get().status, SubmissionStatus.WAITING_FOR_PAYMENT)

    def test_an_expired_checkout_can_be_tried_again_with_a_new_session(self):
        self.send()
        payment = Payment.objects.get()
        self.stripe.expire(payment.provider_session_id)
        back = self.client.get(f"/payments/{payment.uuid}/return/")
        self.assertContains(back, "Your payment was not taken")
        self.assertEqual(Payment.objects.get().status, PaymentStatus.EXPIRED)
        retry = self.client.post(f"/payments/{payment.uuid}/start/")
        self.assertEqual(retry["Location"], self.stripe.last_session()["url"])
        self.assertEqual(len(self.stripe.sessions), 2)
        self.assertEqual(self.stripe.session_creates[-1].idempotency_key[-2:], "-2")
