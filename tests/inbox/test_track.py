"""A resident follows their request with its reference and their email address; nobody else can
use the page to find out about a request, or to guess references."""

from __future__ import annotations

import datetime
import re
import uuid

from bs4 import BeautifulSoup
from django.core.cache import cache
from django.test import TestCase
from django.utils import timezone

from forms.flows.constants import SubmissionStatus
from forms.flows.models import Submission
from tests.factories import make_site

TRACK = "/track/"
NOT_FOUND = (
    "We could not find a request with that reference and email address or mobile number. "
    "Check them and try again."
)


def page_text(response) -> str:
    soup = BeautifulSoup(response.content, "html.parser")
    return " ".join(soup.main.get_text(" ").split())


def title(response) -> str:
    return BeautifulSoup(response.content, "html.parser").title.get_text(strip=True)


class TrackTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        make_site()
        cls.submission = Submission.objects.create(
            reference="FCC-4K7Q-M2XD",
            idempotency_key=uuid.uuid4(),
            service_title="Book a bulky waste collection",
            language="en-gb",
            contact_email="Resident@Example.com",
        )
        Submission.objects.filter(pk=cls.submission.pk).update(
            created_at=timezone.make_aware(datetime.datetime(2026, 11, 3, 10, 0))
        )
        history = [
            (SubmissionStatus.RECEIVED, "", 3),
            (SubmissionStatus.IN_PROGRESS, "We will collect on 10 November.", 6),
            (SubmissionStatus.COMPLETED, "We collected your sofa.", 9),
        ]
        for status, note, day in history:
            event = cls.submission.events.create(status=status, note=note)
            when = timezone.make_aware(datetime.datetime(2026, 11, day, 9, 30))
            cls.submission.events.filter(pk=event.pk).update(created_at=when)
        Submission.objects.filter(pk=cls.submission.pk).update(status=SubmissionStatus.COMPLETED)

    def setUp(self):
        cache.clear()  # the rate limits count in the cache

    def track(self, reference: str, email: str, ip: str = "192.0.2.1"):
        return self.client.post(TRACK, {"reference": reference, "email": email}, REMOTE_ADDR=ip)


class TrackFormTests(TrackTestCase):
    def test_the_form(self):
        response = self.client.get(TRACK)
        self.assertEqual(response.status_code, 200)
        soup = BeautifulSoup(response.content, "html.parser")
        self.assertEqual(soup.h1.get_text(strip=True), "Track your request")
        form = soup.find("form", method="post")
        self.assertTrue(form.has_attr("novalidate"))
        self.assertEqual(
            soup.find(id="reference-hint").get_text(strip=True), "For example, FCC-4K7Q-M2XD"
        )
        self.assertEqual(
            soup.find("label", attrs={"for": "email"}).get_text(strip=True),
            "Email address or mobile number",
        )
        self.assertEqual(soup.find(id="email")["type"], "text")  # a mobile number too
        self.assertFalse(title(response).startswith("Error"))

    def test_the_page_is_there_in_every_language(self):
        response = self.client.get("/pl/track/")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(
            BeautifulSoup(response.content, "html.parser").main.find("form")["action"], "/pl/track/"
        )

    def test_answers_are_never_cached(self):
        response = self.track("FCC-4K7Q-M2XD", "resident@example.com")
        self.assertIn("no-store", response["Cache-Control"])

    def test_a_get_with_the_pair_in_the_address_shows_only_the_form(self):
        response = self.client.get(
            TRACK, {"reference": "FCC-4K7Q-M2XD", "email": "resident@example.com"}
        )
        self.assertNotIn("We collected your sofa.", page_text(response))


class TrackFoundTests(TrackTestCase):
    def test_the_right_pair_shows_the_request_and_its_history_newest_first(self):
        response = self.track("fcc 4k7q m2xd", "  RESIDENT@example.COM ")
        self.assertEqual(response.status_code, 200)
        text = page_text(response)
        for expected in [
            "Book a bulky waste collection",
            "Reference FCC-4K7Q-M2XD",
            "Status Completed",
            "Sent 3 November 2026",
        ]:
            self.assertIn(expected, text)
        soup = BeautifulSoup(response.content, "html.parser")
        history = [
            " ".join(li.get_text(" ").split())
            for li in soup.find(id="history-heading").find_next("ol").find_all("li")
        ]
        self.assertEqual(len(history), 3)
        self.assertTrue(history[0].startswith("Completed 9 November 2026"))
        self.assertIn("We collected your sofa.", history[0])
        self.assertTrue(history[1].startswith("In progress 6 November 2026"))
        self.assertIn("We will collect on 10 November.", history[1])
        self.assertTrue(history[2].startswith("Received 3 November 2026"))


class TrackNotFoundTests(TrackTestCase):
    def comparable(self, response) -> str:
        """The page with what was typed and the CSRF token taken out."""
        html = response.content.decode()
        html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)
        return re.sub(r'(id="(reference|email)" name="\2" type="\w+") value="[^"]*"', r"\1", html)

    def test_a_wrong_reference_and_a_wrong_email_look_the_same(self):
        wrong_reference = self.track("FCC-2222-3333", "resident@example.com")
        wrong_email = self.track("FCC-4K7Q-M2XD", "someone.else@example.com")
        self.assertEqual(wrong_reference.status_code, wrong_email.status_code)
        self.assertEqual(self.comparable(wrong_reference), self.comparable(wrong_email))
        self.assertIn(NOT_FOUND, page_text(wrong_email))
        self.assertNotIn("Book a bulky waste collection", page_text(wrong_email))
        self.assertTrue(title(wrong_email).startswith("Error: "))

    def test_the_summary_links_to_the_reference(self):
        soup = BeautifulSoup(self.track("FCC-2222-3333", "a@example.com").content, "html.parser")
        link = soup.select_one(".govuk-error-summary__list a")
        self.assertEqual((link["href"], link.get_text(strip=True)), ("#reference", NOT_FOUND))

    def test_a_request_without_an_email_address_cannot_be_tracked(self):
        Submission.objects.filter(pk=self.submission.pk).update(contact_email="")
        self.assertIn(NOT_FOUND, page_text(self.track("FCC-4K7Q-M2XD", "resident@example.com")))


class TrackErrorTests(TrackTestCase):
    def errors(self, response) -> tuple[list[tuple[str, str]], dict[str, str]]:
        soup = BeautifulSoup(response.content, "html.parser")
        summary = [
            (a["href"], a.get_text(strip=True)) for a in soup.select(".govuk-error-summary__list a")
        ]
        inline = {
            p["id"]: " ".join(p.get_text(" ").split()) for p in soup.select(".govuk-error-message")
        }
        return summary, inline

    def test_empty_fields(self):
        response = self.track("", "")
        self.assertEqual(response.status_code, 200)
        self.assertTrue(title(response).startswith("Error: Track your request"))
        summary, inline = self.errors(response)
        self.assertEqual(
            summary,
            [
                ("#reference", "Enter your reference"),
                ("#email", "Enter your email address or mobile number"),
            ],
        )
        self.assertEqual(
            inline,
            {
                "reference-error": "Error: Enter your reference",
                "email-error": "Error: Enter your email address or mobile number",
            },
        )
        soup = BeautifulSoup(response.content, "html.parser")
        self.assertIn("reference-error", soup.find(id="reference")["aria-describedby"])
        self.assertIn("govuk-input--error", soup.find(id="email")["class"])

    def test_badly_formatted_fields(self):
        summary, _inline = self.errors(self.track("FCC-123", "not-an-email"))
        self.assertEqual(
            summary,
            [
                ("#reference", "Enter your reference in the correct format, like FCC-4K7Q-M2XD"),
                ("#email", "Enter an email address in the correct format, like name@example.com"),
            ],
        )

    def test_what_was_typed_is_kept(self):
        soup = BeautifulSoup(self.track("FCC-123", "me@example.com").content, "html.parser")
        self.assertEqual(soup.find(id="reference")["value"], "FCC-123")
        self.assertEqual(soup.find(id="email")["value"], "me@example.com")

    def test_odd_input_is_a_format_error_not_a_server_error(self):
        odd = [
            ("F" * 100_000, "a@" + "b" * 100_000 + ".com"),
            ("FCC-4K7Q\x00-M2XD", "resident@example.com\x00"),
            ("\x00", "\x00"),
            ("FCC-٤K7Q-M2XD", "résident@exämple.com"),
            ("'; DROP TABLE flows_submission; --", "<script>@example.com"),
            ("FCC-4K7Q-M2XD" + "\u202e", "someone@example.com\u202e"),
        ]
        for reference, email in odd:
            with self.subTest(reference=reference[:20]):
                cache.clear()
                response = self.track(reference, email)
                self.assertEqual(response.status_code, 200)
                self.assertNotIn("We collected your sofa.", page_text(response))

    def test_a_list_instead_of_a_value_is_handled(self):
        response = self.client.post(
            TRACK, {"reference": ["FCC-4K7Q-M2XD", "x"], "email": ["a@example.com", "b"]}
        )
        self.assertEqual(response.status_code, 200)

    def test_other_methods_are_refused(self):
        self.assertEqual(self.client.put(TRACK).status_code, 405)


class TrackRateLimitTests(TrackTestCase):
    too_many = "You have tried too many times. Wait 10 minutes and try again."

    def test_ten_tries_from_one_client_then_429(self):
        for n in range(10):
            response = self.track(f"FCC-2222-{n}AAA", "x@example.com")
            self.assertEqual(response.status_code, 200, n)
        response = self.track("FCC-4K7Q-M2XD", "resident@example.com")
        self.assertEqual(response.status_code, 429)
        self.assertIn(self.too_many, page_text(response))
        self.assertNotIn("We collected your sofa.", page_text(response))
        self.assertEqual(response["Retry-After"], "600")
        # another client is not held up
        response = self.track("FCC-4K7Q-M2XD", "resident@example.com", ip="198.51.100.7")
        self.assertEqual(response.status_code, 200)

    def test_five_tries_at_one_reference_from_anywhere_then_429(self):
        for n in range(5):
            response = self.track("fcc-4k7q-m2xd", f"guess{n}@example.com", ip=f"203.0.113.{n}")
            self.assertEqual(response.status_code, 200)
        response = self.track("FCC 4K7Q M2XD", "resident@example.com", ip="203.0.113.99")
        self.assertEqual(response.status_code, 429)
        self.assertIn(self.too_many, page_text(response))
        # other references are still open
        response = self.track("FCC-2222-3333", "x@example.com", ip="203.0.113.99")
        self.assertEqual(response.status_code, 200)

    def test_malformed_references_do_not_lock_everyone_out(self):
        for n in range(8):
            response = self.track("FCC-123", "x@example.com", ip=f"203.0.113.{n}")
            self.assertEqual(response.status_code, 200)

    def test_reading_the_form_is_not_counted(self):
        for _n in range(12):
            self.assertEqual(self.client.get(TRACK).status_code, 200)
        self.assertEqual(self.track("FCC-4K7Q-M2XD", "resident@example.com").status_code, 200)
