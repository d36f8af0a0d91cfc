"""A request's payment in the staff inbox: what was paid and refunded, and refunds made by
finance staff (full or part, once per form, only with "Can refund payments")."""

from __future__ import annotations

from typing import Any
from unittest import mock

from bs4 import BeautifulSoup
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.test import TestCase, override_settings
from django.utils import timezone
from wagtail.test.utils import WagtailTestUtils

from forms.flows.constants import SubmissionStatus
from forms.payments import ProviderError, providers
from forms.payments.constants import PaymentStatus
from forms.payments.models import Payment, Refund
from tests.factories import CategoryPageFactory, ServicePageFactory, make_site
from tests.flows.factories import make_flow, page, question
from tests.inbox.test_inbox import make_submission, team_group

INBOX = "/admin/requests/"


def sandbox_provider(provider_id: str | None = None) -> Any:
    """The sandbox provider, found without importing every other provider."""
    from forms.payments import sandbox  # noqa: F401 - registers itself

    return providers[provider_id or "sandbox"]()


class RefusingProvider:
    def refund(self, payment: Any, amount_pence: int, idempotency_key: str) -> str:
        raise ProviderError("Stripe is not answering")


def refund_permission() -> Permission:
    return Permission.objects.get(content_type__app_label="payments", codename="refund_payment")


class PaymentAdminTestCase(WagtailTestUtils, TestCase):
    @classmethod
    def setUpTestData(cls):
        home = make_site()
        waste = CategoryPageFactory(parent=home, slug="bins-recycling-waste", title="Bins")
        births = CategoryPageFactory(parent=home, slug="births-deaths-marriages", title="Births")
        bulky = ServicePageFactory(parent=waste, slug="bulky-waste", title="Bulky waste")
        birth = ServicePageFactory(parent=births, slug="register-a-birth", title="Register a birth")
        steps = [page("items", question("short_text", "items", "What do you want collected?"))]
        cls.bulky_flow = make_flow(steps, service=bulky, slug="book")
        cls.birth_flow = make_flow(steps, service=birth, slug="book")
        cls.bulky = make_submission(
            cls.bulky_flow, "FCC-4K7Q-M2XD", fee_pence=4100, status=SubmissionStatus.PAID
        )
        cls.birth = make_submission(
            cls.birth_flow, "FCC-9ZZZ-8YYY", fee_pence=1100, status=SubmissionStatus.PAID
        )
        cls.unpaid = make_submission(cls.bulky_flow, "FCC-2222-3333")
        users = get_user_model().objects
        cls.superuser = users.create_superuser("admin", "admin@example.com", "password")
        cls.waste_editor = users.create_user("waste", "waste@example.com", "password")
        cls.waste_editor.groups.add(team_group("Waste and streets", waste))
        cls.waste_finance = users.create_user("finance", "fin@example.com", "password")
        cls.waste_finance.groups.add(team_group("Waste finance", waste))
        cls.waste_finance.user_permissions.add(refund_permission())

    def setUp(self):
        self.payment = Payment.objects.create(
            submission=self.bulky,
            provider="sandbox",
            amount_pence=4100,
            status=PaymentStatus.PAID,
            provider_session_id="sandbox_cs_123",
            provider_payment_id="sandbox_pi_456",
            paid_at=timezone.now(),
        )
        self.birth_payment = Payment.objects.create(
            submission=self.birth,
            provider="sandbox",
            amount_pence=1100,
            status=PaymentStatus.PAID,
            paid_at=timezone.now(),
        )
        patcher = mock.patch("forms.payments.refunds.get_provider", sandbox_provider)
        patcher.start()
        self.addCleanup(patcher.stop)
        self.client.force_login(self.superuser)

    def url(self, submission: Any = None) -> str:
        return f"{INBOX}{(submission or self.bulky).pk}/"

    def soup(self, url: str | None = None) -> BeautifulSoup:
        response = self.client.get(url or self.url())
        self.assertEqual(response.status_code, 200)
        return BeautifulSoup(response.content, "html.parser")

    def payment_section(self, soup: BeautifulSoup) -> Any:
        heading = soup.find(id="payment-heading")
        return heading.find_parent("section") if heading else None

    def refund_form_data(self, payment: Payment | None = None, **data: str) -> dict[str, str]:
        """What the refund form shown on the page would send, with the given answers."""
        soup = self.soup()
        payment = payment or self.payment
        form = soup.select_one(f"[data-payment='{payment.pk}'] form[data-refund-form]")
        self.assertIsNotNone(form, "no refund form on the page")
        fields = {
            field["name"]: field.get("value", "")
            for field in form.select("input[type=hidden]")
            if field.get("name") != "csrfmiddlewaretoken"
        }
        return {**fields, **{f"refund-{name}": value for name, value in data.items()}}

    def refund(self, follow: bool = True, **data: str) -> Any:
        return self.client.post(self.url(), self.refund_form_data(**data), follow=follow)


class PaymentSectionTests(PaymentAdminTestCase):
    def test_the_payment_is_shown_with_its_ids_and_refunds(self):
        Refund.objects.create(
            payment=self.payment,
            amount_pence=500,
            reason="One item fewer",
            idempotency_key="earlier",
            provider_refund_id="sandbox_re_789",
            user=self.superuser,
        )
        Payment.objects.filter(pk=self.payment.pk).update(
            refunded_pence=500, status=PaymentStatus.PARTIALLY_REFUNDED
        )
        section = self.payment_section(self.soup())
        rows = {
            div.dt.get_text(strip=True): div.dd.get_text(" ", strip=True)
            for div in section.select("dl > div")
        }
        self.assertEqual(rows["Amount"], "£41")
        self.assertEqual(rows["Status"], "Partly refunded")
        self.assertIn("Sandbox", rows["Paid with"])
        self.assertEqual(rows["Checkout session ID"], "sandbox_cs_123")
        self.assertEqual(rows["Payment intent ID"], "sandbox_pi_456")
        self.assertEqual(rows["Refunded so far"], "£5")
        self.assertEqual(rows["Left to refund"], "£36")
        self.assertNotEqual(rows["Paid"], "Not paid")
        refunds = section.select_one("table[data-refunds]").get_text(" ", strip=True)
        for expected in ["£5", "One item fewer", "admin", "sandbox_re_789"]:
            self.assertIn(expected, refunds)

    def test_a_stripe_payment_links_to_the_dashboard(self):
        Payment.objects.filter(pk=self.payment.pk).update(
            provider="stripe", provider_session_id="cs_test_a1", provider_payment_id="pi_3Abc"
        )
        section = self.payment_section(self.soup())
        self.assertIn("cs_test_a1", section.get_text())
        link = section.find("a", href=lambda href: href and "dashboard.stripe.com" in href)
        self.assertEqual(link["href"], "https://dashboard.stripe.com/payments/pi_3Abc")

    @override_settings(STRIPE_SECRET_KEY="sk_test_123")
    def test_a_test_mode_stripe_payment_links_to_the_test_dashboard(self):
        Payment.objects.filter(pk=self.payment.pk).update(
            provider="stripe", provider_payment_id="pi_3Abc"
        )
        section = self.payment_section(self.soup())
        self.assertTrue(
            section.find("a", href="https://dashboard.stripe.com/test/payments/pi_3Abc")
        )

    def test_a_request_without_a_payment_has_no_payment_section(self):
        self.assertIsNone(self.payment_section(self.soup(self.url(self.unpaid))))

    def test_an_unpaid_payment_has_no_refund_form(self):
        Payment.objects.filter(pk=self.payment.pk).update(
            status=PaymentStatus.PENDING, paid_at=None
        )
        section = self.payment_section(self.soup())
        self.assertIn("Waiting for the card payment", section.get_text())
        self.assertIn("Not paid", section.get_text())
        self.assertIsNone(section.select_one("form[data-refund-form]"))

    def test_the_refund_form_offers_the_full_amount_or_part(self):
        form = self.payment_section(self.soup()).select_one("form[data-refund-form]")
        text = form.get_text(" ", strip=True)
        self.assertIn("Refund the full amount (£41)", text)
        self.assertIn("Refund part of it", text)
        self.assertIn("Amount to refund, in pounds", text)
        self.assertIn("Reason for the refund", text)
        key = form.select_one("input[name='refund-key']")["value"]
        self.assertTrue(key.startswith(f"refund-{self.payment.uuid}-"))
        # a new key each time the form is shown
        again = self.payment_section(self.soup()).select_one("input[name='refund-key']")
        self.assertNotEqual(again["value"], key)


class RefundTests(PaymentAdminTestCase):
    def test_refund_the_full_amount(self):
        response = self.refund(how="full", reason="Collection cancelled")
        self.assertContains(response, "£41 refunded for FCC-4K7Q-M2XD")
        refund = Refund.objects.get()
        self.assertEqual(
            (refund.amount_pence, refund.reason, refund.user),
            (4100, "Collection cancelled", self.superuser),
        )
        self.assertTrue(refund.provider_refund_id.startswith("sandbox_re_"))
        self.payment.refresh_from_db()
        self.assertEqual(self.payment.status, PaymentStatus.REFUNDED)
        self.assertEqual(self.payment.refunded_pence, 4100)
        self.assertIn("We have refunded £41", self.bulky.events.latest("pk").note)
        # nothing is left to refund, so there is no form any more
        self.assertIsNone(self.payment_section(self.soup()).select_one("form[data-refund-form]"))

    def test_refund_part_of_it(self):
        response = self.refund(how="part", amount="£10.50", reason="One item fewer")
        self.assertContains(response, "£10.50 refunded for FCC-4K7Q-M2XD")
        self.assertEqual(Refund.objects.get().amount_pence, 1050)
        self.payment.refresh_from_db()
        self.assertEqual(self.payment.status, PaymentStatus.PARTIALLY_REFUNDED)
        self.assertEqual(self.payment.refundable_pence, 3050)
        # then the rest
        form_text = self.payment_section(self.soup()).select_one("form").get_text(" ")
        self.assertIn("Refund the rest (£30.50)", " ".join(form_text.split()))
        self.refund(how="full", reason="Not collected after all")
        self.payment.refresh_from_db()
        self.assertEqual(self.payment.status, PaymentStatus.REFUNDED)
        self.assertEqual(list(Refund.objects.values_list("amount_pence", flat=True)), [1050, 3050])

    def test_more_than_was_paid_is_a_form_error(self):
        response = self.refund(follow=False, how="part", amount="41.01", reason="Too much")
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Amount to refund must be £41 or less")
        self.assertContains(response, "The refund was not made.")
        self.assertFalse(Refund.objects.exists())
        self.payment.refresh_from_db()
        self.assertEqual(self.payment.status, PaymentStatus.PAID)

    def test_amounts_that_are_not_money_are_form_errors(self):
        cases = {
            "": "Enter the amount to refund",
            "ten pounds": "Amount to refund must be an amount of money, like 12.50",
            "1.234": "Amount to refund must be an amount of money, like 12.50",
            "-5": "Amount to refund must be an amount of money, like 12.50",
            "0": "Amount to refund must be more than £0",
        }
        for amount, message in cases.items():
            with self.subTest(amount=amount):
                response = self.refund(follow=False, how="part", amount=amount, reason="x")
                self.assertEqual(response.status_code, 200)
                self.assertContains(response, message)
        self.assertFalse(Refund.objects.exists())

    def test_a_choice_and_a_reason_are_needed(self):
        response = self.refund(follow=False)
        self.assertContains(response, "Select how much you want to refund")
        self.assertContains(response, "Enter the reason for the refund")
        self.assertFalse(Refund.objects.exists())

    def test_a_form_with_errors_keeps_its_key(self):
        data = self.refund_form_data(how="part", amount="500", reason="x")
        response = self.client.post(self.url(), data)
        soup = BeautifulSoup(response.content, "html.parser")
        self.assertEqual(soup.select_one("input[name='refund-key']")["value"], data["refund-key"])

    def test_sending_the_same_form_twice_refunds_once(self):
        data = self.refund_form_data(how="part", amount="30", reason="Double click")
        first = self.client.post(self.url(), data, follow=True)
        self.assertContains(first, "£30 refunded")
        # The second would be more than is left (£11): it is recognised before that is checked.
        second = self.client.post(self.url(), data, follow=True)
        self.assertContains(second, "This refund of £30 has already been made")
        self.assertEqual(Refund.objects.count(), 1)
        self.payment.refresh_from_db()
        self.assertEqual(self.payment.refunded_pence, 3000)

    def test_a_full_refund_sent_twice_refunds_once(self):
        data = self.refund_form_data(how="full", reason="Cancelled")
        self.client.post(self.url(), data)
        self.client.post(self.url(), data)
        self.assertEqual(Refund.objects.count(), 1)
        self.payment.refresh_from_db()
        self.assertEqual(self.payment.refunded_pence, 4100)

    def test_a_key_that_is_not_this_payments_is_refused(self):
        data = self.refund_form_data(how="full", reason="x")
        for key in ["", "refund-made-up", f"refund-{self.birth_payment.uuid}-{'a' * 32}"]:
            with self.subTest(key=key):
                response = self.client.post(self.url(), {**data, "refund-key": key})
                self.assertContains(response, "This form is out of date")
        self.assertFalse(Refund.objects.exists())

    def test_a_payment_of_another_request_is_not_found(self):
        data = self.refund_form_data(how="full", reason="x")
        data["refund-payment"] = str(self.birth_payment.pk)
        response = self.client.post(self.url(), data)
        self.assertEqual(response.status_code, 404)
        self.assertFalse(Refund.objects.exists())

    def test_a_provider_error_is_shown_and_nothing_is_recorded(self):
        data = self.refund_form_data(how="full", reason="Cancelled")
        with (
            mock.patch("forms.payments.refunds.get_provider", return_value=RefusingProvider()),
            self.assertLogs("forms.inbox.views", "ERROR"),
        ):
            response = self.client.post(self.url(), data)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "The refund was not made")
        self.assertContains(response, "Stripe is not answering")
        self.assertFalse(Refund.objects.exists())
        self.payment.refresh_from_db()
        self.assertEqual((self.payment.status, self.payment.refunded_pence), ("paid", 0))
        # the form is shown again with the same key, so trying again cannot refund twice
        soup = BeautifulSoup(response.content, "html.parser")
        self.assertEqual(soup.select_one("input[name='refund-key']")["value"], data["refund-key"])
        self.client.post(self.url(), data)
        self.assertEqual(Refund.objects.count(), 1)

    def test_the_status_form_still_works_beside_it(self):
        response = self.client.post(
            self.url(), {"status": SubmissionStatus.COMPLETED, "note": "Collected."}, follow=True
        )
        self.assertContains(response, "is now &#x27;Completed&#x27;")
        self.assertFalse(Refund.objects.exists())


class RefundPermissionTests(PaymentAdminTestCase):
    def test_an_editor_without_the_permission_sees_the_payment_but_no_form(self):
        self.client.force_login(self.waste_editor)
        section = self.payment_section(self.soup())
        self.assertIn("£41", section.get_text())
        self.assertIsNone(section.select_one("form[data-refund-form]"))

    def test_a_refund_sent_by_an_editor_without_the_permission_is_refused(self):
        data = self.refund_form_data(how="full", reason="x")  # the form a superuser saw
        self.client.force_login(self.waste_editor)
        response = self.client.post(self.url(), data)
        self.assertEqual(response.status_code, 403)
        self.assertFalse(Refund.objects.exists())
        self.payment.refresh_from_db()
        self.assertEqual(self.payment.status, PaymentStatus.PAID)

    def test_the_waste_team_is_given_no_refund_permission(self):
        self.assertFalse(self.waste_editor.has_perm("payments.refund_payment"))

    def test_finance_in_the_team_can_refund_its_requests(self):
        self.client.force_login(self.waste_finance)
        response = self.refund(how="part", amount="5", reason="Goodwill")
        self.assertContains(response, "£5 refunded")
        self.assertEqual(Refund.objects.get().user, self.waste_finance)

    def test_the_permission_does_not_open_another_teams_request(self):
        self.client.force_login(self.superuser)
        url = self.url(self.birth)
        soup = self.soup(url)
        form = soup.select_one("form[data-refund-form]")
        data = {
            field["name"]: field.get("value", "")
            for field in form.select("input[type=hidden]")
            if field["name"] != "csrfmiddlewaretoken"
        }
        self.client.force_login(self.waste_finance)
        self.assertEqual(self.client.get(url).status_code, 404)
        response = self.client.post(url, {**data, "refund-how": "full", "refund-reason": "x"})
        self.assertEqual(response.status_code, 404)
        self.assertFalse(Refund.objects.exists())

    def test_the_permission_can_be_given_to_a_group_in_the_admin(self):
        soup = self.soup("/admin/groups/new/")
        checkbox = soup.find(
            "input", attrs={"name": "permissions", "value": refund_permission().pk}
        )
        self.assertIsNotNone(checkbox, "'Can refund payments' is not offered to groups")
