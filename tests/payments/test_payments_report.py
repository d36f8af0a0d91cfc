"""The payments report for finance: payments between two dates (this month unless chosen), by
status and provider, with totals and a spreadsheet of the same rows, for finance only and only
of the requests each user may see."""

from __future__ import annotations

import csv
import datetime
import io
from typing import Any

from bs4 import BeautifulSoup
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.test import TestCase
from django.utils import timezone
from wagtail.test.utils import WagtailTestUtils

from forms.flows.constants import SubmissionStatus
from forms.payments.models import Payment
from forms.payments.report import this_month
from tests.factories import CategoryPageFactory, ServicePageFactory, make_site
from tests.flows.factories import make_flow, page, question
from tests.inbox.test_inbox import make_submission, team_group

REPORT = "/admin/reports/payments/"


def at(day: datetime.date, hour: int = 12) -> datetime.datetime:
    """Noon (local time) on `day`."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


class PaymentReportTestCase(WagtailTestUtils, TestCase):
    @classmethod
    def setUpTestData(cls):
        home = make_site()
        waste = CategoryPageFactory(parent=home, slug="bins-recycling-waste", title="Bins")
        births = CategoryPageFactory(parent=home, slug="births-deaths-marriages", title="Births")
        bulky = ServicePageFactory(parent=waste, slug="bulky-waste", title="Bulky waste")
        birth = ServicePageFactory(parent=births, slug="register-a-birth", title="Register a birth")
        steps = [page("items", question("short_text", "items", "What?"))]
        cls.bulky_flow = make_flow(steps, service=bulky, slug="book")
        cls.birth_flow = make_flow(steps, service=birth, slug="book")

        cls.first_of_month, cls.end_of_month = this_month()
        cls.last_month = cls.first_of_month - datetime.timedelta(days=10)
        day = cls.first_of_month

        cls.paid = cls.payment(cls.bulky_flow, "FCC-AAAA-2222", 4100, "paid", day, paid=day)
        cls.part = cls.payment(
            cls.bulky_flow, "FCC-BBBB-3333", 2500, "partially_refunded", day, paid=day, refunded=500
        )
        cls.pending = cls.payment(cls.bulky_flow, "FCC-CCCC-4444", 1000, "pending", day)
        cls.birth_paid = cls.payment(
            cls.birth_flow, "FCC-DDDD-5555", 1100, "paid", day, paid=day, provider="stripe"
        )
        # started last month, paid this month
        cls.late = cls.payment(
            cls.bulky_flow, "FCC-EEEE-6666", 800, "paid", cls.last_month, paid=day
        )
        cls.old = cls.payment(
            cls.bulky_flow, "FCC-FFFF-7777", 700, "refunded", cls.last_month,
            paid=cls.last_month, refunded=700,
        )  # fmt: skip

        users = get_user_model().objects
        cls.superuser = users.create_superuser("admin", "admin@example.com", "password")
        refund = Permission.objects.get(
            content_type__app_label="payments", codename="refund_payment"
        )
        cls.waste_editor = users.create_user("waste", "waste@example.com", "password")
        cls.waste_editor.groups.add(team_group("Waste and streets", waste))
        cls.waste_finance = users.create_user("wfinance", "wf@example.com", "password")
        cls.waste_finance.groups.add(team_group("Waste finance", waste))
        cls.waste_finance.user_permissions.add(refund)
        cls.finance_only = users.create_user("finance", "f@example.com", "password")
        cls.finance_only.user_permissions.add(
            refund,
            Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin"),
        )

    @classmethod
    def payment(
        cls,
        flow: Any,
        reference: str,
        amount: int,
        status: str,
        created: datetime.date,
        paid: datetime.date | None = None,
        refunded: int = 0,
        provider: str = "sandbox",
    ) -> Payment:
        submission = make_submission(
            flow, reference, fee_pence=amount, status=SubmissionStatus.PAID
        )
        payment = Payment.objects.create(
            submission=submission,
            provider=provider,
            amount_pence=amount,
            status=status,
            refunded_pence=refunded,
            provider_session_id=f"cs_{reference}",
            provider_payment_id=f"pi_{reference}" if paid else "",
            paid_at=at(paid, 13) if paid else None,
        )
        Payment.objects.filter(pk=payment.pk).update(created_at=at(created))
        return payment

    def setUp(self):
        self.client.force_login(self.superuser)

    def soup(self, url: str = REPORT) -> BeautifulSoup:
        response = self.client.get(url)
        self.assertEqual(response.status_code, 200)
        return BeautifulSoup(response.content, "html.parser")

    def references(self, url: str = REPORT) -> set[str]:
        soup = self.soup(url)
        return {row.select("td")[0].get_text(strip=True) for row in soup.select("table tbody tr")}

    def totals(self, url: str = REPORT) -> dict[str, str]:
        soup = self.soup(url)
        return {dd["data-total"]: dd.get_text(strip=True) for dd in soup.select("[data-total]")}

    def csv_rows(self, url: str) -> list[dict[str, str]]:
        response = self.client.get(url)
        self.assertEqual(response.status_code, 200)
        self.assertIn("attachment", response["Content-Disposition"])
        raw = b"".join(response.streaming_content)
        self.assertTrue(raw.startswith(b"\xef\xbb\xbf"))
        return list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))


class ReportTests(PaymentReportTestCase):
    def test_it_is_under_reports_in_the_admin_menu(self):
        response = self.client.get("/admin/")
        self.assertContains(response, REPORT)

    def test_the_columns_finance_reconciles_with(self):
        soup = self.soup()
        headings = [th.get_text(" ", strip=True) for th in soup.select("table thead th")]
        for heading in [
            "Reference",
            "Service",
            "Amount",
            "Status",
            "Refunded",
            "Provider",
            "Checkout session ID",
            "Payment intent ID",
            "Started",
            "Paid",
        ]:
            self.assertTrue(any(heading in h for h in headings), f"{heading} not in {headings}")
        row = next(tr for tr in soup.select("table tbody tr") if "FCC-BBBB-3333" in tr.get_text())
        text = " ".join(row.get_text(" ").split())
        for expected in [
            "Bulky waste",
            "£25",
            "Partly refunded",
            "£5",
            "sandbox",
            "cs_FCC-BBBB-3333",
            "pi_FCC-BBBB-3333",
        ]:
            self.assertIn(expected, text)
        link = row.find("a", href=True)
        self.assertEqual(link["href"], f"/admin/requests/{self.part.submission_id}/")

    def test_this_month_by_default(self):
        self.assertEqual(
            self.references(),
            {"FCC-AAAA-2222", "FCC-BBBB-3333", "FCC-CCCC-4444", "FCC-DDDD-5555"},
        )
        self.assertIn(
            f"Payments started from {self.first_of_month:%-d %B %Y}",
            self.soup().get_text(" "),
        )

    def test_payments_started_between_two_dates(self):
        last = self.last_month.isoformat()
        self.assertEqual(
            self.references(f"{REPORT}?dates_from={last}&dates_to={last}"),
            {"FCC-EEEE-6666", "FCC-FFFF-7777"},
        )

    def test_payments_paid_between_two_dates(self):
        url = (
            f"{REPORT}?date_field=paid&dates_from={self.first_of_month}"
            f"&dates_to={self.end_of_month}"
        )
        self.assertEqual(
            self.references(url),
            {"FCC-AAAA-2222", "FCC-BBBB-3333", "FCC-DDDD-5555", "FCC-EEEE-6666"},
        )

    def test_empty_dates_mean_all_payments(self):
        self.assertEqual(len(self.references(f"{REPORT}?dates_from=&dates_to=")), 6)

    def test_filter_by_status_and_provider(self):
        self.assertEqual(
            self.references(f"{REPORT}?status=paid&status=pending"),
            {"FCC-AAAA-2222", "FCC-CCCC-4444", "FCC-DDDD-5555"},
        )
        self.assertEqual(self.references(f"{REPORT}?provider=stripe"), {"FCC-DDDD-5555"})
        self.assertEqual(
            self.references(f"{REPORT}?provider=sandbox&status=paid"), {"FCC-AAAA-2222"}
        )

    def test_totals_of_the_filtered_payments(self):
        # this month: paid £41 + £25 (partly refunded, £5) + £11; pending £10 is not taken
        self.assertEqual(
            self.totals(),
            {"count": "4", "paid_count": "3", "taken": "£77", "refunded": "£5", "net": "£72"},
        )
        self.assertEqual(self.totals(f"{REPORT}?provider=sandbox")["taken"], "£66")
        last = self.last_month.isoformat()
        self.assertEqual(
            self.totals(f"{REPORT}?dates_from={last}&dates_to={last}"),
            {"count": "2", "paid_count": "2", "taken": "£15", "refunded": "£7", "net": "£8"},
        )

    def test_the_totals_are_of_every_page(self):
        response = self.client.get(f"{REPORT}results/?dates_from=&dates_to=&p=1")
        self.assertEqual(response.status_code, 200)
        soup = BeautifulSoup(response.content, "html.parser")
        self.assertEqual(soup.select_one("[data-total=count]").get_text(strip=True), "6")

    def test_csv_has_the_same_rows(self):
        rows = self.csv_rows(f"{REPORT}?status=partially_refunded&export=csv")
        self.assertEqual(len(rows), 1)
        row = rows[0]
        self.assertEqual(
            list(row),
            [
                "Reference",
                "Service",
                "Amount (£)",
                "Status",
                "Refunded (£)",
                "Provider",
                "Checkout session ID",
                "Payment intent ID",
                "Started",
                "Paid",
            ],
        )
        self.assertEqual(
            row,
            {
                **row,
                "Reference": "FCC-BBBB-3333",
                "Service": "Bulky waste",
                "Amount (£)": "25.00",
                "Status": "Partly refunded",
                "Refunded (£)": "5.00",
                "Provider": "sandbox",
                "Checkout session ID": "cs_FCC-BBBB-3333",
                "Payment intent ID": "pi_FCC-BBBB-3333",
                "Started": f"{self.first_of_month:%Y-%m-%d} 12:00",
                "Paid": f"{self.first_of_month:%Y-%m-%d} 13:00",
            },
        )

    def test_csv_follows_the_dates(self):
        rows = self.csv_rows(f"{REPORT}?export=csv")
        self.assertEqual(
            sorted(row["Reference"] for row in rows),
            ["FCC-AAAA-2222", "FCC-BBBB-3333", "FCC-CCCC-4444", "FCC-DDDD-5555"],
        )
        pending = next(row for row in rows if row["Reference"] == "FCC-CCCC-4444")
        self.assertEqual((pending["Paid"], pending["Payment intent ID"]), ("", ""))

    def test_xlsx_export_keeps_amounts_as_numbers(self):
        response = self.client.get(f"{REPORT}?provider=stripe&export=xlsx")
        self.assertEqual(response.status_code, 200)
        from openpyxl import load_workbook

        sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
        rows = list(sheet.iter_rows(values_only=True))
        self.assertEqual(rows[0][0], "Reference")
        self.assertEqual(rows[1][0], "FCC-DDDD-5555")
        self.assertEqual(float(rows[1][2]), 11.0)

    def test_a_bad_date_shows_the_report_not_an_error(self):
        response = self.client.get(f"{REPORT}?dates_from=not-a-date")
        self.assertEqual(response.status_code, 200)


class ReportPermissionTests(PaymentReportTestCase):
    def test_an_editor_without_the_permission_is_kept_out(self):
        self.client.force_login(self.waste_editor)
        for url in [REPORT, f"{REPORT}?export=csv", f"{REPORT}results/"]:
            with self.subTest(url=url):
                response = self.client.get(url)
                self.assertEqual(response.status_code, 302)
                self.assertEqual(response["Location"], "/admin/")
        self.assertNotContains(self.client.get("/admin/"), REPORT)

    def test_finance_see_every_services_payments(self):
        # Reconciliation is council-wide: whoever may refund sees all payments, in a team or not.
        for user in (self.waste_finance, self.finance_only):
            with self.subTest(user=user.username):
                self.client.force_login(user)
                self.assertContains(self.client.get("/admin/"), REPORT)
                self.assertIn("FCC-DDDD-5555", self.references())
                rows = self.csv_rows(f"{REPORT}?dates_from=&dates_to=&export=csv")
                self.assertIn("FCC-DDDD-5555", {row["Reference"] for row in rows})
                self.assertIn("FCC-AAAA-2222", {row["Reference"] for row in rows})

    def test_someone_without_admin_access_does_not_get_in(self):
        self.client.logout()
        response = self.client.get(REPORT)
        self.assertEqual(response.status_code, 302)
        self.assertIn("/admin/login/", response["Location"])
