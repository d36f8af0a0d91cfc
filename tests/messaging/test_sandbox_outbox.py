"""The sandbox, `make run`'s message provider: nothing is sent anywhere; every message is kept
whole and shown on the demo's outbox page, newest first, email and text message alike, so
someone trying the demo can read the link or code they were sent. The page does not exist under
any other provider."""

from __future__ import annotations

from django.core import mail
from django.test import TestCase, override_settings

from forms.flows.notifications import send_confirmation
from forms.messaging import Channel, Kind, State
from forms.messaging.models import Message
from forms.messaging.sending import send
from tests.messaging.helpers import make_message_flow, make_submission

OUTBOX = "/demo/outbox/"


@override_settings(MESSAGE_PROVIDER="sandbox")
class SandboxOutboxTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.flow = make_message_flow()

    def test_a_confirmation_is_kept_whole_and_shown(self):
        submission = make_submission(self.flow)
        self.assertTrue(send_confirmation(submission))
        self.assertEqual(mail.outbox, [])  # nothing leaves the site
        message = Message.objects.get(submission=submission)
        self.assertEqual((message.state, message.provider), (State.DELIVERED, "sandbox"))
        self.assertEqual(message.to, "resident@example.com")
        self.assertIn(submission.reference, message.body)

        page = self.client.get(OUTBOX)
        self.assertEqual(page.status_code, 200)
        self.assertContains(page, "Demo outbox")
        self.assertContains(page, "This is a demo. Nothing is really sent")
        self.assertContains(page, "Email to resident@example.com")
        self.assertContains(page, f"Bulky waste: your reference {submission.reference}")
        self.assertContains(page, f"Your reference: {submission.reference}")
        # the links in a message can be followed from the page
        self.assertContains(page, '<a href="http://127.0.0.1:8000/track/"')
        self.assertEqual(page["Cache-Control"].count("no-cache"), 1)
        self.assertContains(page, '<meta name="robots" content="noindex">')

    def test_text_messages_too_and_the_newest_first(self):
        submission = make_submission(self.flow)
        send_confirmation(submission)
        send(
            submission=submission,
            kind=Kind.STATUS_UPDATE,
            channel=Channel.SMS,
            to="07700 900123",
            body="Your code is 483920",
            language="en-gb",
        )
        page = self.client.get(OUTBOX).content.decode()
        self.assertIn("Text message to 07700 900123", page)
        self.assertIn("Your code is 483920", page)
        self.assertLess(page.index("Text message to"), page.index("Email to"))

    def test_in_the_residents_language(self):
        submission = make_submission(self.flow, language="cy")
        send_confirmation(submission)
        page = self.client.get("/cy/demo/outbox/")
        self.assertEqual(page.status_code, 200)
        self.assertContains(page, f"Bulky waste: eich cyfeirnod {submission.reference}")
        self.assertContains(page, 'lang="cy"')

    def test_an_empty_outbox_says_how_to_fill_it(self):
        self.assertContains(self.client.get(OUTBOX), "No messages yet.")

    def test_only_get(self):
        self.assertEqual(self.client.post(OUTBOX).status_code, 405)


class OutboxElsewhereTests(TestCase):
    def test_not_there_under_any_other_provider(self):
        for provider in ("smtp", "notify"):
            with self.subTest(provider=provider), override_settings(MESSAGE_PROVIDER=provider):
                self.assertEqual(self.client.get(OUTBOX).status_code, 404)
