"""Stripe's webhooks: signed, recent, recorded once, acted on once, and never moving a payment
backwards whatever order (or how many times) they come in."""

import json
import threading
import uuid

from django.core import mail
from django.db import close_old_connections, connection
from django.test import (
    Client,
    RequestFactory,
    TestCase,
    TransactionTestCase,
    override_settings,
    skipUnlessDBFeature,
)

from forms.flows.constants import SubmissionStatus
from forms.payments import get_provider
from forms.payments.constants import PaymentStatus
from forms.payments.models import Payment, PaymentEvent
from tests.payments.stripe_fake import (
    STRIPE_SETTINGS,
    FakeStripeMixin,
    event,
    make_payment,
    post_webhook,
    signed_webhook,
    stale_webhook,
)

WEBHOOK_URL = "/payments/stripe/webhook/"


class WebhookSetUp(FakeStripeMixin):
    def setUp(self):
        super().setUp()
        payment = make_payment(4100)
        get_provider("stripe").start_payment(payment, RequestFactory().get("/"))
        self.payment = Payment.objects.get(pk=payment.pk)
        self.session_id = self.payment.provider_session_id

    def post(self, body, **kwargs):
        return post_webhook(self.client, body, **kwargs)

    def fresh(self):
        return Payment.objects.select_related("submission").get(pk=self.payment.pk)

    def completed(self, payment_status="paid", **kwargs):
        return event(
            "checkout.session.completed",
            self.stripe.complete(self.session_id, payment_status),
            **kwargs,
        )

    def assert_paid_once(self):
        payment = self.fresh()
        self.assertEqual(payment.status, PaymentStatus.PAID)
        self.assertEqual(payment.submission.status, SubmissionStatus.PAID)
        self.assertEqual(len(mail.outbox), 1)
        self.assertIn(payment.submission.reference, mail.outbox[0].body)
        self.assertEqual(mail.outbox[0].to, ["sam@example.org"])
        return payment


@override_settings(**STRIPE_SETTINGS)
class WebhookTests(WebhookSetUp, TestCase):
    def test_the_url(self):
        self.assertEqual(WEBHOOK_URL, "/payments/stripe/webhook/")
        response = self.post(self.completed())
        self.assertEqual(response.status_code, 200)

    def test_completed_alone_pays_and_emails_once(self):
        """The resident closed the browser on Stripe's page: the webhook is all we get."""
        body = self.completed()
        response = self.post(body)
        self.assertEqual(response.status_code, 200)
        payment = self.assert_paid_once()
        self.assertEqual(payment.provider_payment_id, body["data"]["object"]["payment_intent"])
        self.assertIsNotNone(payment.paid_at)
        recorded = PaymentEvent.objects.get()
        self.assertEqual(
            (recorded.provider, recorded.event_id, recorded.type, recorded.payment),
            ("stripe", body["id"], "checkout.session.completed", payment),
        )
        self.assertEqual(recorded.payload["data"]["object"]["id"], self.session_id)

    def test_the_same_event_ten_times_acts_once(self):
        body = self.completed()
        for _ in range(10):
            self.assertEqual(self.post(body).status_code, 200)
        self.assert_paid_once()
        self.assertEqual(PaymentEvent.objects.count(), 1)

    def test_a_repeat_is_not_acted_on_even_if_it_says_something_else(self):
        body = self.completed(payment_status="unpaid")
        self.post(body)
        body["data"]["object"]["payment_status"] = "paid"  # same id: already handled
        self.assertEqual(self.post(body).status_code, 200)
        self.assertEqual(self.fresh().status, PaymentStatus.PENDING)
        self.assertEqual(mail.outbox, [])

    def test_expired_after_completed_stays_paid(self):
        open_snapshot = self.stripe.last_session()
        self.post(self.completed())
        late = dict(open_snapshot, status="expired", url=None)
        self.assertEqual(self.post(event("checkout.session.expired", late)).status_code, 200)
        self.assert_paid_once()
        self.assertEqual(PaymentEvent.objects.count(), 2)

    def test_completed_after_expired_is_paid(self):
        open_snapshot = self.stripe.last_session()
        self.post(event("checkout.session.expired", dict(open_snapshot, status="expired")))
        self.assertEqual(self.fresh().status, PaymentStatus.EXPIRED)
        self.post(self.completed())
        self.assert_paid_once()

    def test_failed_after_paid_stays_paid(self):
        self.post(self.completed())
        failed = dict(self.stripe.last_session(), payment_status="unpaid")
        self.post(event("checkout.session.async_payment_failed", failed))
        self.assert_paid_once()

    def test_a_delayed_payment_waits_then_fails(self):
        self.post(self.completed(payment_status="unpaid"))
        self.assertEqual(self.fresh().status, PaymentStatus.PENDING)
        self.assertEqual(mail.outbox, [])
        session = self.stripe.settle(self.session_id, succeeded=False)
        self.post(event("checkout.session.async_payment_failed", session))
        payment = self.fresh()
        self.assertEqual(payment.status, PaymentStatus.FAILED)
        self.assertEqual(payment.submission.status, SubmissionStatus.WAITING_FOR_PAYMENT)
        self.assertEqual(mail.outbox, [])

    def test_a_delayed_payment_waits_then_succeeds(self):
        self.post(self.completed(payment_status="unpaid"))
        session = self.stripe.settle(self.session_id, succeeded=True)
        self.post(event("checkout.session.async_payment_succeeded", session))
        self.assert_paid_once()

    def test_charge_refunded_partly_then_fully(self):
        self.post(self.completed())
        intent = self.fresh().provider_payment_id
        self.post(event("charge.refunded", self.stripe.refund_charge(intent, 1000)))
        payment = self.fresh()
        self.assertEqual(
            (payment.status, payment.refunded_pence), (PaymentStatus.PARTIALLY_REFUNDED, 1000)
        )
        self.post(event("charge.refunded", self.stripe.refund_charge(intent, 3100)))
        payment = self.fresh()
        self.assertEqual((payment.status, payment.refunded_pence), (PaymentStatus.REFUNDED, 4100))
        self.assertEqual(len(mail.outbox), 1)  # the confirmation only

    def test_charge_refunded_is_found_by_its_payment_intent(self):
        self.post(self.completed())
        intent = self.fresh().provider_payment_id
        charge = self.stripe.refund_charge(intent, 4100)
        charge["metadata"] = {}
        self.post(event("charge.refunded", charge))
        self.assertEqual(self.fresh().status, PaymentStatus.REFUNDED)

    def test_the_payment_is_found_by_reference_then_by_session(self):
        session = self.stripe.complete(self.session_id)
        by_reference = dict(session, metadata={})
        self.post(event("checkout.session.completed", by_reference))
        self.assertEqual(PaymentEvent.objects.get().payment, self.payment)
        by_session = dict(session, metadata={}, client_reference_id=None)
        self.post(event("checkout.session.completed", by_session))
        self.assertEqual(PaymentEvent.objects.filter(payment=self.payment).count(), 2)
        self.assert_paid_once()

    def test_an_unknown_payment_is_recorded_and_ignored(self):
        session = dict(
            self.stripe.complete(self.session_id),
            id="cs_test_someone_else",
            client_reference_id="FCC-XXXX-XXXX",
            metadata={"payment": str(uuid.uuid4())},
        )
        self.assertEqual(self.post(event("checkout.session.completed", session)).status_code, 200)
        self.assertIsNone(PaymentEvent.objects.get().payment)
        self.assertEqual(self.fresh().status, PaymentStatus.PENDING)
        self.assertEqual(mail.outbox, [])

    def test_another_event_type_is_recorded_and_ignored(self):
        body = event("payment_intent.created", {"id": "pi_test_x", "object": "payment_intent"})
        self.assertEqual(self.post(body).status_code, 200)
        self.assertEqual(PaymentEvent.objects.get().type, "payment_intent.created")
        self.assertEqual(self.fresh().status, PaymentStatus.PENDING)

    def test_an_older_checkout_expiring_does_not_expire_the_current_one(self):
        old = self.stripe.last_session()
        Payment.objects.filter(pk=self.payment.pk).update(provider_session_id="cs_test_newer")
        self.post(event("checkout.session.expired", dict(old, status="expired")))
        self.assertEqual(self.fresh().status, PaymentStatus.PENDING)

    def test_an_older_checkout_paid_still_pays(self):
        session = self.stripe.complete(self.session_id)
        Payment.objects.filter(pk=self.payment.pk).update(provider_session_id="cs_test_newer")
        self.post(event("checkout.session.completed", session))
        self.assert_paid_once()

    def test_paid_for_another_amount_is_not_paid(self):
        session = dict(self.stripe.complete(self.session_id), amount_total=100)
        with self.assertLogs("forms.payments.stripe_checkout", "ERROR"):
            self.post(event("checkout.session.completed", session))
        self.assertEqual(self.fresh().status, PaymentStatus.PENDING)
        self.assertEqual(mail.outbox, [])


@override_settings(**STRIPE_SETTINGS)
class WebhookSignatureTests(WebhookSetUp, TestCase):
    def assert_refused(self, response):
        self.assertEqual(response.status_code, 400)
        self.assertEqual(PaymentEvent.objects.count(), 0)
        self.assertEqual(self.fresh().status, PaymentStatus.PENDING)
        self.assertEqual(mail.outbox, [])

    def raw(self, payload, header):
        extra = {"HTTP_STRIPE_SIGNATURE": header} if header is not None else {}
        return self.client.post(WEBHOOK_URL, payload, content_type="application/json", **extra)

    def test_signed_with_another_secret(self):
        self.assert_refused(self.post(self.completed(), secret="whsec_someone_else"))

    def test_body_changed_after_signing(self):
        payload, header = signed_webhook(self.completed())
        self.assert_refused(self.raw(payload.replace("4100", "1"), header))

    def test_stale_timestamp(self):
        payload, header = stale_webhook(self.completed())
        self.assert_refused(self.raw(payload, header))

    def test_missing_or_garbled_header(self):
        payload, _header = signed_webhook(self.completed())
        self.assert_refused(self.raw(payload, None))
        self.assert_refused(self.raw(payload, "nonsense"))
        self.assert_refused(self.raw(payload, "t=1,v0=abc"))

    def test_signed_but_not_json_or_not_an_event(self):
        self.assert_refused(self.raw(*signed_webhook("{not json")))
        self.assert_refused(self.raw(*signed_webhook("[1, 2]")))
        self.assert_refused(self.raw(*signed_webhook(json.dumps({"object": "event"}))))

    def test_no_webhook_secret_configured(self):
        with override_settings(STRIPE_WEBHOOK_SECRET=""):
            self.assert_refused(self.post(self.completed()))

    def test_only_post(self):
        self.assertEqual(self.client.get(WEBHOOK_URL).status_code, 405)


@skipUnlessDBFeature("has_select_for_update")
@override_settings(**STRIPE_SETTINGS)
class SimultaneousWebhookTests(WebhookSetUp, TransactionTestCase):
    """PostgreSQL only (SQLite has no row locks): the same event, delivered several times at
    the same moment, acts once."""

    def test_the_same_event_at_the_same_time_acts_once(self):
        body = self.completed()
        payload, header = signed_webhook(body)
        barrier = threading.Barrier(6)
        statuses = []

        def deliver():
            try:
                barrier.wait(timeout=10)
                response = Client().post(
                    WEBHOOK_URL,
                    payload,
                    content_type="application/json",
                    HTTP_STRIPE_SIGNATURE=header,
                )
                statuses.append((response.status_code, response.content.decode()))
            finally:
                close_old_connections()
                connection.close()

        threads = [threading.Thread(target=deliver) for _ in range(6)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        # exactly one delivery recorded and acted on it; the others saw it was already handled
        self.assertEqual(sorted(statuses), [(200, "Already handled")] * 5 + [(200, "OK")])
        self.assertEqual(PaymentEvent.objects.count(), 1)
        self.assert_paid_once()
        self.assertEqual(self.fresh().submission.events.filter(status="paid").count(), 1)

    def test_different_events_at_the_same_time_act_once(self):
        session = self.stripe.complete(self.session_id)
        bodies = [event("checkout.session.completed", session) for _ in range(3)] + [
            event("checkout.session.async_payment_succeeded", session) for _ in range(3)
        ]
        barrier = threading.Barrier(len(bodies))
        statuses = []

        def deliver(body):
            try:
                payload, header = signed_webhook(body)
                barrier.wait(timeout=10)
                response = Client().post(
                    WEBHOOK_URL,
                    payload,
                    content_type="application/json",
                    HTTP_STRIPE_SIGNATURE=header,
                )
                statuses.append(response.status_code)
            finally:
                connection.close()

        threads = [threading.Thread(target=deliver, args=(b,)) for b in bodies]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        self.assertEqual(statuses, [200] * len(bodies))
        self.assertEqual(PaymentEvent.objects.count(), len(bodies))
        self.assert_paid_once()
        self.assertEqual(self.fresh().submission.events.filter(status="paid").count(), 1)
