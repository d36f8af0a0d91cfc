"""Whatever a resident or an editor types comes out as text: in the pages, in the admin, in the
emails and in the spreadsheets staff download.

One hostile string goes everywhere that can be typed into: a script element, an attribute
break-out with an event handler, Django template syntax, and an ampersand. On a web page it must
be shown as those characters (escaped), never run as markup; in a plain-text email it must be
exactly those characters; in a CSV or XLSX cell it must not start a formula.
"""

from __future__ import annotations

import csv
import io
import json
import uuid

from bs4 import BeautifulSoup
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import TestCase
from django.utils import timezone
from openpyxl import load_workbook
from wagtail.admin.rich_text import DraftailRichTextArea
from wagtail.contrib.search_promotions.models import Query, SearchPromotion
from wagtail.models import Locale, Site
from wagtail.test.utils import WagtailTestUtils

from demo.translate import ensure_locales
from forms.flows.constants import SubmissionStatus
from forms.flows.models import Submission
from forms.flows.notifications import send_confirmation
from forms.payments.models import Payment
from search.models import Synonym
from services.models import ContactSettings
from tests.factories import CategoryPageFactory, ServicePageFactory, make_site
from tests.flows.factories import assert_goes_to, end_point, make_flow, page, question
from tests.home.test_translation_report import translate

SCRIPT = "<script>alert(1)</script>"
BREAK_OUT = '"><img src=x onerror=alert(1)>'
TEMPLATE = "{{ 7*7 }}{% debug %}"
HOSTILE = f"{SCRIPT}{BREAK_OUT}{TEMPLATE} & co"
FORMULA = '=HYPERLINK("http://x")'
FORMULA_STARTS = ["=1+1", "+1+1", "-1+1", "@SUM(A1)", "\t=1+1", "\r=1+1"]


def rich_text(text: str) -> str:
    """`text` typed into Wagtail's rich text editor (Draftail), as the editor stores it."""
    contentstate = {
        "blocks": [
            {
                "key": "a1b2c",
                "text": text,
                "type": "unstyled",
                "depth": 0,
                "inlineStyleRanges": [],
                "entityRanges": [],
                "data": {},
            }
        ],
        "entityMap": {},
    }
    return DraftailRichTextArea().value_from_datadict(
        {"field": json.dumps(contentstate)}, {}, "field"
    )


def assert_no_markup_from(html: str | bytes) -> BeautifulSoup:
    """Nothing typed became markup: no element runs the script or carries the handler."""
    html = html.decode() if isinstance(html, bytes) else html
    soup = BeautifulSoup(html, "html.parser")
    assert SCRIPT not in html, "a <script> typed in came out as markup"
    assert "<img src=x" not in html, "an <img> typed in came out as markup"
    assert not soup.select("[onerror]"), "an attribute typed in came out as markup"
    assert not [s for s in soup.find_all("script") if "alert(1)" in (s.string or "")]
    return soup


def assert_shown_as_text(html: str | bytes, text: str = HOSTILE) -> None:
    """`text` is on the page as the characters typed: in the text or an attribute's value."""
    soup = assert_no_markup_from(html)
    values = [
        value
        for tag in soup.find_all(True)
        for value in tag.attrs.values()
        if isinstance(value, str)
    ]
    assert text in soup.get_text() or text in values, f"{text!r} is not shown as text"


class HostileContentTestCase(WagtailTestUtils, TestCase):
    """A service, its category and its flow written by a hostile editor."""

    base = "/bins/bulky-waste/apply/"

    @classmethod
    def setUpTestData(cls):
        cls.home = make_site()
        cls.category = CategoryPageFactory(
            parent=cls.home, slug="bins", title=f"Bins {HOSTILE}", intro=HOSTILE
        )
        cls.service = ServicePageFactory(
            parent=cls.category,
            slug="bulky-waste",
            title=f"Bulky waste {HOSTILE}",
            summary=HOSTILE,
            cost=HOSTILE,
            time_to_complete=HOSTILE,
            who_can_use=rich_text(HOSTILE),
        )
        cls.flow = make_flow(
            [
                page(
                    "details",
                    question(
                        "short_text",
                        "name",
                        f"Name {HOSTILE}",
                        hint=HOSTILE,
                        required_message=f"Enter {HOSTILE}",
                    ),
                    question(
                        "radios",
                        "choice",
                        f"Choice {HOSTILE}",
                        hint=HOSTILE,
                        required_message=f"Select {HOSTILE}",
                        options=[
                            {"label": f"Yes {HOSTILE}", "hint": HOSTILE},
                            {"label": "Stop here", "hint": ""},
                        ],
                    ),
                    question("email", "email", f"Email {HOSTILE}"),
                    heading=f"Details {HOSTILE}",
                ),
                end_point(
                    "stop",
                    f"Stopped {HOSTILE}",
                    "placeholder",
                    {"question": "choice", "answer": "Stop here", "negate": False},
                ),
            ],
            service=cls.service,
            title=f"Book {HOSTILE}",
            check_answers_statement=HOSTILE,
            what_happens_next=rich_text(HOSTILE),
        )
        # the end point's reason as the rich text editor stores what the editor typed
        steps = cls.flow.steps.raw_data
        for step in steps:
            if step["type"] == "end_point":
                step["value"]["reason"] = rich_text(f"Reason {HOSTILE}")
        cls.flow.steps = steps
        cls.flow.save_revision().publish()
        contact = ContactSettings.for_site(Site.objects.get(is_default_site=True))
        contact.phone_hours = HOSTILE
        contact.out_of_hours = HOSTILE
        contact.face_to_face = HOSTILE
        contact.save()
        cls.superuser = get_user_model().objects.create_superuser(
            "admin", "admin@example.org", "correct horse battery"
        )

    def step_data(self, **answers: str) -> dict[str, str]:
        return {f"flow-{self.flow.pk}-current_step": "details", **answers}

    def answer_details(self, **answers: str):
        return self.client.post(f"{self.base}details/", self.step_data(**answers))

    def send_request(self) -> Submission:
        self.client.get(self.base)
        response = self.answer_details(
            **{
                "details-name": HOSTILE,
                "details-choice": f"Yes {HOSTILE}",
                "details-email": "resident@example.org",
            }
        )
        assert response.status_code == 302, response.status_code
        check = self.client.get(f"{self.base}check-your-answers/")
        self.client.post(f"{self.base}check-your-answers/", {"token": check.context["token"]})
        return Submission.objects.latest("pk")


class ResidentPagesTests(HostileContentTestCase):
    def test_a_question_page_shows_the_editors_words_as_text(self):
        self.client.get(self.base)
        response = self.client.get(f"{self.base}details/")
        self.assertEqual(response.status_code, 200)
        html = response.content.decode()
        for text in (f"Name {HOSTILE}", f"Choice {HOSTILE}", f"Yes {HOSTILE}", HOSTILE):
            assert_shown_as_text(html, text)
        assert_shown_as_text(html, f"Details {HOSTILE}")

    def test_a_step_shown_again_with_errors_keeps_the_answer_as_text(self):
        self.client.get(self.base)
        response = self.answer_details(**{"details-name": HOSTILE})  # no choice, no email
        assert_goes_to(self, response, f"{self.base}details/")
        response = self.client.get(response["Location"])
        self.assertEqual(response.status_code, 200)
        soup = BeautifulSoup(response.content, "html.parser")
        self.assertEqual(soup.find("input", attrs={"name": "details-name"})["value"], HOSTILE)
        summary = soup.select_one(".govuk-error-summary").get_text()
        self.assertIn(f"Select {HOSTILE}", summary)  # the editor's error message
        assert_no_markup_from(response.content)

    def test_a_chosen_option_is_kept_as_text_when_shown_again(self):
        self.client.get(self.base)
        response = self.answer_details(**{"details-choice": f"Yes {HOSTILE}"})  # no name, no email
        assert_goes_to(self, response, f"{self.base}details/")
        response = self.client.get(response["Location"])
        self.assertEqual(response.status_code, 200)
        soup = assert_no_markup_from(response.content)
        checked = soup.find("input", attrs={"name": "details-choice", "checked": True})
        self.assertEqual(checked["value"], f"Yes {HOSTILE}")

    def test_check_answers_and_confirmation(self):
        self.client.get(self.base)
        self.answer_details(
            **{
                "details-name": HOSTILE,
                "details-choice": f"Yes {HOSTILE}",
                "details-email": "resident@example.org",
            }
        )
        check = self.client.get(f"{self.base}check-your-answers/")
        answers = BeautifulSoup(check.content, "html.parser").select(".govuk-summary-list__value")
        self.assertIn(HOSTILE, [a.get_text(strip=True) for a in answers])
        assert_shown_as_text(check.content, HOSTILE)  # the statement too
        sent = self.client.post(
            f"{self.base}check-your-answers/", {"token": check.context["token"]}
        )
        confirmation = self.client.get(sent["Location"])
        self.assertEqual(confirmation.status_code, 200)
        assert_shown_as_text(confirmation.content, HOSTILE)  # what happens next (rich text)

    def test_an_end_point(self):
        self.client.get(self.base)
        response = self.answer_details(
            **{
                "details-name": "Sam",
                "details-choice": "Stop here",
                "details-email": "resident@example.org",
            }
        )
        end = self.client.get(response["Location"])
        self.assertEqual(end.status_code, 200)
        assert_shown_as_text(end.content, f"Stopped {HOSTILE}")
        assert_shown_as_text(end.content, f"Reason {HOSTILE}")

    def test_service_and_category_pages(self):
        service = self.client.get("/bins/bulky-waste/")
        self.assertEqual(service.status_code, 200)
        for text in (f"Bulky waste {HOSTILE}", HOSTILE):
            assert_shown_as_text(service.content, text)
        # the summary, cost, time, who can use it, and the contact settings' phone hours, out
        # of hours and face to face: each shown as text
        self.assertGreaterEqual(service.content.decode().count("&lt;script&gt;"), 6)
        category = self.client.get("/bins/")
        assert_shown_as_text(category.content, f"Bins {HOSTILE}")
        assert_shown_as_text(category.content, HOSTILE)
        home = self.client.get("/")
        assert_no_markup_from(home.content)

    def test_track_your_request(self):
        submission = self.send_request()
        submission.events.create(status=SubmissionStatus.IN_PROGRESS, note=HOSTILE)
        wrong = self.client.post("/track/", {"reference": HOSTILE, "email": HOSTILE})
        self.assertEqual(wrong.status_code, 200)
        soup = assert_no_markup_from(wrong.content)
        self.assertEqual(soup.find("input", attrs={"name": "reference"})["value"], HOSTILE)
        found = self.client.post(
            "/track/", {"reference": submission.reference, "email": "resident@example.org"}
        )
        assert_shown_as_text(found.content, HOSTILE)  # staff's note
        assert_shown_as_text(found.content, f"Bulky waste {HOSTILE}")

    def test_search_results_and_no_results(self):
        Synonym.objects.create(terms=HOSTILE, also_find="bulky")
        query = Query.get("bulky")
        SearchPromotion.objects.create(
            query=query,
            external_link_url="https://example.org/",
            external_link_text=f"Promoted {HOSTILE}",
            description=HOSTILE,
            sort_order=0,
        )
        for q in (HOSTILE, "bulky", "bulkyy wast", f"nothing at all {HOSTILE}"):
            with self.subTest(q=q):
                response = self.client.get("/search/", {"q": q})
                self.assertEqual(response.status_code, 200)
                assert_no_markup_from(response.content)
        assert_shown_as_text(self.client.get("/search/", {"q": HOSTILE}).content, HOSTILE)
        # no results: the page offers the contact settings' other ways (an editor's text)
        nothing = self.client.get("/search/", {"q": "zzqxv"})
        assert_shown_as_text(nothing.content, HOSTILE)
        promoted = self.client.get("/search/", {"q": "bulky"})
        assert_shown_as_text(promoted.content, f"Promoted {HOSTILE}")
        # Suggestions are JSON, read by a script that shows them with textContent (never
        # innerHTML): the title arrives as typed, in a response no browser takes for HTML.
        suggest = self.client.get("/search/suggest/", {"q": "bulky"})
        self.assertEqual(suggest["Content-Type"], "application/json")
        self.assertEqual(suggest["X-Content-Type-Options"], "nosniff")
        titles = [s["title"] for s in suggest.json()["suggestions"]]
        self.assertIn(f"Bulky waste {HOSTILE}", titles)

    def test_the_satisfaction_form_keeps_the_comment_as_text(self):
        self.send_request()
        response = self.client.post(
            f"/feedback/{self.flow.pk}/", {"comment": HOSTILE, "asked_at": HOSTILE}
        )
        self.assertEqual(response.status_code, 200)
        soup = assert_no_markup_from(response.content)
        # (Django writes a line break after <textarea>, which browsers drop)
        comment = soup.find("textarea", attrs={"name": "comment"}).get_text()
        self.assertEqual(comment.removeprefix("\n"), HOSTILE)


class EmailTests(HostileContentTestCase):
    def test_the_confirmation_is_plain_text_with_the_answers_as_typed(self):
        self.send_request()
        self.assertEqual(len(mail.outbox), 1)
        email = mail.outbox[0]
        self.assertIn(HOSTILE, email.body)  # "<" stays "<" and "&" stays "&"
        self.assertIn(f"Name {HOSTILE}", email.body)
        self.assertNotIn("&lt;", email.body)
        self.assertNotIn("&amp;", email.body)
        self.assertEqual(email.content_subtype, "plain")
        self.assertEqual(getattr(email, "alternatives", []), [])  # no HTML part
        self.assertEqual(email.message().get_content_type(), "text/plain")
        self.assertIn(HOSTILE, email.subject)

    def test_the_status_update_has_the_note_as_typed(self):
        submission = self.send_request()
        mail.outbox.clear()
        self.client.force_login(self.superuser)
        response = self.client.post(
            f"/admin/requests/{submission.pk}/",
            {"status": SubmissionStatus.IN_PROGRESS, "note": HOSTILE},
            follow=True,
        )
        self.assertEqual(response.status_code, 200)
        assert_no_markup_from(response.content)
        self.assertEqual(len(mail.outbox), 1)
        self.assertIn(HOSTILE, mail.outbox[0].body)
        self.assertNotIn("&lt;", mail.outbox[0].body)
        self.assertEqual(mail.outbox[0].message().get_content_type(), "text/plain")

    def test_a_line_break_in_a_service_title_cannot_add_a_header(self):
        submission = self.send_request()
        mail.outbox.clear()
        submission.service_title = "Bulky waste\r\nBcc: everyone@example.org\r\n\r\nHello"
        submission.save()
        self.assertTrue(send_confirmation(submission))
        message = mail.outbox[0].message()
        self.assertIsNone(message["Bcc"])
        self.assertNotIn("\n", message["Subject"])
        self.assertEqual(mail.outbox[0].recipients(), ["resident@example.org"])


class AdminTests(HostileContentTestCase):
    def setUp(self):
        self.client.force_login(self.superuser)

    def test_the_inbox_list_and_the_request_page(self):
        submission = self.send_request()
        submission.events.create(status=SubmissionStatus.IN_PROGRESS, note=HOSTILE)
        listing = self.client.get("/admin/requests/")
        self.assertEqual(listing.status_code, 200)
        assert_shown_as_text(listing.content, f"Bulky waste {HOSTILE}")
        results = self.client.get("/admin/requests/results/", {"q": HOSTILE})
        assert_no_markup_from(results.content)
        detail = self.client.get(f"/admin/requests/{submission.pk}/")
        self.assertEqual(detail.status_code, 200)
        for text in (HOSTILE, f"Name {HOSTILE}", f"Yes {HOSTILE}"):
            assert_shown_as_text(detail.content, text)

    def test_the_payments_report(self):
        submission = self.send_request()
        Payment.objects.create(
            submission=submission,
            provider="sandbox",
            amount_pence=2500,
            provider_session_id=HOSTILE,
            provider_payment_id=HOSTILE,
            paid_at=timezone.now(),
        )
        response = self.client.get("/admin/reports/payments/")
        self.assertEqual(response.status_code, 200)
        assert_shown_as_text(response.content, f"Bulky waste {HOSTILE}")

    def test_the_flow_reports(self):
        self.send_request()
        index = self.client.get("/admin/reports/flows/")
        self.assertEqual(index.status_code, 200)
        assert_shown_as_text(index.content, f"Bulky waste {HOSTILE}")
        dropoff = self.client.get(f"/admin/reports/flows/{self.flow.pk}/")
        self.assertEqual(dropoff.status_code, 200)
        assert_shown_as_text(dropoff.content, f"Details {HOSTILE}")
        kpis = self.client.get("/admin/reports/service-kpis/")
        assert_no_markup_from(kpis.content)

    def test_the_search_reports_and_synonyms(self):
        Synonym.objects.create(terms=HOSTILE, also_find=f"bulky {HOSTILE}", note=HOSTILE)
        self.client.get("/search/", {"q": HOSTILE})
        self.client.get("/search/", {"q": f"nothing at all {HOSTILE}"})
        for url in (
            "/admin/reports/search-terms/",
            "/admin/reports/searches-with-no-results/",
            "/admin/reports/search-click-through/",
            "/admin/reports/searches-that-led-to-a-request/",
            "/admin/search/synonyms/",
            "/admin/searchpicks/",
        ):
            with self.subTest(url=url):
                response = self.client.get(url)
                self.assertEqual(response.status_code, 200)
                assert_no_markup_from(response.content)
        synonyms = self.client.get("/admin/search/synonyms/")
        assert_shown_as_text(synonyms.content, HOSTILE)

    def test_translation_status(self):
        with self.captureOnCommitCallbacks(execute=True):
            welsh = next(locale for locale in ensure_locales() if locale.language_code == "cy")
            translate(self.category, welsh)
        response = self.client.get("/admin/reports/translation-status/")
        self.assertEqual(response.status_code, 200)
        assert_shown_as_text(response.content, f"Bins {HOSTILE}")
        self.assertTrue(Locale.objects.filter(language_code="cy").exists())

    def test_editing_pages_in_the_admin(self):
        for edited in (self.service, self.flow):
            with self.subTest(page=edited.slug):
                response = self.client.get(f"/admin/pages/{edited.pk}/edit/")
                self.assertEqual(response.status_code, 200)
                assert_no_markup_from(response.content)
        explorer = self.client.get(f"/admin/pages/{self.category.pk}/")
        assert_shown_as_text(explorer.content, f"Bulky waste {HOSTILE}")


class SpreadsheetTests(HostileContentTestCase):
    """A cell that starts like a formula is written with a leading apostrophe (CSV) or as text
    (XLSX), whoever typed it: the resident (answers, email address) or an editor (titles)."""

    def setUp(self):
        self.client.force_login(self.superuser)
        self.flow_submissions = []
        for n, start in enumerate(FORMULA_STARTS):
            self.flow_submissions.append(
                Submission.objects.create(
                    reference=f"FCC-TEST-{n:04d}",
                    idempotency_key=uuid.uuid4(),
                    flow=self.flow,
                    service_title=start,
                    language="en-gb",
                    contact_email=f"{start}@example.org",
                    answers=[{"name": "name", "label": FORMULA, "display": start}],
                )
            )
        for submission in self.flow_submissions:
            submission.events.create(status=submission.status)

    def csv_rows(self, url: str) -> list[dict[str, str]]:
        response = self.client.get(url)
        self.assertEqual(response.status_code, 200)
        text = b"".join(response.streaming_content).decode("utf-8-sig")
        return list(csv.DictReader(io.StringIO(text)))

    def test_the_requests_csv(self):
        rows = self.csv_rows("/admin/requests/?export=csv")
        self.assertEqual(len(rows), len(FORMULA_STARTS))
        for row in rows:
            with self.subTest(row=row["Reference"]):
                for heading in ("Service", "Contact email", "Answers"):
                    self.assertTrue(row[heading].startswith("'"), (heading, row[heading]))
                self.assertEqual(row["Answers"], f"'{FORMULA}: " + row["Answers"].split(": ")[1])

    def test_the_requests_xlsx(self):
        response = self.client.get("/admin/requests/?export=xlsx")
        self.assertEqual(response.status_code, 200)
        sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
        cells = [cell for row in sheet.iter_rows(min_row=2) for cell in row]
        self.assertTrue(cells)
        for cell in cells:
            self.assertNotEqual(cell.data_type, "f", cell.value)
        services = [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)]
        self.assertIn("=1+1", services)  # kept as typed, as text

    def test_the_payments_csv(self):
        Payment.objects.create(
            submission=self.flow_submissions[0],
            provider="sandbox",
            amount_pence=100,
            provider_payment_id=FORMULA,
            paid_at=timezone.now(),
        )
        rows = self.csv_rows("/admin/reports/payments/?export=csv")
        self.assertTrue(rows)
        for row in rows:
            self.assertEqual(row["Service"], "'=1+1")
            self.assertEqual(row["Payment intent ID"], f"'{FORMULA}")

    def test_the_drop_off_csv(self):
        steps = self.flow.steps.raw_data
        steps[0]["value"]["heading"] = FORMULA  # an editor's page heading
        self.flow.steps = steps
        self.flow.save_revision().publish()
        self.send_request()
        rows = self.csv_rows(f"/admin/reports/flows/{self.flow.pk}/?export=csv")
        self.assertIn(f"'{FORMULA}", [row["Label"] for row in rows])
        for value in (v for row in rows for v in row.values()):
            self.assertFalse(value.startswith(("=", "+", "@", "\t", "\r")), value)


class CheckerTests(TestCase):
    """The checks above would notice markup that got through."""

    def test_markup_is_caught(self):
        for html in (
            f"<p>{SCRIPT}</p>",
            "<p><img src=x onerror=alert(1)></p>",
            '<input value=""><img src=x onerror=alert(1)>">',
        ):
            with self.subTest(html=html), self.assertRaises(AssertionError):
                assert_no_markup_from(html)

    def test_escaped_text_passes(self):
        from django.utils.html import escape

        assert_shown_as_text(f"<p>{escape(HOSTILE)}</p>")
        assert_shown_as_text(f'<input value="{escape(HOSTILE)}">')
        with self.assertRaises(AssertionError):
            assert_shown_as_text("<p>something else</p>")
