"""Your requests: a resident signs in with a link sent to their email address, sees their own
requests and no one else's, adds information, withdraws one nobody has started on, and signs
out. Nothing says whether an address has requests."""

from __future__ import annotations

import datetime
import re
import uuid
from unittest import mock

from bs4 import BeautifulSoup
from django.core import mail
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase, override_settings
from django.utils import timezone

from forms.flows.constants import SubmissionStatus
from forms.flows.models import Submission
from forms.residents.models import AddedInformation, SignIn, Withdrawal
from forms.residents.views import WITHDRAWN_NOTE
from tests.factories import make_site
from tests.flows.test_question_uploads import image_bytes

START = "/your-requests/"
LIST = "/your-requests/requests/"
LINK = re.compile(r"https?://[^\s]+/your-requests/sign-in/([A-Za-z0-9_\-]+)/")


def page_text(response) -> str:
    soup = BeautifulSoup(response.content, "html.parser")
    return " ".join(soup.main.get_text(" ").split())


def make_request(email: str, reference: str, status=SubmissionStatus.RECEIVED, **fields):
    submission = Submission.objects.create(
        reference=reference,
        idempotency_key=uuid.uuid4(),
        service_title=fields.pop("service_title", "Book a bulky waste collection"),
        language="en-gb",
        contact_email=email,
        status=status,
        **fields,
    )
    submission.events.create(status=status)
    return submission


class YourRequestsTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        make_site()
        cls.mine = make_request("Resident@Example.com", "FCC-AAAA-2222")
        cls.mine_too = make_request(
            "resident@example.com",
            "FCC-BBBB-3333",
            status=SubmissionStatus.COMPLETED,
            service_title="Report a missed bin",
        )
        cls.theirs = make_request("neighbour@example.com", "FCC-CCCC-4444")

    def setUp(self):
        cache.clear()  # the rate limits count in the cache
        mail.outbox.clear()

    def ask_for_link(self, address="resident@example.com", client=None):
        return (client or self.client).post(START, {"address": address})

    def sent_token(self) -> str:
        self.assertEqual(len(mail.outbox), 1)
        match = LINK.search(mail.outbox[-1].body)
        self.assertIsNotNone(match, mail.outbox[-1].body)
        return match.group(1)

    def sign_in(self, client=None) -> None:
        self.ask_for_link(client=client)
        token = self.sent_token()
        response = (client or self.client).post(f"/your-requests/sign-in/{token}/")
        self.assertRedirects(response, LIST)
        mail.outbox.clear()


class SignInByLinkTests(YourRequestsTestCase):
    def test_the_link_signs_in_only_when_its_button_is_pressed(self):
        response = self.ask_for_link("  RESIDENT@example.com ")
        self.assertRedirects(response, "/your-requests/check-your-email/")
        token = self.sent_token()
        self.assertNotIn(token, SignIn.objects.get().secret_hash)  # only its hash is kept
        # Opening the link (as an email scanner would) signs nobody in and spends nothing.
        opened = self.client.get(f"/your-requests/sign-in/{token}/")
        self.assertEqual(opened.status_code, 200)
        self.assertIn("Sign in", page_text(opened))
        self.assertRedirects(self.client.get(LIST), START)
        self.assertIsNone(SignIn.objects.get().used_at)
        before = self.client.session.session_key
        self.assertRedirects(self.client.post(f"/your-requests/sign-in/{token}/"), LIST)
        self.assertNotEqual(self.client.session.session_key, before)  # a new session key
        self.assertEqual(self.client.get(LIST).status_code, 200)

    def test_a_used_link_is_refused(self):
        self.ask_for_link()
        token = self.sent_token()
        self.client.post(f"/your-requests/sign-in/{token}/")
        other = self.client_class()
        for response in (
            other.get(f"/your-requests/sign-in/{token}/"),
            other.post(f"/your-requests/sign-in/{token}/"),
        ):
            self.assertEqual(response.status_code, 404)
            self.assertIn("This link does not work", page_text(response))
        self.assertRedirects(other.get(LIST), START)

    def test_an_expired_link_is_refused(self):
        self.ask_for_link()
        token = self.sent_token()
        SignIn.objects.update(created_at=timezone.now() - datetime.timedelta(minutes=31))
        response = self.client.post(f"/your-requests/sign-in/{token}/")
        self.assertEqual(response.status_code, 404)
        self.assertIn("This link does not work", page_text(response))
        self.assertRedirects(self.client.get(LIST), START)

    def test_old_links_are_deleted_with_their_address(self):
        self.ask_for_link()
        SignIn.objects.update(created_at=timezone.now() - datetime.timedelta(days=2))
        self.ask_for_link(client=self.client_class())
        self.assertEqual(SignIn.objects.count(), 1)
        self.assertGreater(SignIn.objects.get().created_at, timezone.now() - datetime.timedelta(1))

    def test_a_wrong_link_is_refused(self):
        response = self.client.post("/your-requests/sign-in/not-a-real-token/")
        self.assertEqual(response.status_code, 404)
        self.assertIn("This link does not work", page_text(response))

    def test_no_enumeration(self):
        with_requests = self.ask_for_link("resident@example.com")
        page_with = self.client.get(with_requests["Location"])
        self.assertEqual(len(mail.outbox), 1)
        without = self.client_class()
        response = without.post(START, {"address": "nobody@example.com"})
        self.assertEqual(response["Location"], with_requests["Location"])
        page_without = without.get(response["Location"])
        self.assertEqual(len(mail.outbox), 1)  # nothing sent to an address with no requests
        self.assertEqual(
            page_text(page_with).replace("resident@example.com", "X"),
            page_text(page_without).replace("nobody@example.com", "X"),
        )

    def test_errors(self):
        response = self.client.post(START, {"address": ""})
        self.assertEqual(response.status_code, 200)
        self.assertIn("There is a problem", page_text(response))
        self.assertIn("Enter your email address", page_text(response))
        response = self.client.post(START, {"address": "not an address"})
        self.assertIn("like name@example.com", page_text(response))
        self.assertEqual(len(mail.outbox), 0)

    def test_rate_limited_per_address(self):
        for _ in range(5):
            self.assertEqual(self.ask_for_link(client=self.client_class()).status_code, 302)
        response = self.ask_for_link(client=self.client_class())
        self.assertEqual(response.status_code, 429)
        self.assertIn("You have tried too many times", page_text(response))
        self.assertEqual(len(mail.outbox), 5)

    def test_rate_limited_per_client(self):
        for number in range(10):
            self.client.post(START, {"address": f"someone{number}@example.com"})
        response = self.client.post(START, {"address": "resident@example.com"})
        self.assertEqual(response.status_code, 429)
        self.assertEqual(len(mail.outbox), 0)

    def test_track_your_request_and_the_footer_link_here(self):
        response = self.client.get("/track/")
        soup = BeautifulSoup(response.content, "html.parser")
        self.assertTrue(soup.main.find("a", href=START))
        self.assertTrue(soup.footer.find("a", href=START))

    def test_sign_out_ends_it(self):
        self.sign_in()
        self.assertEqual(self.client.get(LIST).status_code, 200)
        response = self.client.post("/your-requests/sign-out/")
        self.assertIn("You have signed out", page_text(response))
        self.assertRedirects(self.client.get(LIST), START)
        self.assertEqual(self.client.get("/your-requests/sign-out/").status_code, 405)

    def test_idle_too_long(self):
        self.sign_in()
        session = self.client.session
        session["residents.seen"] = (timezone.now() - datetime.timedelta(hours=2)).isoformat()
        session.save()
        self.assertRedirects(self.client.get(LIST), START)


class SignedInTests(YourRequestsTestCase):
    def setUp(self):
        super().setUp()
        self.sign_in()

    def test_the_list_shows_only_this_addresses_requests(self):
        response = self.client.get(LIST)
        text = page_text(response)
        self.assertIn("FCC-AAAA-2222", text)
        self.assertIn("FCC-BBBB-3333", text)
        self.assertIn("Report a missed bin", text)
        self.assertIn("Completed", text)
        self.assertNotIn("FCC-CCCC-4444", text)
        self.assertIn("no-store", response["Cache-Control"])

    def test_a_request_page(self):
        self.mine.set_status(SubmissionStatus.RECEIVED, note="We will collect on 10 November.")
        response = self.client.get(f"{LIST}{self.mine.pk}/")
        text = page_text(response)
        self.assertIn("FCC-AAAA-2222", text)
        self.assertIn("What has happened", text)
        self.assertIn("We will collect on 10 November.", text)
        self.assertIn("Withdraw this request", text)
        self.assertIn("Add information", text)

    def test_payment_and_refunds(self):
        from forms.payments.models import Payment, Refund

        self.mine.fee_pence = 3500
        self.mine.status = SubmissionStatus.PAID
        self.mine.save()
        payment = Payment.objects.create(
            submission=self.mine,
            provider="sandbox",
            amount_pence=3500,
            status="partially_refunded",
            paid_at=timezone.now(),
            refunded_pence=1000,
        )
        Refund.objects.create(payment=payment, amount_pence=1000, idempotency_key="r1")
        text = page_text(self.client.get(f"{LIST}{self.mine.pk}/"))
        self.assertIn("Payment and refunds", text)
        self.assertIn("You paid £35", text)
        self.assertIn("We refunded £10", text)

    def test_another_residents_request_is_not_found(self):
        for path in ("", "add-information/", "withdraw/"):
            self.assertEqual(self.client.get(f"{LIST}{self.theirs.pk}/{path}").status_code, 404)
        self.assertEqual(self.client.post(f"{LIST}{self.theirs.pk}/withdraw/").status_code, 404)
        self.theirs.refresh_from_db()
        self.assertEqual(self.theirs.status, SubmissionStatus.RECEIVED)

    def test_add_information_with_a_message_and_a_file(self):
        photo = SimpleUploadedFile("sofa.png", image_bytes("PNG"), content_type="image/png")
        response = self.client.post(
            f"{LIST}{self.mine.pk}/add-information/",
            {"message": "The sofa is by the back gate.", "file": photo},
        )
        self.assertRedirects(response, f"{LIST}{self.mine.pk}/?added=1")
        added = AddedInformation.objects.get(submission=self.mine)
        self.assertEqual(added.message, "The sofa is by the back gate.")
        self.assertIsNone(added.seen_at)
        stored = added.files.get()
        self.assertEqual(stored.submission, self.mine)
        self.assertEqual(stored.content_type, "image/png")
        self.assertEqual(stored.original_name, "sofa.png")
        text = page_text(self.client.get(response["Location"]))
        self.assertIn("We have added your information", text)
        self.assertIn("The sofa is by the back gate.", text)

    def test_add_information_errors(self):
        path = f"{LIST}{self.mine.pk}/add-information/"
        response = self.client.post(path, {"message": ""})
        self.assertIn("Enter the information you want to add", page_text(response))
        fake = SimpleUploadedFile("photo.jpg", b"not a picture", content_type="image/jpeg")
        response = self.client.post(path, {"message": "Hello", "file": fake})
        self.assertIn("The selected file must be a JPG, PNG or PDF", page_text(response))
        self.assertFalse(AddedInformation.objects.exists())

    def test_added_files_are_scanned_for_viruses(self):
        photo = SimpleUploadedFile("sofa.png", image_bytes("PNG"), content_type="image/png")
        refused = ValidationError("The selected file contains a virus")
        with mock.patch("forms.flows.questions.uploads.validate_upload", side_effect=refused):
            response = self.client.post(
                f"{LIST}{self.mine.pk}/add-information/", {"message": "Hi", "file": photo}
            )
        self.assertEqual(response.status_code, 200)
        self.assertIn("The selected file contains a virus", page_text(response))
        self.assertFalse(AddedInformation.objects.exists())

    def test_no_information_added_to_a_finished_request(self):
        path = f"{LIST}{self.mine_too.pk}/add-information/"
        self.assertEqual(self.client.get(path).status_code, 404)
        self.assertEqual(self.client.post(path, {"message": "Hello"}).status_code, 404)

    def test_withdraw(self):
        path = f"{LIST}{self.mine.pk}/withdraw/"
        self.assertIn("Are you sure", page_text(self.client.get(path)))
        response = self.client.post(path)
        self.assertIn("You have withdrawn your request", page_text(response))
        self.mine.refresh_from_db()
        self.assertEqual(self.mine.status, SubmissionStatus.CLOSED)
        self.assertEqual(self.mine.events.last().note, WITHDRAWN_NOTE)
        self.assertTrue(Withdrawal.objects.filter(submission=self.mine).exists())
        # Not twice.
        self.assertEqual(self.client.post(path).status_code, 409)
        text = page_text(self.client.get(f"{LIST}{self.mine.pk}/"))
        self.assertIn("You withdrew this request.", text)
        self.assertIn("This request is closed.", text)
        self.assertNotIn("Withdraw this request", text)
        self.assertNotIn("Add information", text)

    def test_withdraw_refused_once_staff_have_started(self):
        self.mine.set_status(SubmissionStatus.IN_PROGRESS)
        path = f"{LIST}{self.mine.pk}/withdraw/"
        self.assertEqual(self.client.get(path).status_code, 409)
        response = self.client.post(path)
        self.assertEqual(response.status_code, 409)
        self.assertIn("You cannot withdraw this request online", page_text(response))
        self.mine.refresh_from_db()
        self.assertEqual(self.mine.status, SubmissionStatus.IN_PROGRESS)

    def test_withdraw_refused_after_a_staff_note(self):
        from django.contrib.auth.models import User

        staff = User.objects.create_user("officer")
        self.mine.set_status(SubmissionStatus.RECEIVED, note="Looking at it", user=staff)
        self.assertEqual(self.client.post(f"{LIST}{self.mine.pk}/withdraw/").status_code, 409)
        self.assertFalse(Withdrawal.objects.exists())


class StaffSeeItTests(YourRequestsTestCase):
    def setUp(self):
        super().setUp()
        from django.contrib.auth.models import User

        self.sign_in()
        self.staff = User.objects.create_superuser("chief", "chief@example.com", "pw")
        self.staff_client = self.client_class()
        self.staff_client.force_login(self.staff)

    def test_added_information_is_new_until_staff_open_the_request(self):
        photo = SimpleUploadedFile("sofa.png", image_bytes("PNG"), content_type="image/png")
        self.client.post(
            f"{LIST}{self.mine.pk}/add-information/",
            {"message": "The sofa is by the back gate.", "file": photo},
        )
        listing = page_text(self.staff_client.get("/admin/requests/"))
        self.assertIn("new information", listing)
        first = self.staff_client.get(f"/admin/requests/{self.mine.pk}/")
        soup = BeautifulSoup(first.content, "html.parser")
        added = soup.select("[data-added-information]")
        self.assertEqual(len(added), 1)
        self.assertTrue(added[0].has_attr("data-new"))
        self.assertIn("The sofa is by the back gate.", added[0].get_text())
        link = added[0].find("a")["href"]
        self.assertEqual(self.staff_client.get(link).status_code, 200)
        again = BeautifulSoup(
            self.staff_client.get(f"/admin/requests/{self.mine.pk}/").content, "html.parser"
        )
        self.assertFalse(again.select_one("[data-added-information]").has_attr("data-new"))
        self.assertNotIn("new information", page_text(self.staff_client.get("/admin/requests/")))

    def test_a_withdrawn_request_shows_as_withdrawn(self):
        self.client.post(f"{LIST}{self.mine.pk}/withdraw/")
        page = BeautifulSoup(
            self.staff_client.get(f"/admin/requests/{self.mine.pk}/").content, "html.parser"
        )
        self.assertIn("Withdrawn by the resident", page.select_one("#withdrawn").get_text())


@override_settings(MESSAGE_PROVIDER="sandbox")
class DemoOutboxTests(YourRequestsTestCase):
    def test_a_demo_user_follows_the_link_from_the_outbox(self):
        self.ask_for_link()
        outbox = self.client_class().get("/demo/outbox/")
        self.assertEqual(outbox.status_code, 200)
        token = LINK.search(outbox.content.decode()).group(1)
        other_device = self.client_class()
        self.assertEqual(other_device.get(f"/your-requests/sign-in/{token}/").status_code, 200)
        self.assertRedirects(other_device.post(f"/your-requests/sign-in/{token}/"), LIST)
        self.assertIn("FCC-AAAA-2222", page_text(other_device.get(LIST)))
