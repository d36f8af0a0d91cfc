"""The emails a resident gets: a confirmation with everything they need to follow their request,
and an update when staff change its status. Neither may lose or break a saved request."""

from __future__ import annotations

import smtplib
import uuid
from typing import Any

from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.test import RequestFactory, TestCase, override_settings
from wagtail.models import Site

from forms.flows.constants import SubmissionStatus
from forms.flows.models import Submission, SubmissionFile
from forms.flows.notifications import send_confirmation, send_status_update
from services.models import ContactSettings
from tests.flows.factories import make_flow, page, question

ANSWERS = [
    {
        "name": "items",
        "label": "What do you want us to collect?",
        "value": "A sofa",
        "display": "A sofa",
    },
    {
        "name": "address",
        "label": "Where should we collect from?",
        "value": {"uprn": "100"},
        "display": "1 High Street\nFernbridge\nFB1 1AA",
    },
    {
        "name": "photo",
        "label": "Upload a photo",
        "value": "uploaded",
        "display": "uploaded",
    },
]


class FailingBackend(BaseEmailBackend):
    """A mail server that is down."""

    def send_messages(self, email_messages: Any) -> int:
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


class NotificationTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.flow = make_flow(
            [page("items", question("short_text", "items", "What do you want us to collect?"))],
            what_happens_next=(
                "<p>We will collect within 10 working days.</p>"
                "<ul><li>Leave items outside by 7am.</li><li>Do not block the path.</li></ul>"
                '<p>Read <a href="/bins/rules/">what we collect</a>.</p>'
            ),
        )
        contact = ContactSettings.for_site(Site.objects.get(is_default_site=True))
        contact.phone_number = "01632 960 123"
        contact.phone_hours = "Monday to Friday, 8:30am to 5:30pm"
        contact.save()

    def make_submission(self, **fields: Any) -> Submission:
        values = {
            "flow": self.flow,
            "service_title": "Bulky waste",
            "language": "en-gb",
            "answers": ANSWERS,
            "contact_email": "resident@example.com",
            "fee_pence": 2550,
            "status": SubmissionStatus.WAITING_FOR_PAYMENT,
            **fields,
        }
        submission, _created = Submission.create_once(uuid.uuid4(), **values)
        return submission


class ConfirmationEmailTests(NotificationTestCase):
    def test_what_the_resident_is_sent(self):
        submission = self.make_submission()
        SubmissionFile.objects.create(
            submission=submission,
            question_name="photo",
            original_name="sofa.jpg",
            content_type="image/jpeg",
            size=4,
            file="submissions/x/sofa.jpg",
        )
        request = RequestFactory().get("/bins/bulky-waste/apply/check-your-answers/")
        self.assertTrue(send_confirmation(submission, request))

        self.assertEqual(len(mail.outbox), 1)
        email = mail.outbox[0]
        self.assertEqual(email.to, ["resident@example.com"])
        self.assertEqual(email.from_email, "no-reply@fernbridge.gov.uk")
        self.assertEqual(email.subject, f"Bulky waste: your reference {submission.reference}")
        body = email.body
        for expected in [
            f"Your reference: {submission.reference}",
            "Service: Bulky waste",
            "What do you want us to collect?\nA sofa",
            "Where should we collect from?\n1 High Street\nFernbridge\nFB1 1AA",
            "Upload a photo\nsofa.jpg",
            "Fee: £25.50",
            "We have not taken any payment yet.",
            "We will collect within 10 working days.",
            "- Leave items outside by 7am.\n- Do not block the path.",
            "Read what we collect (http://testserver/bins/rules/).",
            "Go to http://testserver/track/ and enter your reference",
            "Call 01632 960 123",
            "Monday to Friday, 8:30am to 5:30pm",
            "Fernbridge City Council",
        ]:
            self.assertIn(expected, body)
        self.assertNotIn("uploaded", body)  # a file answer shows its file name only
        self.assertNotIn("<", body)  # plain text, no markup
        self.assertNotIn("&#x27;", body)

    def test_without_a_request_the_links_use_the_sites_address(self):
        submission = self.make_submission(fee_pence=None, status=SubmissionStatus.RECEIVED)
        with override_settings(WAGTAILADMIN_BASE_URL="https://www.fernbridge.gov.uk"):
            send_confirmation(submission)
        body = mail.outbox[0].body
        self.assertIn("https://www.fernbridge.gov.uk/track/", body)
        self.assertIn("(https://www.fernbridge.gov.uk/bins/rules/)", body)
        self.assertNotIn("Fee", body)

    def test_the_service_phone_number_comes_first(self):
        service = self.flow.service
        service.phone_number = "01632 960 555"
        service.save()
        send_confirmation(self.make_submission())
        self.assertIn("Call 01632 960 555", mail.outbox[0].body)

    def test_the_after_send_note_is_in_what_happens_next(self):
        submission = self.make_submission()
        submission.events.update(note="Your collection is booked for Tuesday 10 November.")
        send_confirmation(submission)
        self.assertIn("Your collection is booked for Tuesday 10 November.", mail.outbox[0].body)

    def test_in_the_residents_language(self):
        submission = self.make_submission(language="pl")
        send_confirmation(submission)
        self.assertIn("/pl/track/", mail.outbox[0].body)

    def test_a_deleted_flow_still_gets_a_confirmation(self):
        submission = self.make_submission(flow=None)
        self.assertTrue(send_confirmation(submission))
        self.assertIn(submission.reference, mail.outbox[0].body)
        self.assertIn("Call 01632 960 123", mail.outbox[0].body)

    def test_no_email_address_means_no_email(self):
        submission = self.make_submission(contact_email="")
        self.assertFalse(send_confirmation(submission))
        self.assertEqual(mail.outbox, [])

    def test_a_service_title_with_a_line_break_does_not_break_the_subject(self):
        submission = self.make_submission(service_title="Bulky\nwaste")
        send_confirmation(submission)
        self.assertEqual(
            mail.outbox[0].subject, f"Bulky waste: your reference {submission.reference}"
        )

    @override_settings(EMAIL_BACKEND="tests.flows.test_notifications.FailingBackend")
    def test_a_mail_server_failure_is_logged_not_raised(self):
        submission = self.make_submission()
        with self.assertLogs("forms.messaging.sending", "ERROR") as logs:
            self.assertFalse(send_confirmation(submission))
        self.assertIn(submission.reference, logs.output[0])
        self.assertNotIn("resident@example.com", "\n".join(logs.output))
        self.assertTrue(Submission.objects.filter(pk=submission.pk).exists())


class StatusUpdateEmailTests(NotificationTestCase):
    def test_the_new_status_the_note_and_the_track_link(self):
        submission = self.make_submission()
        event = submission.set_status(SubmissionStatus.IN_PROGRESS, "We will collect on Tuesday.")
        self.assertTrue(send_status_update(submission, event))
        email = mail.outbox[0]
        self.assertEqual(email.to, ["resident@example.com"])
        self.assertEqual(
            email.subject, f"Bulky waste: update on your request {submission.reference}"
        )
        for expected in [
            f"We have updated your request {submission.reference} (Bulky waste).",
            "Status: In progress",
            "We will collect on Tuesday.",
            "http://127.0.0.1:8000/track/",
            "Call 01632 960 123",
        ]:
            self.assertIn(expected, email.body)

    def test_no_email_address_means_no_email(self):
        submission = self.make_submission(contact_email="")
        event = submission.set_status(SubmissionStatus.COMPLETED)
        self.assertFalse(send_status_update(submission, event))
        self.assertEqual(mail.outbox, [])

    @override_settings(EMAIL_BACKEND="tests.flows.test_notifications.FailingBackend")
    def test_a_mail_server_failure_is_logged_not_raised(self):
        submission = self.make_submission()
        event = submission.set_status(SubmissionStatus.COMPLETED, "Done.")
        with self.assertLogs("forms.messaging.sending", "ERROR"):
            self.assertFalse(send_status_update(submission, event))
