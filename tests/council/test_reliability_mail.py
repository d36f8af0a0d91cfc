"""The mail server down: the request is kept and the email sent later.

Django's real SMTP backend talks to a loopback port: first nothing listens there (connection
refused, as when the mail server is down), then a real SMTP server (aiosmtpd) is started on it
and `manage.py send_pending_messages` sends what was kept."""

import datetime
import email
import io
import threading

from aiosmtpd.controller import Controller
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import TestCase
from django.utils import timezone

from demo.loader import DemoLoader
from forms.flows.constants import SubmissionStatus
from forms.flows.models import Submission
from forms.messaging import Kind, State
from forms.messaging.models import Message
from tests.council.servers import (
    complete_flow,
    first_flow_with_email,
    free_port,
    smtp_settings,
)

SMTP_PORT = free_port()
INBOX = "/admin/requests/"


class Collector:
    """An aiosmtpd handler that keeps what it is sent."""

    def __init__(self) -> None:
        self.messages: list[email.message.Message] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        with self.lock:
            self.messages.append(email.message_from_bytes(envelope.content))
        return "250 Message accepted for delivery"


def body_of(message: email.message.Message) -> str:
    return message.get_payload(decode=True).decode(message.get_content_charset() or "utf-8")


@smtp_settings(SMTP_PORT, timeout=2)
class MailServerDownTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        DemoLoader().load()
        cls.flow = first_flow_with_email()
        cls.staff = get_user_model().objects.create_superuser(
            "mail-test-admin", "admin@example.org", "a long enough password"
        )

    def setUp(self):
        self.collector = Collector()
        self.smtp: Controller | None = None

    def tearDown(self):
        self.stop_mail_server()

    def start_mail_server(self) -> None:
        self.smtp = Controller(self.collector, hostname="127.0.0.1", port=SMTP_PORT)
        self.smtp.start()

    def stop_mail_server(self) -> None:
        if self.smtp is not None:
            self.smtp.stop()
            self.smtp = None

    def send_pending(self, *args: str) -> str:
        out, err = io.StringIO(), io.StringIO()
        call_command("send_pending_messages", *args, stdout=out, stderr=err)
        return out.getvalue() + err.getvalue()

    def test_a_request_sent_while_mail_is_down_is_kept_and_emailed_later(self):
        with self.assertLogs("forms.messaging.sending", "ERROR") as logs:
            submission = complete_flow(self.client, self.flow)
        # the resident saw their reference; the request is saved; the email is kept
        self.assertEqual(submission.status, SubmissionStatus.RECEIVED)
        kept = Message.objects.get(submission=submission)
        self.assertEqual(kept.kind, Kind.CONFIRMATION)
        self.assertEqual(kept.state, State.WAITING)
        self.assertEqual(kept.to, submission.contact_email)
        self.assertIn(submission.reference, kept.body)
        self.assertEqual(kept.last_error, "ConnectionRefusedError 111")
        # tried again in 5 minutes, not at once
        wait = kept.next_attempt_at - kept.created_at
        self.assertGreater(wait, datetime.timedelta(minutes=4))
        self.assertLess(wait, datetime.timedelta(minutes=6))
        # the logs name the request, never the address
        self.assertIn(submission.reference, logs.output[0])
        self.assertNotIn(submission.contact_email, "\n".join(logs.output))

        # staff see that the email has not gone
        self.client.force_login(self.staff)
        detail = self.client.get(f"{INBOX}{submission.pk}/")
        self.assertContains(detail, "Confirmation email not sent yet: will retry")

        # not due yet: nothing is tried
        self.assertIn("Sent 0, still waiting 0, given up 0 (of 0 due)", self.send_pending())

        # the mail server is back, and the next run is due
        self.start_mail_server()
        Message.objects.filter(pk=kept.pk).update(next_attempt_at=timezone.now())
        output = self.send_pending()
        self.assertIn("Sent 1, still waiting 0, given up 0 (of 1 due)", output)
        self.assertEqual(len(self.collector.messages), 1)
        message = self.collector.messages[0]
        self.assertEqual(message["To"], submission.contact_email)
        self.assertIn(submission.reference, message["Subject"])
        self.assertIn(submission.reference, body_of(message))
        kept.refresh_from_db()
        self.assertEqual(kept.state, State.SENT)
        self.assertIsNotNone(kept.sent_at)
        # nothing personal is kept once it is sent
        self.assertEqual((kept.to, kept.subject, kept.body), ("", "", ""))
        detail = self.client.get(f"{INBOX}{submission.pk}/")
        self.assertNotContains(detail, "email not sent yet")
        # and it is not sent twice
        self.send_pending("--all-now")
        self.assertEqual(len(self.collector.messages), 1)

    def test_with_the_mail_server_up_nothing_is_kept(self):
        self.start_mail_server()
        submission = complete_flow(self.client, self.flow)
        self.assertEqual(len(self.collector.messages), 1)
        self.assertIn(submission.reference, body_of(self.collector.messages[0]))
        # recorded for staff as sent, with nothing personal kept
        sent = Message.objects.get(submission=submission)
        self.assertEqual((sent.state, sent.channel, sent.provider), (State.SENT, "email", "smtp"))
        self.assertEqual((sent.to, sent.subject, sent.body), ("", "", ""))

    def test_a_status_update_while_mail_is_down_is_kept_and_retried(self):
        self.start_mail_server()
        submission = complete_flow(self.client, self.flow)
        self.stop_mail_server()
        self.client.force_login(self.staff)
        with self.assertLogs("forms.messaging.sending", "ERROR"):
            response = self.client.post(
                f"{INBOX}{submission.pk}/",
                {"status": SubmissionStatus.IN_PROGRESS, "note": "We will come on Tuesday."},
                follow=True,
            )
        self.assertContains(response, "It will be tried again for a day.")
        self.assertContains(response, "Status update email not sent yet: will retry")
        kept = Message.objects.get(submission=submission, kind=Kind.STATUS_UPDATE)

        # still down at the next run: tried, then waits longer (10 minutes)
        output = self.send_pending("--all-now")
        self.assertIn("Sent 0, still waiting 1, given up 0", output)
        kept.refresh_from_db()
        self.assertEqual(kept.attempts, 2)
        wait = kept.next_attempt_at - timezone.now()
        self.assertGreater(wait, datetime.timedelta(minutes=9))
        self.assertLess(wait, datetime.timedelta(minutes=11))

        self.start_mail_server()
        self.send_pending("--all-now")
        self.assertEqual(len(self.collector.messages), 2)  # the confirmation, then the update
        update = self.collector.messages[1]
        self.assertIn(submission.reference, update["Subject"])
        self.assertIn("We will come on Tuesday.", body_of(update))
        kept.refresh_from_db()
        self.assertEqual(kept.state, State.SENT)

    def test_after_a_day_it_is_given_up_and_staff_are_told(self):
        with self.assertLogs("forms.messaging.sending", "ERROR"):
            submission = complete_flow(self.client, self.flow)
        kept = Message.objects.get(submission=submission)
        a_day_ago = timezone.now() - datetime.timedelta(hours=24, minutes=1)
        Message.objects.filter(pk=kept.pk).update(
            created_at=a_day_ago, next_attempt_at=timezone.now()
        )
        self.assertIn("Sent 0, still waiting 0, given up 1", self.send_pending())
        kept.refresh_from_db()
        self.assertEqual(kept.state, State.TECHNICAL_FAILURE)
        self.assertEqual((kept.to, kept.subject, kept.body), ("", "", ""))
        self.client.force_login(self.staff)
        detail = self.client.get(f"{INBOX}{submission.pk}/")
        self.assertContains(detail, "Confirmation email could not be sent")
        # a failed one is not tried again
        self.start_mail_server()
        self.send_pending("--all-now")
        self.assertEqual(self.collector.messages, [])

    def test_deleting_the_request_deletes_its_kept_emails(self):
        with self.assertLogs("forms.messaging.sending", "ERROR"):
            submission = complete_flow(self.client, self.flow)
        self.assertEqual(Message.objects.count(), 1)
        retention = self.flow.retention_days
        Submission.objects.filter(pk=submission.pk).update(
            created_at=timezone.now() - datetime.timedelta(days=retention + 1)
        )
        call_command("delete_expired_submissions", stdout=io.StringIO())
        self.assertFalse(Submission.objects.filter(pk=submission.pk).exists())
        self.assertEqual(Message.objects.count(), 0)
