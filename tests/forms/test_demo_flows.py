"""Each of the 20 demo flows can be completed end to end, as a resident would, from its
service page's "Start now" to a reference (or, for a look-up, to the answer)."""

from bs4 import BeautifulSoup
from django.core import mail
from django.test import TestCase

from forms.constants import SubmissionStatus
from forms.handlers import fees
from forms.models import FlowEvent, FlowPage, Submission
from services.demo.loader import DemoLoader, read_catalogue
from tests.forms.walker import FlowWalker


class DemoFlowsEndToEndTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        DemoLoader().load()

    def test_every_first_release_service_starts_its_flow(self):
        first_release = {r["slug"] for r in read_catalogue() if r["flow_in_first_release"]}
        self.assertEqual(len(first_release), 20)
        flows = {f.get_parent().slug: f for f in FlowPage.objects.live()}
        self.assertEqual(set(flows), first_release)
        for slug, flow in flows.items():
            with self.subTest(slug=slug):
                service_page = self.client.get(flow.get_parent().url)
                button = BeautifulSoup(service_page.content, "html.parser").select_one(
                    ".govuk-button--start"
                )
                self.assertEqual(button["href"], flow.url)

    def test_every_demo_flow_can_be_completed(self):
        for flow in FlowPage.objects.live().order_by("path"):
            slug = flow.get_parent().slug
            with self.subTest(slug=slug):
                self.client.cookies.clear()
                mail.outbox.clear()
                walker = FlowWalker(self.client, flow)
                url = walker.walk()
                check = self.client.get(url)
                self.assertEqual(check.status_code, 200)
                soup = BeautifulSoup(check.content, "html.parser")
                if flow.result_handler:
                    self.assertEqual(Submission.objects.filter(flow=flow).count(), 0)
                    self.assertTrue(soup.select(".govuk-summary-list__row"), slug)
                    # the answer shown counts as a completed journey, with its feedback form
                    self.assertTrue(
                        FlowEvent.objects.filter(flow=flow, kind="end_point").exists(), slug
                    )
                    self.assertContains(check, "Send feedback")
                    continue
                token = soup.find("input", attrs={"name": "token"})["value"]
                sent = self.client.post(url, {"token": token})
                submission = Submission.objects.get(flow=flow)
                if flow.fee_handler:
                    self.assertEqual(len(mail.outbox), 0)  # nothing until the money is in
                    sandbox = sent["Location"]
                    self.assertTrue(sandbox.startswith("/payments/sandbox/"), sandbox)
                    self.assertContains(self.client.get(sandbox), "No money is taken")
                    back = self.client.post(sandbox, {"outcome": "succeed"})
                    sent = self.client.get(back["Location"])
                    submission.refresh_from_db()
                self.assertRedirects(
                    sent, f"{flow.url}confirmation/", fetch_redirect_response=False
                )
                confirmation = self.client.get(f"{flow.url}confirmation/")
                self.assertContains(confirmation, submission.reference)
                if flow.fee_handler:
                    values = {a["name"]: a["value"] for a in submission.answers}
                    expected = fees[flow.fee_handler].calculate(values).total_pence
                    self.assertGreater(expected, 0)
                    self.assertEqual(submission.fee_pence, expected)
                    self.assertEqual(submission.status, SubmissionStatus.PAID)
                    self.assertEqual(submission.payments.get().amount_pence, expected)
                    self.assertContains(check, "Total")
                    self.assertContains(confirmation, "You have paid")
                else:
                    self.assertIsNone(submission.fee_pence)
                    self.assertEqual(submission.status, SubmissionStatus.RECEIVED)
                tracked = set(FlowEvent.objects.filter(flow=flow).values_list("kind", flat=True))
                self.assertTrue({"started", "check_viewed", "submitted"} <= tracked, slug)
                if flow.fee_handler:
                    self.assertIn("payment_succeeded", tracked)
                if submission.contact_email:
                    self.assertEqual(len(mail.outbox), 1)
                    self.assertIn(submission.reference, mail.outbox[0].body)

    def test_paid_flows_show_the_fee_before_sending(self):
        paid = FlowPage.objects.live().exclude(fee_handler="")
        self.assertEqual(paid.count(), 8)

    def test_every_demo_page_and_flow_can_be_sent_for_translation(self):
        from wagtail.models import Page
        from wagtail_localize.segments.extract import extract_segments

        for page in Page.objects.filter(depth__gt=1).specific():
            with self.subTest(page=page.url_path):
                self.assertTrue(extract_segments(page))
