"""A penalty charge notice paid on the site cannot be paid again: the look-up says when it was
paid and the payment's reference, and the resident is not sent to pay."""

import pytest
from bs4 import BeautifulSoup
from django.test import Client, TestCase, override_settings
from django.utils import timezone
from django.utils.formats import date_format

from forms.flows.handlers import LookupFailed, lookups
from forms.flows.models import Submission
from forms.payments.models import Payment
from tests.flows.factories import make_flow, page, question


@override_settings(PAYMENT_PROVIDER="sandbox")
class PaidNoticeTests(TestCase):
    base = "/bins/bulky-waste/apply/"

    @classmethod
    def setUpTestData(cls):
        cls.flow = make_flow(
            [
                page("pcn", question("short_text", "pcn_number", "PCN number", lookup="pcn")),
                page("contact", question("email", "email", "Email address")),
            ],
            fee_handler="pcn",
        )

    def answer_number(self, client: Client, number: str):
        """The number typed into the question page's own form (with whatever hidden fields the
        runtime puts in it), as a browser sends it."""
        client.get(self.base)
        shown = client.get(f"{self.base}pcn/", follow=True)
        form = BeautifulSoup(shown.content, "html.parser").find("form", method="post")
        data = {i["name"]: i.get("value", "") for i in form.find_all("input", type="hidden")}
        data["pcn-pcn_number"] = number
        action = form.get("action") or shown.request["PATH_INFO"]
        query = shown.request.get("QUERY_STRING", "")
        url = action if form.get("action") or not query else f"{action}?{query}"
        # A page with errors is shown after a redirect (Post/Redirect/Get), or straight away.
        return client.post(url, data, follow=True)

    def send(self, client: Client, number: str):
        self.answer_number(client, number)
        client.post(
            f"{self.base}contact/",
            {f"flow-{self.flow.pk}-current_step": "contact", "contact-email": "sam@example.org"},
        )
        token = client.get(f"{self.base}check-your-answers/").context["token"]
        return client.post(f"{self.base}check-your-answers/", {"token": token})

    def test_a_notice_waiting_for_payment_can_still_be_paid(self):
        self.send(self.client, "FE12345671")
        self.assertEqual(lookups["pcn"].check("FE12345671")["amount_due_pence"], 3500)

    def test_a_notice_paid_online_says_when_and_the_reference_and_offers_no_payment(self):
        sandbox = self.send(self.client, "FE12345671")["Location"]
        self.client.post(sandbox, {"outcome": "succeed"})
        reference = Submission.objects.get().reference
        today = date_format(timezone.localdate(), "j E Y")

        with pytest.raises(LookupFailed) as refused:
            lookups["pcn"].check("fe 1234 5671")
        message = str(refused.value)
        self.assertIn("This penalty charge notice has already been paid", message)
        self.assertIn(f"We received the payment on {today}", message)
        self.assertIn(reference, message)

        # Someone else, with the notice in their hand, is stopped at the number.
        response = self.answer_number(Client(), "FE1234 5671")
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response.request["PATH_INFO"].endswith("/pcn/"))  # not on to pay
        text = BeautifulSoup(response.content, "html.parser").main.get_text(" ")
        self.assertIn("This penalty charge notice has already been paid", text)
        self.assertIn(reference, text)
        self.assertEqual(Payment.objects.count(), 1)

    def test_another_notice_is_not_affected(self):
        sandbox = self.send(self.client, "FE12345671")["Location"]
        self.client.post(sandbox, {"outcome": "succeed"})
        self.assertEqual(lookups["pcn"].check("FE12345678")["number"], "FE12345678")
