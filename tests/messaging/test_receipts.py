"""GOV.UK Notify's delivery receipts at our callback: signed in with the bearer token set on
Notify's Callbacks page, posted as Notify posts them, twice or in any order. A final answer
(delivered, permanent failure) is never replaced by an earlier or lesser one; staff see a
permanent failure plainly."""

from __future__ import annotations

import datetime
import itertools
import json
import uuid

from django.contrib.auth import get_user_model
from django.test import Client, TestCase, override_settings
from django.utils import timezone

from forms.messaging import Channel, Kind, State
from forms.messaging.models import Message
from tests.messaging.helpers import make_message_flow, make_submission
from tests.messaging.notify_fake import NOTIFY_SETTINGS

CALLBACK = "/messages/notify/callback/"
TOKEN = NOTIFY_SETTINGS["NOTIFY_CALLBACK_TOKEN"]
T0 = datetime.datetime(2026, 12, 1, 9, 0, tzinfo=datetime.UTC)


def at(minutes: int) -> datetime.datetime:
    return T0 + datetime.timedelta(minutes=minutes)


def notify_time(value: datetime.datetime) -> str:
    """As Notify writes times: UTC, microseconds, a Z."""
    return value.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@override_settings(**NOTIFY_SETTINGS)
class ReceiptTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.flow = make_message_flow()
        cls.submission = make_submission(cls.flow)
        cls.staff = get_user_model().objects.create_superuser(
            "receipt-test-admin", "admin@example.org", "a long enough password"
        )

    def make_message(self, channel: str = Channel.EMAIL) -> Message:
        return Message.objects.create(
            submission=self.submission,
            kind=Kind.CONFIRMATION,
            channel=channel,
            provider="notify",
            provider_id=str(uuid.uuid4()),
            state=State.SENT,
            sent_at=at(-1),
            state_at=at(-1),
        )

    def receipt(self, message: Message, status: str, when: datetime.datetime, **extra) -> dict:
        return {
            "id": message.provider_id,
            "reference": str(message.uuid),
            "to": "resident@example.com",
            "status": status,
            "created_at": notify_time(at(-1)),
            "completed_at": notify_time(when),
            "sent_at": notify_time(at(-1)),
            "notification_type": message.channel,
            "template_id": "f33517ff-2a88-4f6e-b855-c550268ce08a",
            "template_version": 1,
            **extra,
        }

    def post(self, body, token: str | None = TOKEN, client: Client | None = None, **headers):
        if token is not None:
            headers["HTTP_AUTHORIZATION"] = f"Bearer {token}"
        data = body if isinstance(body, str | bytes) else json.dumps(body)
        return (client or self.client).post(
            CALLBACK, data=data, content_type="application/json", **headers
        )


class ReceiptTests(ReceiptTestCase):
    def test_delivered(self):
        message = self.make_message()
        response = self.post(self.receipt(message, "delivered", at(2)))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.json(), {"result": "updated"})
        message.refresh_from_db()
        self.assertEqual((message.state, message.state_at), (State.DELIVERED, at(2)))

    def test_the_same_receipt_twice_changes_nothing_the_second_time(self):
        message = self.make_message()
        receipt = self.receipt(message, "delivered", at(2))
        self.assertEqual(self.post(receipt).json(), {"result": "updated"})
        response = self.post(receipt)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.json(), {"result": "unchanged"})
        message.refresh_from_db()
        self.assertEqual((message.state, message.state_at), (State.DELIVERED, at(2)))

    def test_receipts_in_any_order_or_twice_end_in_the_same_state(self):
        cases = [
            # a temporary failure, then the phone came back on: delivered, whatever came first
            (
                [("temporary-failure", 1), ("delivered", 2), ("delivered", 2)],
                (State.DELIVERED, 2),
            ),
            # a final failure is not replaced by a lesser one, earlier or later
            (
                [("technical-failure", 0), ("temporary-failure", 1), ("permanent-failure", 2)],
                (State.PERMANENT_FAILURE, 2),
            ),
            (
                [("permanent-failure", 1), ("temporary-failure", 3)],
                (State.PERMANENT_FAILURE, 1),
            ),
            # two temporary failures: the later one counts, not the one that arrived last
            ([("temporary-failure", 1), ("temporary-failure", 4)], (State.TEMPORARY_FAILURE, 4)),
        ]
        for receipts, (state, minute) in cases:
            for order in itertools.permutations(receipts):
                with self.subTest(order=order):
                    message = self.make_message()
                    for status, when in order:
                        response = self.post(self.receipt(message, status, at(when)))
                        self.assertEqual(response.status_code, 200)
                    message.refresh_from_db()
                    self.assertEqual((message.state, message.state_at), (state, at(minute)))

    def test_found_by_notifys_id_when_the_reference_is_missing(self):
        message = self.make_message()
        self.post(self.receipt(message, "delivered", at(2), reference=None))
        message.refresh_from_db()
        self.assertEqual(message.state, State.DELIVERED)

    def test_a_receipt_for_a_message_we_no_longer_have_is_acknowledged(self):
        message = self.make_message()
        receipt = self.receipt(message, "delivered", at(2))
        message.delete()  # its request deleted by the retention command
        response = self.post(receipt)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.json(), {"result": "unknown"})

    def test_a_receipt_keeps_nothing_personal(self):
        message = self.make_message()
        Message.objects.filter(pk=message.pk).update(to="resident@example.com", body="Hello")
        self.post(self.receipt(message, "permanent-failure", at(2)))
        message.refresh_from_db()
        self.assertEqual((message.to, message.body), ("", ""))

    def test_staff_see_a_permanent_failure_plainly(self):
        email = self.make_message()
        text = self.make_message(channel=Channel.SMS)
        self.post(self.receipt(email, "permanent-failure", at(2)))
        self.post(self.receipt(text, "permanent-failure", at(2), notification_type="sms"))
        self.client.force_login(self.staff)
        page = self.client.get(f"/admin/requests/{self.submission.pk}/")
        self.assertContains(page, "Confirmation email not delivered: check the email address")
        self.assertContains(page, "Confirmation text message not delivered: check the phone number")

    def test_staff_see_a_delivered_message_as_delivered(self):
        message = self.make_message()
        self.post(self.receipt(message, "delivered", at(2)))
        self.client.force_login(self.staff)
        page = self.client.get(f"/admin/requests/{self.submission.pk}/")
        self.assertContains(page, 'data-message-state="delivered"')
        self.assertNotContains(page, "not delivered")


class CallbackGuardTests(ReceiptTestCase):
    def test_no_token_is_401(self):
        message = self.make_message()
        response = self.post(self.receipt(message, "delivered", at(2)), token=None)
        self.assertEqual(response.status_code, 401)
        self.assertIn("Bearer", response["WWW-Authenticate"])
        self.assertEqual(
            self.post(
                self.receipt(message, "delivered", at(2)),
                token=None,
                HTTP_AUTHORIZATION=f"Basic {TOKEN}",
            ).status_code,
            401,
        )
        message.refresh_from_db()
        self.assertEqual(message.state, State.SENT)

    def test_a_wrong_token_is_403(self):
        message = self.make_message()
        for token in ("wrong", TOKEN[:-1], TOKEN + "x"):
            with self.subTest(token=token):
                response = self.post(self.receipt(message, "delivered", at(2)), token=token)
                self.assertEqual(response.status_code, 403)
        message.refresh_from_db()
        self.assertEqual(message.state, State.SENT)

    @override_settings(NOTIFY_CALLBACK_TOKEN="")
    def test_with_no_token_set_every_receipt_is_refused(self):
        message = self.make_message()
        self.assertEqual(
            self.post(self.receipt(message, "delivered", at(2)), token="x").status_code, 403
        )

    def test_what_is_not_a_receipt_is_400_never_500(self):
        message = self.make_message()
        for body in [
            "{not json",
            b"\xff\xfe not utf-8",
            "[]",
            "null",
            json.dumps({"id": message.provider_id, "status": "sending"}),
            json.dumps({"status": "delivered"}),
            json.dumps(
                self.receipt(message, "delivered", at(2), completed_at="not a time")
            ).replace('"status": "delivered"', '"status": 5'),
        ]:
            with self.subTest(body=body):
                response = self.post(body)
                self.assertEqual(response.status_code, 400)
        message.refresh_from_db()
        self.assertEqual(message.state, State.SENT)

    def test_a_time_notify_did_not_send_is_now(self):
        message = self.make_message()
        response = self.post(
            self.receipt(
                message, "delivered", at(2), completed_at=None, sent_at=None, created_at="nonsense"
            )
        )
        self.assertEqual(response.status_code, 200)
        message.refresh_from_db()
        self.assertEqual(message.state, State.DELIVERED)
        self.assertLess(timezone.now() - message.state_at, datetime.timedelta(minutes=1))

    def test_notify_needs_no_csrf_token(self):
        message = self.make_message()
        client = Client(enforce_csrf_checks=True)
        response = self.post(self.receipt(message, "delivered", at(2)), client=client)
        self.assertEqual(response.status_code, 200)

    def test_only_post(self):
        response = self.client.get(CALLBACK, HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
        self.assertEqual(response.status_code, 405)
