"""`manage.py reconcile_payments`: payments left open long after their checkout started are
checked with the provider and brought up to date; one provider error does not stop the rest."""

from __future__ import annotations

import datetime
import io
from typing import Any
from unittest import mock

from django.core import mail
from django.core.management import call_command
from django.test import TestCase, override_settings
from django.utils import timezone

from forms.flows.constants import SubmissionStatus
from forms.payments import BasePaymentProvider, ProviderError, ProviderState, providers
from forms.payments.constants import PaymentStatus
from forms.payments.models import Payment
from tests.flows.factories import make_flow, page, question
from tests.inbox.test_inbox import make_submission

PROVIDER = "test-reconcile"


class FakeProvider(BasePaymentProvider):
    """Says what `answers` holds for each checkout session; records who was asked."""

    id = PROVIDER
    answers: dict[str, Any] = {}
    asked: list[str] = []

    def fetch_state(self, payment: Any) -> ProviderState:
        self.asked.append(payment.provider_session_id)
        answer = self.answers.get(payment.provider_session_id)
        if isinstance(answer, Exception):
            raise answer
        if answer is None:
            return ProviderState(status=PaymentStatus(payment.status))
        return answer


def registry_only(provider_id: str | None = None) -> BasePaymentProvider:
    return providers[provider_id]()


class ReconcileTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.flow = make_flow([page("items", question("short_text", "items", "What?"))])

    def setUp(self):
        providers.register(PROVIDER)(FakeProvider)
        self.addCleanup(providers._items.pop, PROVIDER, None)
        # Look providers up in the registry only: the test needs no real provider.
        patcher = mock.patch("forms.payments.get_provider", registry_only)
        patcher.start()
        self.addCleanup(patcher.stop)
        FakeProvider.answers = {}
        FakeProvider.asked = []
        self.count = 0

    def payment(
        self, minutes_ago: int, status: str = PaymentStatus.PENDING, session: str | None = None
    ) -> Payment:
        self.count += 1
        submission = make_submission(
            self.flow,
            f"FCC-{self.count:04d}-AAAA",
            fee_pence=2500,
            status=SubmissionStatus.WAITING_FOR_PAYMENT,
        )
        payment = Payment.objects.create(
            submission=submission,
            provider=PROVIDER,
            amount_pence=2500,
            status=status,
            provider_session_id=f"cs_{self.count}" if session is None else session,
        )
        started = timezone.now() - datetime.timedelta(minutes=minutes_ago)
        Payment.objects.filter(pk=payment.pk).update(created_at=started)
        return payment

    def run_command(self, *args: str) -> tuple[str, str]:
        out, err = io.StringIO(), io.StringIO()
        call_command("reconcile_payments", *args, stdout=out, stderr=err)
        return out.getvalue(), err.getvalue()

    def test_an_old_pending_payment_is_asked_about_and_updated(self):
        payment = self.payment(minutes_ago=90)
        FakeProvider.answers["cs_1"] = ProviderState(
            status=PaymentStatus.PAID, session_id="cs_1", payment_id="pi_1"
        )
        out, err = self.run_command()
        payment.refresh_from_db()
        self.assertEqual(payment.status, PaymentStatus.PAID)
        self.assertEqual(payment.provider_payment_id, "pi_1")
        self.assertIsNotNone(payment.paid_at)
        payment.submission.refresh_from_db()
        self.assertEqual(payment.submission.status, SubmissionStatus.PAID)
        self.assertEqual(len(mail.outbox), 1)  # the resident's confirmation, once
        self.assertIn("FCC-0001-AAAA", out)
        self.assertIn("Waiting for the card payment -> Paid", out)
        self.assertIn("Checked 1 payment started more than 60 minutes ago: 1 changed", out)
        self.assertEqual(err, "")

    def test_a_newer_payment_is_not_asked_about(self):
        self.payment(minutes_ago=30)
        out, _err = self.run_command()
        self.assertEqual(FakeProvider.asked, [])
        self.assertIn("Checked 0 payments", out)

    def test_older_than_sets_the_age(self):
        payment = self.payment(minutes_ago=30)
        FakeProvider.answers["cs_1"] = ProviderState(status=PaymentStatus.EXPIRED)
        self.run_command("--older-than", "15")
        payment.refresh_from_db()
        self.assertEqual(payment.status, PaymentStatus.EXPIRED)

    @override_settings(PAYMENT_RECONCILE_AFTER_MINUTES=120)
    def test_the_default_age_is_the_setting(self):
        self.payment(minutes_ago=90)
        self.run_command()
        self.assertEqual(FakeProvider.asked, [])

    def test_only_open_payments_are_asked_about(self):
        self.payment(minutes_ago=90, status=PaymentStatus.PAID)
        self.payment(minutes_ago=90, status=PaymentStatus.FAILED)
        self.payment(minutes_ago=90, status=PaymentStatus.CREATED)
        self.payment(minutes_ago=90, status=PaymentStatus.CREATED, session="")  # never started
        self.run_command()
        self.assertEqual(FakeProvider.asked, ["cs_3"])

    def test_an_error_for_one_payment_is_reported_and_the_others_are_still_done(self):
        first = self.payment(minutes_ago=120)
        second = self.payment(minutes_ago=90)
        FakeProvider.answers["cs_1"] = ProviderError("Stripe timed out")
        FakeProvider.answers["cs_2"] = ProviderState(status=PaymentStatus.PAID)
        out, err = self.run_command()
        self.assertEqual(FakeProvider.asked, ["cs_1", "cs_2"])
        first.refresh_from_db()
        second.refresh_from_db()
        self.assertEqual(first.status, PaymentStatus.PENDING)
        self.assertEqual(second.status, PaymentStatus.PAID)
        self.assertIn("FCC-0001-AAAA: could not ask test-reconcile (Stripe timed out)", err)
        self.assertIn(
            "2 payments started more than 60 minutes ago: 1 changed, 0 unchanged, 1 error", out
        )

    def test_an_unknown_provider_is_reported_and_the_others_are_still_done(self):
        lost = self.payment(minutes_ago=120)
        Payment.objects.filter(pk=lost.pk).update(provider="gone")
        self.payment(minutes_ago=90)
        FakeProvider.answers["cs_2"] = ProviderState(status=PaymentStatus.FAILED)
        with self.assertLogs("forms.payments.management.commands.reconcile_payments", "ERROR"):
            out, err = self.run_command()
        self.assertIn("FCC-0001-AAAA", err)
        self.assertIn("1 changed, 0 unchanged, 1 error", out)

    def test_a_payment_the_provider_still_has_open_is_unchanged(self):
        payment = self.payment(minutes_ago=90)
        out, _err = self.run_command()
        payment.refresh_from_db()
        self.assertEqual(payment.status, PaymentStatus.PENDING)
        self.assertIn("0 changed, 1 unchanged, 0 errors", out)

    def test_dry_run_asks_and_says_but_changes_nothing(self):
        payment = self.payment(minutes_ago=90)
        FakeProvider.answers["cs_1"] = ProviderState(status=PaymentStatus.PAID)
        out, _err = self.run_command("--dry-run")
        self.assertEqual(FakeProvider.asked, ["cs_1"])
        payment.refresh_from_db()
        self.assertEqual(payment.status, PaymentStatus.PENDING)
        self.assertIn("Would change FCC-0001-AAAA", out)
        self.assertIn("Dry run:", out)
        self.assertIn("Nothing was changed.", out)
        self.assertEqual(mail.outbox, [])
