"""Each of the 20 demo flows, and each translation of one, can be completed end to end, as a
resident would, from its service page's "Start now" to a reference (or, for a look-up, to the
answer)."""

from io import StringIO

from bs4 import BeautifulSoup
from django.core import mail
from django.core.management import call_command
from django.test import TestCase, override_settings
from django.utils import translation
from django.utils.translation import gettext
from wagtail.models import Locale

from core.money import format_pence
from demo.loader import DemoLoader, read_catalogue
from demo.management.commands.create_demo_requests import REQUESTS, RESIDENT
from demo.walker import FlowWalker
from forms.flows.constants import SubmissionStatus
from forms.flows.models import FlowPage, Submission
from forms.insights.models import FlowEvent


class DemoFlowsEndToEndTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        DemoLoader(translate=True).load()

    def test_every_first_release_service_starts_its_flow(self):
        first_release = {r["slug"] for r in read_catalogue() if r["flow_in_first_release"]}
        self.assertEqual(len(first_release), 20)
        english = FlowPage.objects.live().filter(locale=Locale.get_default())
        flows = {f.get_parent().slug: f for f in english}
        self.assertEqual(set(flows), first_release)
        for slug, flow in flows.items():
            with self.subTest(slug=slug):
                service_page = self.client.get(flow.get_parent().url)
                button = BeautifulSoup(service_page.content, "html.parser").select_one(
                    ".govuk-button--start"
                )
                self.assertEqual(button["href"], flow.url)

    def test_every_demo_flow_can_be_completed(self):
        # English, and every translation (aliases are the English flow under another address)
        walked = FlowPage.objects.live().filter(alias_of__isnull=True).order_by("path")
        self.assertEqual(walked.count(), 20 + 3 * 3)
        for flow in walked:
            slug = f"{flow.locale.language_code}:{flow.get_parent().slug}"
            with self.subTest(slug=slug):
                self.client.cookies.clear()
                mail.outbox.clear()
                walker = FlowWalker(self.client, flow)
                url = walker.walk()
                check = self.client.get(url)
                self.assertEqual(check.status_code, 200)
                soup = BeautifulSoup(check.content, "html.parser")
                if flow.result_handler:
                    self.assertEqual(Submission.objects.filter(flow=flow.source_flow).count(), 0)
                    self.assertTrue(soup.select(".govuk-summary-list__row"), slug)
                    # the answer shown counts as a completed journey, with its feedback form
                    self.assertTrue(
                        FlowEvent.objects.filter(flow=flow.source_flow, kind="end_point").exists(),
                        slug,
                    )
                    self.assertTrue(soup.select_one("form.council-satisfaction"), slug)
                    continue
                token = soup.find("input", attrs={"name": "token"})["value"]
                sent = self.client.post(url, {"token": token})
                submission = (
                    Submission.objects.get(
                        reference=self.client.session.get(f"flow-{flow.source_flow.pk}-done")
                    )
                    if not flow.has_fee
                    else Submission.objects.filter(flow=flow.source_flow).latest("created_at")
                )
                # a translation's request counts as its English flow's, in its own language
                self.assertEqual(submission.language, flow.locale.language_code)
                if flow.has_fee:
                    # (worked out before paying: a paid parking fine is not due any more)
                    values = {a["name"]: a["value"] for a in submission.answers}
                    expected = flow.fee_calculator().calculate(values).total_pence
                    self.assertEqual(len(mail.outbox), 0)  # nothing until the money is in
                    sandbox = sent["Location"]
                    self.assertIn("/payments/sandbox/", sandbox)
                    self.assertEqual(self.client.get(sandbox).status_code, 200)
                    back = self.client.post(sandbox, {"outcome": "succeed"})
                    sent = self.client.get(back["Location"])
                    submission.refresh_from_db()
                self.assertRedirects(
                    sent, f"{flow.url}confirmation/", fetch_redirect_response=False
                )
                confirmation = self.client.get(f"{flow.url}confirmation/")
                self.assertContains(confirmation, submission.reference)
                if flow.has_fee:
                    self.assertGreater(expected, 0)
                    self.assertEqual(submission.fee_pence, expected)
                    self.assertEqual(submission.status, SubmissionStatus.PAID)
                    self.assertEqual(submission.payments.get().amount_pence, expected)
                    with translation.override(flow.locale.language_code):
                        self.assertContains(check, gettext("Total"))
                    self.assertContains(confirmation, format_pence(expected))
                else:
                    self.assertIsNone(submission.fee_pence)
                    self.assertEqual(submission.status, SubmissionStatus.RECEIVED)
                tracked = set(
                    FlowEvent.objects.filter(flow=flow.source_flow).values_list("kind", flat=True)
                )
                self.assertTrue({"started", "check_viewed", "submitted"} <= tracked, slug)
                if flow.has_fee:
                    self.assertIn("payment_succeeded", tracked)
                if submission.contact_email:
                    self.assertEqual(len(mail.outbox), 1)
                    self.assertIn(submission.reference, mail.outbox[0].body)

    @override_settings(DEBUG=True)
    def test_make_runs_demo_resident_has_four_requests_in_different_states(self):
        out = StringIO()
        call_command("create_demo_requests", port=8123, stdout=out)
        mine = Submission.objects.filter(contact_email=RESIDENT.email)
        self.assertEqual(
            {s.flow.get_parent().slug: s.status for s in mine},
            {slug: status for slug, status, _note in REQUESTS},
        )
        paid = mine.get(status=SubmissionStatus.PAID)
        self.assertEqual(paid.payments.get().amount_pence, paid.fee_pence)
        pothole = mine.get(status=SubmissionStatus.IN_PROGRESS)
        self.assertIn("An inspector will look", pothole.events.latest("created_at").note)
        # Told by email and, where the flow asks how, by text message too: on the outbox page.
        self.assertEqual(pothole.contact_mobile, "+447700900456")
        self.assertEqual(
            sorted(pothole.messages.values_list("channel", flat=True)),
            ["email", "email", "sms", "sms"],
        )
        self.assertIn("http://127.0.0.1:8123/your-requests/", out.getvalue())
        # make run runs it every time: the second run sends nothing more.
        call_command("create_demo_requests", stdout=StringIO())
        self.assertEqual(mine.count(), len(REQUESTS))

    def test_paid_flows_show_the_fee_before_sending(self):
        english = FlowPage.objects.live().filter(locale=Locale.get_default())
        paid = [flow for flow in english if flow.has_fee]
        self.assertEqual(len(paid), 8)
        # the certificate flow's fee is set by editors, as fee rules, not by a developer
        self.assertIn("replacement-certificate", {f.get_parent().slug for f in paid if f.fee_rules})

    def test_every_demo_page_and_flow_can_be_sent_for_translation(self):
        from wagtail.models import Page
        from wagtail_localize.segments.extract import extract_segments

        for page in Page.objects.filter(depth__gt=1).specific():
            with self.subTest(page=page.url_path):
                self.assertTrue(extract_segments(page))
