"""GOV.UK Notify through its real client library (notifications-python-client), with Notify's
HTTP answered by a fake transport (notify_fake.py) that keeps what the client sent: the JSON
(template id, personalisation, our reference, the address or number) and a signed JWT. Notify
refusing (400), locked out (403), rate limiting (429), failing (500) or not answering: the
resident's request is never affected, the message is kept and retried or marked failed, and
staff see it on the request."""

from __future__ import annotations

import datetime
import io

import jwt
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import call_command
from django.test import TestCase, override_settings
from django.utils import timezone

from forms.flows.constants import SubmissionStatus
from forms.flows.notifications import send_confirmation, send_status_update
from forms.messaging import Channel, Kind, State
from forms.messaging.models import Message
from forms.messaging.sending import due_messages, send
from tests.messaging.helpers import make_message_flow, make_submission
from tests.messaging.notify_fake import (
    EMAIL_TEMPLATE,
    NOTIFY_SETTINGS,
    SECRET,
    SERVICE_ID,
    SMS_TEMPLATE,
    UPDATE_EMAIL_TEMPLATE,
    fake_notify,
)

NOTIFY = "https://api.notifications.service.gov.uk"
INBOX = "/admin/requests/"


@override_settings(**NOTIFY_SETTINGS)
class NotifyTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.flow = make_message_flow()
        cls.staff = get_user_model().objects.create_superuser(
            "notify-test-admin", "admin@example.org", "a long enough password"
        )

    def setUp(self):
        self.notify = self.enterContext(fake_notify())

    def message_for(self, submission, kind=Kind.CONFIRMATION) -> Message:
        return Message.objects.get(submission=submission, kind=kind)

    def inbox_page(self, submission):
        self.client.force_login(self.staff)
        return self.client.get(f"{INBOX}{submission.pk}/")


class NotifySendsTests(NotifyTestCase):
    def test_the_confirmation_goes_to_notify_with_our_words_and_our_reference(self):
        submission = make_submission(self.flow)
        self.assertTrue(send_confirmation(submission))

        self.assertEqual(len(self.notify.requests), 1)
        request = self.notify.requests[0]
        self.assertEqual(
            (request.method, request.url), ("POST", f"{NOTIFY}/v2/notifications/email")
        )
        message = self.message_for(submission)
        sent = self.notify.sent()
        self.assertEqual(sent["email_address"], "resident@example.com")
        self.assertEqual(sent["template_id"], EMAIL_TEMPLATE)
        self.assertEqual(sent["reference"], str(message.uuid))
        self.assertNotIn("email_reply_to_id", sent)
        personalisation = sent["personalisation"]
        self.assertEqual(set(personalisation), {"subject", "body"})
        self.assertEqual(
            personalisation["subject"], f"Bulky waste: your reference {submission.reference}"
        )
        self.assertIn(f"Your reference: {submission.reference}", personalisation["body"])
        self.assertIn("What to collect?\nA sofa", personalisation["body"])
        # The client signs each request with the key's secret: a JWT naming the service.
        scheme, _space, token = request.headers["Authorization"].partition(" ")
        self.assertEqual(scheme, "Bearer")
        claims = jwt.decode(token, SECRET, algorithms=["HS256"])
        self.assertEqual(claims["iss"], SERVICE_ID)
        self.assertAlmostEqual(claims["iat"], timezone.now().timestamp(), delta=30)
        self.assertEqual(request.headers["Content-type"], "application/json")

        # Recorded with Notify's id; nothing personal kept once Notify has it.
        self.assertEqual(message.state, State.SENT)
        self.assertEqual(message.provider, "notify")
        self.assertEqual(message.provider_id, self.notify.ids[0])
        self.assertEqual((message.to, message.subject, message.body), ("", "", ""))
        self.assertEqual(message.attempts, 1)
        self.assertEqual(mail.outbox, [])  # nothing through the mail server

    def test_a_welsh_request_is_told_in_welsh(self):
        submission = make_submission(self.flow, language="cy")
        send_confirmation(submission)
        subject = self.notify.sent()["personalisation"]["subject"]
        self.assertEqual(subject, f"Bulky waste: eich cyfeirnod {submission.reference}")
        self.assertEqual(self.message_for(submission).language, "cy")

    def test_a_kind_of_message_can_have_a_template_of_its_own(self):
        submission = make_submission(self.flow)
        event = submission.set_status(SubmissionStatus.IN_PROGRESS, "We will come on Tuesday.")
        self.assertTrue(send_status_update(submission, event))
        sent = self.notify.sent()
        self.assertEqual(sent["template_id"], UPDATE_EMAIL_TEMPLATE)
        self.assertIn("We will come on Tuesday.", sent["personalisation"]["body"])

    def test_a_text_message(self):
        submission = make_submission(self.flow)
        message = send(
            submission=submission,
            kind=Kind.STATUS_UPDATE,
            channel=Channel.SMS,
            to="07700 900123",
            body=f"Your request {submission.reference} is in progress.",
            language="en-gb",
        )
        request = self.notify.requests[0]
        self.assertEqual(request.url, f"{NOTIFY}/v2/notifications/sms")
        self.assertEqual(
            self.notify.sent(),
            {
                "phone_number": "07700 900123",
                "template_id": SMS_TEMPLATE,
                "personalisation": {"body": f"Your request {submission.reference} is in progress."},
                "reference": str(message.uuid),
            },
        )
        message.refresh_from_db()
        self.assertEqual((message.state, message.channel), (State.SENT, Channel.SMS))

    @override_settings(
        NOTIFY_EMAIL_REPLY_TO_ID="0ea2b3b5-8d4f-4b6b-a0ad-6ef2f3f2f3f3",
        NOTIFY_SMS_SENDER_ID="4d6b2f5e-1c1a-4b52-8b8c-2f2a5d1c7e9a",
    )
    def test_the_reply_to_address_and_text_sender_are_sent_when_set(self):
        submission = make_submission(self.flow)
        send_confirmation(submission)
        self.assertEqual(
            self.notify.sent()["email_reply_to_id"], "0ea2b3b5-8d4f-4b6b-a0ad-6ef2f3f2f3f3"
        )
        send(
            submission=submission,
            kind=Kind.CONFIRMATION,
            channel=Channel.SMS,
            to="07700900123",
            body="Hi",
        )
        self.assertEqual(
            self.notify.sent()["sms_sender_id"], "4d6b2f5e-1c1a-4b52-8b8c-2f2a5d1c7e9a"
        )

    @override_settings(NOTIFY_TEMPLATES={"email": EMAIL_TEMPLATE})
    def test_no_text_message_template_means_not_sent_and_says_why(self):
        submission = make_submission(self.flow)
        message = send(
            submission=submission,
            kind=Kind.CONFIRMATION,
            channel=Channel.SMS,
            to="07700900123",
            body="Hi",
        )
        self.assertEqual(message.state, State.TECHNICAL_FAILURE)
        self.assertIn("NOTIFY_SMS_TEMPLATE_ID", message.last_error)
        self.assertEqual(self.notify.requests, [])


class NotifyRefusesTests(NotifyTestCase):
    def test_400_about_the_email_address_is_a_permanent_failure_staff_can_see(self):
        self.notify.answer_error(400, "ValidationError", "email_address Not a valid email address")
        submission = make_submission(self.flow)
        self.assertFalse(send_confirmation(submission))  # and nothing raised

        message = self.message_for(submission)
        self.assertEqual(message.state, State.PERMANENT_FAILURE)
        self.assertEqual(
            message.last_error,
            "GOV.UK Notify 400 ValidationError: email_address Not a valid email address",
        )
        self.assertEqual((message.to, message.body), ("", ""))
        self.assertEqual(due_messages(all_now=True), [])  # never tried again
        page = self.inbox_page(submission)
        self.assertContains(page, "Confirmation email not delivered: check the email address")
        self.assertContains(page, "Not delivered: check the email address")

    def test_400_about_the_phone_number_asks_staff_to_check_it(self):
        self.notify.answer_error(400, "ValidationError", "phone_number Not a UK mobile number")
        submission = make_submission(self.flow)
        message = send(
            submission=submission,
            kind=Kind.STATUS_UPDATE,
            channel=Channel.SMS,
            to="07700 90012",
            body="Your request is in progress.",
        )
        self.assertEqual(message.state, State.PERMANENT_FAILURE)
        page = self.inbox_page(submission)
        self.assertContains(
            page, "Status update text message not delivered: check the phone number"
        )
        self.assertContains(page, "Text message")

    def test_any_other_400_is_a_technical_failure(self):
        self.notify.answer_error(400)  # a team-only key and someone outside the team
        submission = make_submission(self.flow)
        self.assertFalse(send_confirmation(submission))
        message = self.message_for(submission)
        self.assertEqual(message.state, State.TECHNICAL_FAILURE)
        self.assertIn("team-only API key", message.last_error)
        self.assertContains(self.inbox_page(submission), "Confirmation email could not be sent")

    def test_403_429_500_and_no_answer_wait_and_are_tried_again(self):
        cases = {
            403: "GOV.UK Notify 403 AuthError: Invalid token: API key not found",
            429: "GOV.UK Notify 429 RateLimitError: Exceeded rate limit",
            500: "GOV.UK Notify 500 Exception: Internal server error",
            None: "GOV.UK Notify 503",  # no answer at all: the client calls it a 503
        }
        for status, error in cases.items():
            with self.subTest(status=status):
                if status is None:
                    self.notify.fail_to_connect()
                else:
                    self.notify.answer_error(status)
                submission = make_submission(self.flow)
                with self.assertLogs("forms.messaging.sending", "ERROR") as logs:
                    self.assertFalse(send_confirmation(submission))
                self.assertNotIn("resident@example.com", "\n".join(logs.output))
                self.assertIn(submission.reference, logs.output[0])

                message = self.message_for(submission)
                self.assertEqual(message.state, State.WAITING)
                self.assertTrue(message.last_error.startswith(error), message.last_error)
                self.assertEqual(message.to, "resident@example.com")  # kept to send again
                wait = message.next_attempt_at - timezone.now()
                self.assertGreater(wait, datetime.timedelta(minutes=4))
                self.assertLess(wait, datetime.timedelta(minutes=6))
                self.assertContains(
                    self.inbox_page(submission), "Confirmation email not sent yet: will retry"
                )

                # Notify is back: the retry command sends it, with the same reference.
                out = io.StringIO()
                call_command("send_pending_messages", "--all-now", stdout=out, stderr=out)
                self.assertIn("Sent 1, still waiting 0, given up 0 (of 1 due)", out.getvalue())
                self.assertEqual(self.notify.sent()["reference"], str(message.uuid))
                message.refresh_from_db()
                self.assertEqual((message.state, message.attempts), (State.SENT, 2))
                self.assertEqual(message.to, "")

    def test_still_down_a_day_later_it_is_given_up(self):
        self.notify.answer_error(500)
        submission = make_submission(self.flow)
        with self.assertLogs("forms.messaging.sending", "ERROR"):
            send_confirmation(submission)
        message = self.message_for(submission)
        Message.objects.filter(pk=message.pk).update(
            created_at=timezone.now() - datetime.timedelta(hours=24, minutes=1)
        )
        self.notify.answer_error(500)
        out = io.StringIO()
        with self.assertLogs("forms.messaging.sending", "ERROR"):
            call_command("send_pending_messages", "--all-now", stdout=out, stderr=out)
        self.assertIn("given up 1", out.getvalue())
        message.refresh_from_db()
        self.assertEqual(message.state, State.TECHNICAL_FAILURE)
        self.assertEqual((message.to, message.body), ("", ""))

    def test_a_status_change_while_notify_is_down_is_saved_and_staff_are_told(self):
        submission = make_submission(self.flow)
        self.notify.answer_error(500)
        self.client.force_login(self.staff)
        with self.assertLogs("forms.messaging.sending", "ERROR"):
            response = self.client.post(
                f"{INBOX}{submission.pk}/",
                {"status": SubmissionStatus.IN_PROGRESS, "note": "We will come on Tuesday."},
                follow=True,
            )
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "It will be tried again for a day.")
        self.assertContains(response, "Status update email not sent yet: will retry")
        submission.refresh_from_db()
        self.assertEqual(submission.status, SubmissionStatus.IN_PROGRESS)

    @override_settings(NOTIFY_API_KEY="not-a-notify-key")
    def test_a_key_that_is_not_a_notify_key_waits_for_it_to_be_put_right(self):
        submission = make_submission(self.flow)
        with self.assertLogs("forms.messaging.sending", "ERROR"):
            self.assertFalse(send_confirmation(submission))
        message = self.message_for(submission)
        self.assertEqual(message.state, State.WAITING)
        self.assertEqual(message.last_error, "NOTIFY_API_KEY is not a GOV.UK Notify API key")
        self.assertEqual(self.notify.requests, [])
