"""Flow tracking: every step of a journey is an anonymous event, written once per request,
and a tracking failure never stops a resident."""

from unittest import mock

from django.db import DatabaseError, connection
from django.test import TestCase, override_settings
from django.test.utils import CaptureQueriesContext

from forms.flows.models import Submission
from forms.insights.models import FlowEvent
from forms.insights.tracking import device_class
from forms.payments.models import Payment
from tests.flows.test_runtime import FlowTestCase, crime_number_flow
from tests.payments import test_payments_sandbox as sandbox

IPHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile/15E148 Safari/604.1"


class TrackingTests(FlowTestCase):
    @classmethod
    def setUpTestData(cls):
        cls.flow = crime_number_flow()

    def kinds(self) -> list[tuple[str, str]]:
        return list(FlowEvent.objects.order_by("created_at", "pk").values_list("kind", "step"))

    def test_a_whole_journey_is_one_anonymous_journey(self):
        self.client.get(
            self.base, HTTP_USER_AGENT=IPHONE, HTTP_REFERER="http://x/bins/bulky-waste/"
        )
        self.client.get(f"{self.base}stolen/", HTTP_USER_AGENT=IPHONE)
        self.answer("stolen", {"stolen-stolen": "yes"})
        self.client.get(f"{self.base}crime-number/")
        self.answer("crime-number", {"crime-number-crime_number": "AB/123/26"})
        self.client.get(f"{self.base}contact/")
        self.answer(
            "contact", {"contact-full_name": "Sam Jones", "contact-email": "sam@example.org"}
        )
        check = self.client.get(f"{self.base}check-your-answers/")
        self.client.post(f"{self.base}check-your-answers/", {"token": self.token(check)})
        self.assertEqual(
            self.kinds(),
            [
                ("started", ""),
                ("step_viewed", "stolen"),
                ("step_completed", "stolen"),
                ("step_viewed", "crime-number"),
                ("step_completed", "crime-number"),
                ("step_viewed", "contact"),
                ("step_completed", "contact"),
                ("check_viewed", "check-your-answers"),
                ("submitted", "check-your-answers"),
            ],
        )
        events = FlowEvent.objects.all()
        self.assertEqual(len({e.journey for e in events}), 1)
        self.assertEqual({e.device for e in events}, {"mobile"})
        self.assertEqual({e.source for e in events}, {"service_page"})
        self.assertEqual({e.flow_id for e in events}, {self.flow.pk})
        self.assertEqual(Submission.objects.get().journey, events[0].journey)

    def test_a_failed_page_records_the_question_and_error_never_the_answer(self):
        self.client.get(self.base)
        self.answer("stolen", {"stolen-stolen": "yes"})
        self.answer("crime-number", {"crime-number-crime_number": ""})
        failed = FlowEvent.objects.filter(kind="step_failed")
        self.assertEqual(
            sorted(failed.values_list("step", "field", "error")),
            [("crime-number", "crime_number", "required")],
        )
        self.answer("crime-number", {"crime-number-crime_number": "AB/1"})
        self.answer("contact", {"contact-full_name": "Sam Jones", "contact-email": "not-an-email"})
        row = FlowEvent.objects.filter(kind="step_failed", step="contact").get()
        self.assertEqual(row.field, "email")
        for value in FlowEvent.objects.values_list(
            "step", "field", "error", "language", "device", "source"
        ):
            self.assertNotIn("not-an-email", " ".join(value))
            self.assertNotIn("Sam", " ".join(value))

    def test_going_back_and_changing_an_answer(self):
        check = self.go_to_check_answers()
        self.assertEqual(check.status_code, 200)
        self.client.get(f"{self.base}stolen/?change=1")
        self.client.get(f"{self.base}check-your-answers/")
        self.client.get(f"{self.base}contact/")
        kinds = [k for k, _ in self.kinds()]
        self.assertEqual(kinds.count("change"), 1)
        self.assertEqual(FlowEvent.objects.filter(kind="back").get().step, "contact")

    def test_an_end_point_is_recorded(self):
        self.client.get(self.base)
        self.answer("stolen", {"stolen-stolen": "no"})
        self.client.get(f"{self.base}cannot-order/")
        self.assertIn(("end_point", "cannot-order"), self.kinds())

    def test_at_most_one_write_for_events_per_request(self):
        self.client.get(self.base)
        for step, data in [
            ("stolen", {"stolen-stolen": "yes"}),
            ("crime-number", {"crime-number-crime_number": ""}),
        ]:
            with CaptureQueriesContext(connection) as queries:
                self.answer(step, data)
            inserts = [q for q in queries if 'INTO "flows_flowevent"' in q["sql"]]
            self.assertLessEqual(len(inserts), 1, step)

    def test_a_tracking_failure_never_stops_the_resident(self):
        # Events are written one at a time (save) or several together (bulk_create).
        with (
            mock.patch.object(
                FlowEvent.objects, "bulk_create", side_effect=DatabaseError("disk full")
            ),
            mock.patch.object(FlowEvent, "save", side_effect=DatabaseError("disk full")),
        ):
            check = self.go_to_check_answers()
            self.assertEqual(check.status_code, 200)
            response = self.client.post(
                f"{self.base}check-your-answers/", {"token": self.token(check)}
            )
        self.assertEqual(response.status_code, 302)
        self.assertEqual(Submission.objects.count(), 1)
        self.assertEqual(FlowEvent.objects.count(), 0)

    def test_no_events_without_a_journey(self):
        response = self.client.get(f"{self.base}contact/")  # an old link, session gone
        self.assertEqual(response.status_code, 200)
        self.assertEqual(FlowEvent.objects.count(), 0)


class DeviceClassTests(FlowTestCase):
    def test_device_classes(self):
        self.assertEqual(device_class(IPHONE), "mobile")
        self.assertEqual(device_class("Mozilla/5.0 (iPad; CPU OS 17_0 like Mac OS X)"), "tablet")
        self.assertEqual(
            device_class("Mozilla/5.0 (Linux; Android 14; SM-X200) AppleWebKit/537.36"),
            "tablet",
        )
        self.assertEqual(
            device_class("Mozilla/5.0 (Linux; Android 14; Pixel 8) Mobile Safari/537.36"),
            "mobile",
        )
        self.assertEqual(device_class("Mozilla/5.0 (Windows NT 10.0; Win64; x64)"), "desktop")
        self.assertEqual(device_class(""), "unknown")


@override_settings(PAYMENT_PROVIDER="sandbox")
class PaymentTrackingTests(TestCase):
    """Payment news joins the journey that sent the request."""

    base = "/bins/bulky-waste/apply/"
    send = sandbox.SandboxPaymentTests.send

    @classmethod
    def setUpTestData(cls):
        cls.flow = sandbox.paid_flow()

    def payment_kinds(self) -> list[str]:
        return list(
            FlowEvent.objects.filter(kind__startswith="payment")
            .order_by("created_at", "pk")
            .values_list("kind", flat=True)
        )

    def test_payment_started_failed_then_succeeded_in_one_journey(self):
        response, _token = self.send()
        payment = Payment.objects.get()
        self.client.post(response["Location"], {"outcome": "fail"})
        retry = self.client.post(f"/payments/{payment.uuid}/start/")
        self.client.post(retry["Location"], {"outcome": "succeed"})
        self.assertEqual(
            self.payment_kinds(),
            ["payment_started", "payment_failed", "payment_started", "payment_succeeded"],
        )
        journeys = set(FlowEvent.objects.values_list("journey", flat=True))
        self.assertEqual(journeys, {Submission.objects.get().journey})
