"""The message interface itself: the registry, SMTP (email only), a message whose task never ran,
and the emails the old outbox kept becoming messages."""

from __future__ import annotations

import datetime
import importlib
import io
import threading
from types import SimpleNamespace
from unittest import mock

from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test import TestCase, TransactionTestCase, override_settings, skipUnlessDBFeature
from django.utils import timezone

from forms.flows.notifications import send_confirmation
from forms.messaging import Channel, Kind, State, get_provider, providers
from forms.messaging.models import Message
from forms.messaging.sending import attempt, send
from tests.messaging.helpers import make_message_flow, make_submission

copy_migration = importlib.import_module(
    "forms.messaging.migrations.0002_emails_kept_from_the_outbox"
)


class RegistryTests(TestCase):
    def test_the_three_providers_and_the_configured_one(self):
        self.assertEqual(set(providers), {"notify", "smtp", "sandbox"})
        for provider_id in providers:
            with self.subTest(provider_id), override_settings(MESSAGE_PROVIDER=provider_id):
                self.assertEqual(get_provider().id, provider_id)


class SmtpTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.flow = make_message_flow()

    def test_an_email_is_recorded_under_its_message_id(self):
        submission = make_submission(self.flow)
        send_confirmation(submission)
        message = Message.objects.get(submission=submission)
        self.assertEqual(message.state, State.SENT)
        self.assertEqual(mail.outbox[0].extra_headers["Message-ID"], message.provider_id)

    def test_a_text_message_cannot_go_by_smtp_and_says_so(self):
        submission = make_submission(self.flow)
        with self.assertLogs("forms.messaging.sending", "ERROR") as logs:
            message = send(
                submission=submission,
                kind=Kind.STATUS_UPDATE,
                channel=Channel.SMS,
                to="07700 900123",
                body="Your request is in progress.",
            )
        self.assertNotIn("07700", "\n".join(logs.output))
        self.assertEqual(message.state, State.TECHNICAL_FAILURE)
        self.assertEqual(
            message.last_error, "Text messages need GOV.UK Notify: SMTP sends email only"
        )
        self.assertEqual((message.to, message.body), ("", ""))
        self.assertEqual(mail.outbox, [])


class LostTaskTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.flow = make_message_flow()

    def test_a_message_whose_task_was_lost_is_sent_by_the_retry_command(self):
        submission = make_submission(self.flow)
        with (
            mock.patch("forms.messaging.tasks.send_message") as task,
            self.assertLogs("forms.messaging.sending", "ERROR"),
        ):
            task.enqueue.side_effect = ConnectionError("the queue is down")
            self.assertTrue(send_confirmation(submission))  # on its way
        message = Message.objects.get(submission=submission)
        self.assertEqual(message.state, State.PENDING)
        self.assertEqual(mail.outbox, [])
        out = io.StringIO()
        call_command("send_pending_messages", stdout=out)
        self.assertIn("(of 0 due)", out.getvalue())  # given its task's 5 minutes first
        Message.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now())
        call_command("send_pending_messages", stdout=out)
        self.assertIn("Sent 1, still waiting 0, given up 0 (of 1 due)", out.getvalue())
        self.assertEqual(len(mail.outbox), 1)
        # the old command name, for existing crontabs, does the same
        call_command("send_pending_emails", "--all-now", stdout=out)
        self.assertEqual(len(mail.outbox), 1)

    def test_a_task_for_a_message_already_sent_sends_nothing(self):
        from forms.messaging.tasks import send_message

        submission = make_submission(self.flow)
        send_confirmation(submission)
        message = Message.objects.get(submission=submission)
        result = send_message.enqueue(message.pk)
        self.assertEqual(result.return_value, "taken")
        self.assertEqual(len(mail.outbox), 1)


class KeptEmailsMigrationTests(TestCase):
    def test_the_old_outboxs_rows_become_messages(self):
        submission = make_submission(make_message_flow(), language="pl")
        created = timezone.now() - datetime.timedelta(hours=2)
        rows = [
            SimpleNamespace(
                submission_id=submission.pk,
                submission=submission,
                kind="confirmation",
                to="resident@example.com",
                subject="Subject",
                body="Body",
                state="waiting",
                attempts=2,
                next_attempt_at=created + datetime.timedelta(minutes=15),
                last_error="ConnectionRefusedError 111",
                created_at=created,
                sent_at=None,
            ),
            SimpleNamespace(
                submission_id=submission.pk,
                submission=submission,
                kind="status_update",
                to="",
                subject="",
                body="",
                state="failed",
                attempts=30,
                next_attempt_at=None,
                last_error="SMTPServerDisconnected",
                created_at=created,
                sent_at=None,
            ),
        ]
        pending = mock.Mock()
        pending.objects.select_related.return_value.order_by.return_value.iterator.return_value = (
            rows
        )
        historical = SimpleNamespace(
            get_model=lambda app, model: pending if model == "PendingEmail" else Message
        )
        copy_migration.copy_pending_emails(historical, None)

        waiting, failed = Message.objects.filter(submission=submission).order_by("pk")
        self.assertEqual(
            (waiting.kind, waiting.channel, waiting.provider, waiting.state, waiting.language),
            (Kind.CONFIRMATION, Channel.EMAIL, "smtp", State.WAITING, "pl"),
        )
        self.assertEqual(
            (waiting.to, waiting.body, waiting.attempts), ("resident@example.com", "Body", 2)
        )
        self.assertEqual(waiting.created_at, created)
        self.assertEqual(waiting.next_attempt_at, created + datetime.timedelta(minutes=15))
        self.assertEqual(failed.state, State.TECHNICAL_FAILURE)
        self.assertEqual(failed.last_error, "SMTPServerDisconnected")


DATABASE_TASKS = {
    "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"},
    "messages": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]},
}


class DatabaseWorkerTests(TransactionTestCase):
    """Production's backend: the web process only queues the task; the worker sends. (A
    TransactionTestCase: the worker closes its database connections, as a worker should.)"""

    # A TransactionTestCase empties every table, the root page included: these requests have
    # no flow page (a flow deleted since), which the emails allow for.
    flow = None

    def test_the_request_only_queues_it_and_the_worker_sends_it(self):
        from django_tasks_db.models import DBTaskResult

        submission = make_submission(self.flow)
        with override_settings(TASKS=DATABASE_TASKS):
            self.assertTrue(send_confirmation(submission))  # on its way
            message = Message.objects.get(submission=submission)
            self.assertEqual(message.state, State.PENDING)
            self.assertEqual(mail.outbox, [])
            queued = DBTaskResult.objects.filter(task_path="forms.messaging.tasks.send_message")
            self.assertEqual(queued.count(), 1)

            call_command(
                "db_worker",
                "--backend",
                "messages",
                "--batch",
                "--no-startup-delay",
                stdout=io.StringIO(),
            )
        message.refresh_from_db()
        self.assertEqual(message.state, State.SENT)
        self.assertEqual(len(mail.outbox), 1)
        self.assertIn(submission.reference, mail.outbox[0].subject)
        self.assertEqual(queued.get().status, "SUCCESSFUL")

    @skipUnlessDBFeature("has_select_for_update_skip_locked")
    def test_several_workers_at_once_send_a_message_once(self):
        submission = make_submission(self.flow)
        with mock.patch("forms.messaging.tasks.send_message"):
            send_confirmation(submission)  # queued, its task not run
        message = Message.objects.get(submission=submission)
        barrier = threading.Barrier(4)
        outcomes = []

        def work():
            try:
                barrier.wait(timeout=10)
                outcomes.append(attempt(message.pk))
            finally:
                connection.close()

        threads = [threading.Thread(target=work) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        self.assertEqual(sorted(outcomes), ["sent", "taken", "taken", "taken"])
        self.assertEqual(len(mail.outbox), 1)
