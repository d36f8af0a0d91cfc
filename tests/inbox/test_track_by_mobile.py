"""Track your request with the reference and the mobile number given on the flow's "How to hear
from us" question: any way of writing the number, the same answer as a wrong one otherwise, and
the same limits."""

from __future__ import annotations

import uuid

from bs4 import BeautifulSoup
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.test import TestCase

from forms.flows.models import Submission
from tests.factories import make_site

TRACK = "/track/"
NOT_FOUND = (
    "We could not find a request with that reference and email address or mobile number. "
    "Check them and try again."
)
MOBILE_MESSAGE = "Enter a mobile phone number, like 07700 900 982"


def page_text(response) -> str:
    return " ".join(BeautifulSoup(response.content, "html.parser").main.get_text(" ").split())


class TrackByMobileTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        make_site()
        cls.texted = Submission.objects.create(
            reference="FCC-4K7Q-M2XD",
            idempotency_key=uuid.uuid4(),
            service_title="Report a pothole",
            language="en-gb",
            contact_mobile="+447700900123",
            updates_by_email=False,
            updates_by_text=True,
        )
        cls.texted.events.create(status="received")
        cls.silent = Submission.objects.create(
            reference="FCC-2222-3333",
            idempotency_key=uuid.uuid4(),
            service_title="Report a pothole",
            language="en-gb",
            updates_by_email=False,
        )

    def setUp(self):
        cache.clear()  # the rate limits count in the cache

    def track(self, reference: str, typed: str, ip: str = "192.0.2.1"):
        return self.client.post(TRACK, {"reference": reference, "email": typed}, REMOTE_ADDR=ip)

    def test_the_mobile_number_written_any_way_finds_the_request(self):
        for typed in ["07700 900123", "07700900123", "+44 7700 900 123", "(07700) 900-123"]:
            with self.subTest(typed=typed):
                response = self.track("fcc 4k7q m2xd", typed)
                self.assertEqual(response.status_code, 200)
                self.assertIn("Report a pothole", page_text(response))
                self.assertNotIn(NOT_FOUND, page_text(response))

    def test_another_mobile_looks_like_a_wrong_reference(self):
        wrong_number = self.track("FCC-4K7Q-M2XD", "07700 900456")
        wrong_reference = self.track("FCC-9999-9999", "07700 900123")
        self.assertIn(NOT_FOUND, page_text(wrong_number))
        self.assertIn(NOT_FOUND, page_text(wrong_reference))
        self.assertEqual(wrong_number.status_code, wrong_reference.status_code)

    def test_a_request_sent_with_no_updates_cannot_be_tracked_online(self):
        for typed in ["07700 900123", "resident@example.com"]:
            with self.subTest(typed=typed):
                self.assertIn(NOT_FOUND, page_text(self.track("FCC-2222-3333", typed)))

    def test_a_number_that_is_not_a_uk_mobile_gets_the_mobile_message(self):
        for typed in ["01632 960 001", "0770", "+33 6 12 34 56 78"]:
            with self.subTest(typed=typed):
                soup = BeautifulSoup(self.track("FCC-4K7Q-M2XD", typed).content, "html.parser")
                summary = [
                    (a["href"], a.get_text(strip=True))
                    for a in soup.select(".govuk-error-summary__list a")
                ]
                self.assertEqual(summary, [("#email", MOBILE_MESSAGE)])

    def test_tries_by_mobile_count_against_the_reference(self):
        for attempt in range(5):
            self.track("FCC-4K7Q-M2XD", f"07700 90045{attempt}", ip=f"192.0.2.{attempt + 10}")
        response = self.track("FCC-4K7Q-M2XD", "07700 900123", ip="192.0.2.99")
        self.assertEqual(response.status_code, 429)


class StaffSeeHowToReachTheResidentTests(TestCase):
    """The request's page in the inbox shows the mobile number and how updates go."""

    @classmethod
    def setUpTestData(cls):
        make_site()
        cls.staff = get_user_model().objects.create_superuser("admin", "a@example.com", "pw")

    def updates_row(self, submission: Submission) -> tuple[str, str]:
        self.client.force_login(self.staff)
        response = self.client.get(f"/admin/requests/{submission.pk}/")
        self.assertEqual(response.status_code, 200)
        rows = {
            div.dt.get_text(strip=True): " ".join(div.dd.get_text(" ").split())
            for div in BeautifulSoup(response.content, "html.parser").select("dl div")
            if div.dt and div.dd
        }
        return rows.get("Contact mobile", ""), rows["Updates"]

    def make(self, reference: str, **fields) -> Submission:
        return Submission.objects.create(
            reference=reference,
            idempotency_key=uuid.uuid4(),
            service_title="Report a pothole",
            language="en-gb",
            **fields,
        )

    def test_each_choice_reads_plainly(self):
        both = self.make(
            "FCC-2222-4444",
            contact_email="sam@example.com",
            contact_mobile="+447700900123",
            updates_by_text=True,
        )
        self.assertEqual(self.updates_row(both), ("07700 900 123", "By email and text message"))
        texted = self.make(
            "FCC-2222-5555",
            contact_mobile="+447700900123",
            updates_by_email=False,
            updates_by_text=True,
        )
        self.assertEqual(self.updates_row(texted), ("07700 900 123", "By text message"))
        emailed = self.make("FCC-2222-6666", contact_email="sam@example.com")
        self.assertEqual(self.updates_row(emailed), ("", "By email"))
        silent = self.make("FCC-2222-7777", updates_by_email=False)
        self.assertEqual(
            self.updates_row(silent),
            ("", "None: the resident chose no updates or gave no email address"),
        )
