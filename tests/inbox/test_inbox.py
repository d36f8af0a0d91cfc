"""Staff read residents' requests in the admin inbox, change their status with a note the
resident is emailed, export them, and only ever see the requests of the services they run."""

from __future__ import annotations

import csv
import datetime
import io
import shutil
import smtplib
import uuid
from typing import Any
from urllib.parse import urlencode

from bs4 import BeautifulSoup
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core import mail
from django.core.files.base import ContentFile
from django.core.mail.backends.base import BaseEmailBackend
from django.test import TestCase, override_settings
from django.utils import timezone
from wagtail.models import GroupPagePermission
from wagtail.test.utils import WagtailTestUtils

from forms.flows.constants import SubmissionStatus
from forms.flows.models import Submission, SubmissionEvent, SubmissionFile
from forms.flows.models.submission import private_storage
from tests.factories import CategoryPageFactory, ServicePageFactory, make_site
from tests.flows.factories import make_flow, page, question

INBOX = "/admin/requests/"
TEAM_PAGE_PERMISSIONS = ["add_page", "change_page", "publish_page"]


class FailingBackend(BaseEmailBackend):
    """A mail server that is down."""

    def send_messages(self, email_messages: Any) -> int:
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


def make_submission(flow: Any, reference: str, **fields: Any) -> Submission:
    defaults = {
        "service_title": flow.service.title if flow else "Old service",
        "language": "en-gb",
        "contact_email": "resident@example.com",
        "answers": [],
    }
    submission = Submission.objects.create(
        reference=reference, idempotency_key=uuid.uuid4(), flow=flow, **{**defaults, **fields}
    )
    submission.events.create(status=submission.status)
    return submission


def attach_file(submission: Submission, name: str, content: bytes) -> SubmissionFile:
    upload = SubmissionFile(
        submission=submission,
        question_name="photo",
        number=submission.files.count() + 1,
        original_name=name,
        content_type="image/jpeg",
        size=len(content),
    )
    upload.file.save(name, ContentFile(content), save=True)
    return upload


def team_group(name: str, category: Any) -> Group:
    """A service team as the demo sets them up: admin access, and edit rights on a category."""
    group = Group.objects.create(name=name)
    group.permissions.add(
        Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin")
    )
    for permission in Permission.objects.filter(
        content_type__app_label="wagtailcore", codename__in=TEAM_PAGE_PERMISSIONS
    ):
        GroupPagePermission.objects.create(group=group, page=category, permission=permission)
    return group


class InboxTestCase(WagtailTestUtils, TestCase):
    @classmethod
    def setUpTestData(cls):
        home = make_site()
        waste = CategoryPageFactory(parent=home, slug="bins-recycling-waste", title="Bins")
        births = CategoryPageFactory(parent=home, slug="births-deaths-marriages", title="Births")
        bulky = ServicePageFactory(parent=waste, slug="bulky-waste", title="Bulky waste")
        birth = ServicePageFactory(parent=births, slug="register-a-birth", title="Register a birth")
        steps = [
            page(
                "items",
                question("short_text", "items", "What do you want us to collect?"),
                question("file_upload", "photo", "Upload a photo of the items"),
            )
        ]
        cls.bulky_flow = make_flow(steps, service=bulky, slug="book")
        cls.birth_flow = make_flow(
            [page("baby", question("short_text", "name", "What is the baby's name?"))],
            service=birth,
            slug="book",
        )
        cls.bulky = make_submission(
            cls.bulky_flow,
            "FCC-4K7Q-M2XD",
            fee_pence=2500,
            status=SubmissionStatus.WAITING_FOR_PAYMENT,
            answers=[
                {
                    "name": "items",
                    "label": "What do you want us to collect?",
                    "value": "A sofa",
                    "display": "A sofa",
                },
                {
                    "name": "photo",
                    "label": "Upload a photo of the items",
                    "value": "sofa.jpg",
                    "display": "sofa.jpg",
                },
            ],
        )
        cls.birth = make_submission(
            cls.birth_flow,
            "FCC-9ZZZ-8YYY",
            contact_email="parent@example.com",
            answers=[
                {
                    "name": "name",
                    "label": "What is the baby's name?",
                    "value": "Ada",
                    "display": "Ada",
                }
            ],
        )
        cls.superuser = get_user_model().objects.create_superuser(
            "admin", "admin@example.com", "password"
        )
        cls.waste_editor = get_user_model().objects.create_user(
            "waste", "waste@fernbridge.gov.uk", "password"
        )
        cls.waste_editor.groups.add(team_group("Waste and streets", waste))

    def setUp(self):
        self.client.force_login(self.superuser)

    def soup(self, url: str) -> BeautifulSoup:
        response = self.client.get(url)
        self.assertEqual(response.status_code, 200)
        return BeautifulSoup(response.content, "html.parser")

    def listed_references(self, url: str = INBOX) -> set[str]:
        soup = self.soup(url)
        table = soup.select_one("table.listing")
        if table is None:
            return set()
        return {
            cell.get_text(" ", strip=True).split()[0] for cell in table.select("tbody tr td.title")
        }

    def export_rows(self, url: str = INBOX + "?export=csv") -> list[dict[str, str]]:
        response = self.client.get(url)
        self.assertEqual(response.status_code, 200)
        self.assertIn("attachment", response["Content-Disposition"])
        raw = b"".join(response.streaming_content)
        self.assertTrue(raw.startswith(b"\xef\xbb\xbf"), "Excel needs the BOM to read UTF-8")
        text = raw.decode("utf-8-sig")
        return list(csv.DictReader(io.StringIO(text)))


class InboxListTests(InboxTestCase):
    def test_requests_is_in_the_admin_menu(self):
        response = self.client.get("/admin/")
        self.assertContains(response, "Requests")
        self.assertContains(response, INBOX)

    def test_the_list_shows_what_staff_triage_by(self):
        soup = self.soup(INBOX)
        headings = [th.get_text(" ", strip=True) for th in soup.select("table thead th")]
        for heading in ["Reference", "Service", "Status", "Sent", "Contact email", "Fee"]:
            self.assertTrue(any(heading in h for h in headings), f"{heading} not in {headings}")
        row = next(tr for tr in soup.select("table tbody tr") if "FCC-4K7Q-M2XD" in tr.get_text())
        text = " ".join(row.get_text(" ").split())
        for expected in ["Bulky waste", "Waiting for payment", "resident@example.com", "£25"]:
            self.assertIn(expected, text)
        link = row.find("a", href=True)
        self.assertEqual(link["href"], f"{INBOX}{self.bulky.pk}/")

    def test_filter_by_service(self):
        url = f"{INBOX}?flow={self.birth_flow.pk}"
        self.assertEqual(self.listed_references(url), {"FCC-9ZZZ-8YYY"})

    def test_filter_by_status(self):
        url = f"{INBOX}?status={SubmissionStatus.WAITING_FOR_PAYMENT}"
        self.assertEqual(self.listed_references(url), {"FCC-4K7Q-M2XD"})

    def test_filter_by_the_dates_sent(self):
        long_ago = timezone.now() - datetime.timedelta(days=40)
        Submission.objects.filter(pk=self.birth.pk).update(created_at=long_ago)
        since = (timezone.localdate() - datetime.timedelta(days=7)).isoformat()
        self.assertEqual(
            self.listed_references(f"{INBOX}?created_at_from={since}"), {"FCC-4K7Q-M2XD"}
        )
        until = (timezone.localdate() - datetime.timedelta(days=30)).isoformat()
        self.assertEqual(
            self.listed_references(f"{INBOX}?created_at_to={until}"), {"FCC-9ZZZ-8YYY"}
        )

    def test_a_reference_is_found_however_it_is_typed(self):
        for typed in ["fcc 4k7q m2xd", "FCC-4K7Q-M2XD", "4k7qm2xd", " fcc4k7q-m2xd "]:
            with self.subTest(typed=typed):
                self.assertEqual(
                    self.listed_references(f"{INBOX}?{urlencode({'q': typed})}"), {"FCC-4K7Q-M2XD"}
                )

    def test_part_of_a_reference_or_an_email_address_finds_requests(self):
        self.assertEqual(self.listed_references(f"{INBOX}?q=9ZZZ"), {"FCC-9ZZZ-8YYY"})
        self.assertEqual(self.listed_references(f"{INBOX}?q=parent@"), {"FCC-9ZZZ-8YYY"})
        self.assertEqual(self.listed_references(f"{INBOX}?q=nothing-like-it"), set())


class InboxExportTests(InboxTestCase):
    def test_csv_has_one_row_a_request_with_its_answers(self):
        rows = {row["Reference"]: row for row in self.export_rows()}
        self.assertEqual(set(rows), {"FCC-4K7Q-M2XD", "FCC-9ZZZ-8YYY"})
        bulky = rows["FCC-4K7Q-M2XD"]
        self.assertEqual(
            list(bulky),
            ["Reference", "Service", "Status", "Sent", "Contact email", "Fee (£)", "Answers"],
        )
        self.assertEqual(bulky["Service"], "Bulky waste")
        self.assertEqual(bulky["Status"], "Waiting for payment")
        self.assertEqual(bulky["Contact email"], "resident@example.com")
        self.assertEqual(bulky["Fee (£)"], "25.00")
        sent = timezone.localtime(self.bulky.created_at).strftime("%Y-%m-%d %H:%M")
        self.assertEqual(bulky["Sent"], sent)
        self.assertEqual(
            bulky["Answers"].splitlines(),
            ["What do you want us to collect?: A sofa", "Upload a photo of the items: sofa.jpg"],
        )
        self.assertEqual(rows["FCC-9ZZZ-8YYY"]["Fee (£)"], "")

    def test_csv_follows_the_filters(self):
        rows = self.export_rows(f"{INBOX}?status=received&export=csv")
        self.assertEqual([row["Reference"] for row in rows], ["FCC-9ZZZ-8YYY"])

    def test_an_answer_that_looks_like_a_formula_is_text_in_the_csv(self):
        make_submission(self.birth_flow, "FCC-2222-3333", contact_email="=cmd@example.com")
        rows = {row["Reference"]: row for row in self.export_rows()}
        self.assertEqual(rows["FCC-2222-3333"]["Contact email"], "'=cmd@example.com")

    def test_xlsx_export(self):
        response = self.client.get(INBOX + "?export=xlsx")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(
            response["Content-Type"],
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        from openpyxl import load_workbook

        sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
        references = {row[0] for row in sheet.iter_rows(min_row=2, values_only=True)}
        self.assertEqual(references, {"FCC-4K7Q-M2XD", "FCC-9ZZZ-8YYY"})


class InboxDetailTests(InboxTestCase):
    def setUp(self):
        super().setUp()
        self.upload = attach_file(self.bulky, "sofa.jpg", b"\xff\xd8\xff photo bytes")
        self.addCleanup(
            shutil.rmtree, private_storage().path(f"submissions/{self.bulky.reference}"), True
        )

    def test_answers_files_and_history(self):
        soup = self.soup(f"{INBOX}{self.bulky.pk}/")
        answers = soup.find(id="answers-heading").find_parent("section")
        rows = [
            (div.dt.get_text(strip=True), div.dd.get_text(" ", strip=True))
            for div in answers.select("dl > div")
        ]
        self.assertEqual(
            rows,
            [
                ("What do you want us to collect?", "A sofa"),
                ("Upload a photo of the items", "FCC-4K7Q-M2XD-1.jpg (sent as “sofa.jpg”)"),
            ],
        )
        download = f"{INBOX}{self.bulky.pk}/files/{self.upload.pk}/"
        self.assertTrue(soup.find("a", href=download))
        history = soup.find(id="history-heading").find_parent("section")
        self.assertIn("Waiting for payment", history.get_text())

    def test_a_file_downloads_as_an_attachment(self):
        response = self.client.get(f"{INBOX}{self.bulky.pk}/files/{self.upload.pk}/")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(b"".join(response.streaming_content), b"\xff\xd8\xff photo bytes")
        # the site's name for it, never the resident's
        self.assertEqual(
            response["Content-Disposition"], 'attachment; filename="FCC-4K7Q-M2XD-1.jpg"'
        )
        self.assertEqual(response["Content-Type"], "image/jpeg")

    def test_a_file_of_another_request_is_not_found(self):
        response = self.client.get(f"{INBOX}{self.birth.pk}/files/{self.upload.pk}/")
        self.assertEqual(response.status_code, 404)

    @override_settings(MESSAGE_PROVIDER="sandbox")  # SMTP sends no text messages
    def test_staff_are_told_by_which_channels_the_resident_hears_of_a_change(self):
        cases = [
            (True, False, "The resident is being told by email."),
            (False, True, "The resident is being told by text message."),
            (True, True, "The resident is being told by email and text message."),
        ]
        for by_email, by_text, told in cases:
            with self.subTest(told=told):
                Submission.objects.filter(pk=self.bulky.pk).update(
                    status=SubmissionStatus.PAID,
                    contact_mobile="+447700900123",
                    updates_by_email=by_email,
                    updates_by_text=by_text,
                )
                response = self.client.post(
                    f"{INBOX}{self.bulky.pk}/",
                    {"status": SubmissionStatus.IN_PROGRESS, "note": "Collecting on Tuesday."},
                    follow=True,
                )
                self.assertContains(response, told)
                channels = self.bulky.messages.filter(kind="status_update").values_list(
                    "channel", flat=True
                )
                self.assertEqual(sorted(set(channels)), ["email"] * by_email + ["sms"] * by_text)
                self.bulky.messages.all().delete()

    def test_changing_the_status_records_it_and_emails_the_resident(self):
        # (a request waiting for payment is paid before work on it starts)
        Submission.objects.filter(pk=self.bulky.pk).update(status=SubmissionStatus.PAID)
        response = self.client.post(
            f"{INBOX}{self.bulky.pk}/",
            {"status": SubmissionStatus.IN_PROGRESS, "note": "We will collect on Tuesday."},
            follow=True,
        )
        self.assertContains(response, "FCC-4K7Q-M2XD is now &#x27;In progress&#x27;.")
        self.assertContains(response, "The resident is being told by email.")
        self.bulky.refresh_from_db()
        self.assertEqual(self.bulky.status, SubmissionStatus.IN_PROGRESS)
        event = self.bulky.events.latest("pk")
        self.assertEqual(event.note, "We will collect on Tuesday.")
        self.assertEqual(event.user, self.superuser)
        self.assertEqual(len(mail.outbox), 1)
        self.assertEqual(mail.outbox[0].to, ["resident@example.com"])
        self.assertIn("In progress", mail.outbox[0].body)
        self.assertIn("We will collect on Tuesday.", mail.outbox[0].body)

    def test_an_invalid_status_is_a_form_error(self):
        response = self.client.post(
            f"{INBOX}{self.bulky.pk}/", {"status": "lost-in-the-post", "note": "Hello"}
        )
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Select a valid choice.")
        self.bulky.refresh_from_db()
        self.assertEqual(self.bulky.status, SubmissionStatus.WAITING_FOR_PAYMENT)
        self.assertEqual(mail.outbox, [])

    def test_the_same_status_needs_a_note(self):
        response = self.client.post(
            f"{INBOX}{self.bulky.pk}/", {"status": SubmissionStatus.WAITING_FOR_PAYMENT}
        )
        self.assertContains(response, "Choose a new status, or write a note")
        self.assertEqual(self.bulky.events.count(), 1)

    @override_settings(EMAIL_BACKEND="tests.inbox.test_inbox.FailingBackend")
    def test_a_mail_server_failure_still_saves_the_status_and_says_so(self):
        with self.assertLogs("forms.messaging.sending", "ERROR"):
            response = self.client.post(
                f"{INBOX}{self.bulky.pk}/", {"status": SubmissionStatus.PAID}, follow=True
            )
        self.assertContains(response, "The email to the resident could not be sent.")
        self.bulky.refresh_from_db()
        self.assertEqual(self.bulky.status, SubmissionStatus.PAID)

    def test_a_resident_without_an_email_address_is_not_emailed(self):
        Submission.objects.filter(pk=self.bulky.pk).update(contact_email="")
        response = self.client.post(
            f"{INBOX}{self.bulky.pk}/", {"status": SubmissionStatus.CLOSED}, follow=True
        )
        self.assertContains(response, "gave no email address")
        self.assertEqual(mail.outbox, [])


class InboxPermissionTests(InboxTestCase):
    """An editor of the "Waste and streets" team sees the waste services' requests only."""

    def setUp(self):
        self.client.force_login(self.waste_editor)
        self.birth_file = attach_file(self.birth, "certificate.jpg", b"private")
        self.addCleanup(
            shutil.rmtree, private_storage().path(f"submissions/{self.birth.reference}"), True
        )

    def test_the_list_has_only_their_services_requests(self):
        self.assertEqual(self.listed_references(), {"FCC-4K7Q-M2XD"})

    def test_filtering_by_another_teams_service_shows_nothing_of_it(self):
        self.assertNotIn(
            "FCC-9ZZZ-8YYY", self.listed_references(f"{INBOX}?flow={self.birth_flow.pk}")
        )
        soup = self.soup(INBOX)
        options = [o.get_text(strip=True) for o in soup.select("select[name=flow] option")]
        # one entry per service, whatever its flows and languages
        self.assertEqual(options, ["All", "Bulky waste"])

    def test_searching_for_another_teams_reference_finds_nothing(self):
        self.assertEqual(self.listed_references(f"{INBOX}?q=FCC-9ZZZ-8YYY"), set())

    def test_another_teams_request_is_not_found(self):
        self.assertEqual(self.client.get(f"{INBOX}{self.birth.pk}/").status_code, 404)
        response = self.client.post(
            f"{INBOX}{self.birth.pk}/", {"status": SubmissionStatus.CLOSED, "note": "x"}
        )
        self.assertEqual(response.status_code, 404)
        self.birth.refresh_from_db()
        self.assertEqual(self.birth.status, SubmissionStatus.RECEIVED)

    def test_another_teams_file_is_not_found(self):
        url = f"{INBOX}{self.birth.pk}/files/{self.birth_file.pk}/"
        self.assertEqual(self.client.get(url).status_code, 404)

    def test_another_teams_requests_are_not_in_their_export(self):
        rows = self.export_rows()
        self.assertEqual([row["Reference"] for row in rows], ["FCC-4K7Q-M2XD"])
        self.assertNotIn("Ada", str(rows))

    def test_their_own_request_they_can_read_and_update(self):
        self.assertEqual(self.client.get(f"{INBOX}{self.bulky.pk}/").status_code, 200)
        self.client.post(f"{INBOX}{self.bulky.pk}/", {"status": SubmissionStatus.PAID})
        self.bulky.refresh_from_db()
        self.assertEqual(self.bulky.status, SubmissionStatus.PAID)

    def test_requests_of_a_deleted_flow_are_for_superusers_only(self):
        orphan = make_submission(self.bulky_flow, "FCC-7777-6666")
        Submission.objects.filter(pk=orphan.pk).update(flow=None)
        self.assertNotIn("FCC-7777-6666", self.listed_references())
        self.assertEqual(self.client.get(f"{INBOX}{orphan.pk}/").status_code, 404)
        self.client.force_login(self.superuser)
        self.assertIn("FCC-7777-6666", self.listed_references())
        self.assertEqual(self.client.get(f"{INBOX}{orphan.pk}/").status_code, 200)

    def test_an_admin_user_without_a_service_sees_an_empty_list(self):
        user = get_user_model().objects.create_user("reader", "r@example.com", "password")
        user.user_permissions.add(
            Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin")
        )
        self.client.force_login(user)
        self.assertEqual(self.listed_references(), set())
        self.assertEqual(self.export_rows(), [])
        self.assertEqual(self.client.get(f"{INBOX}{self.bulky.pk}/").status_code, 404)

    def test_someone_without_admin_access_does_not_get_in(self):
        user = get_user_model().objects.create_user("resident", "x@example.com", "password")
        self.client.force_login(user)
        for url in [INBOX, f"{INBOX}{self.bulky.pk}/", f"{INBOX}?export=csv"]:
            with self.subTest(url=url):
                response = self.client.get(url)
                self.assertEqual(response.status_code, 302)
                self.assertIn("/admin/login/", response["Location"])

    def test_status_changes_are_recorded_against_the_editor(self):
        self.client.post(
            f"{INBOX}{self.bulky.pk}/", {"status": SubmissionStatus.CLOSED, "note": "Done."}
        )
        event = SubmissionEvent.objects.filter(submission=self.bulky).latest("pk")
        self.assertEqual((event.user, event.note), (self.waste_editor, "Done."))
