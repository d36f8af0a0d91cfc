"""Your requests by text message: a resident gives their mobile number and types the 6-digit
code we text them. The code works once, for 30 minutes, from the browser that asked for it, and
is void after 5 wrong tries. Nothing says whether the number has requests."""

from __future__ import annotations

import datetime
import re

from bs4 import BeautifulSoup
from django.core.cache import cache
from django.test import TestCase, override_settings
from django.utils import timezone

from forms.messaging.constants import Channel, Kind
from forms.messaging.models import Message
from forms.residents.models import SignIn
from tests.factories import make_site
from tests.residents.test_your_requests import LIST, START, make_request

CODE = "/your-requests/enter-code/"


def page_text(response) -> str:
    return " ".join(BeautifulSoup(response.content, "html.parser").main.get_text(" ").split())


@override_settings(MESSAGE_PROVIDER="sandbox")  # keeps the text message, so the test can read it
class SignInByCodeTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        make_site()
        cls.mine = make_request("", "FCC-AAAA-2222", contact_mobile="+447700900123")
        cls.theirs = make_request("", "FCC-CCCC-4444", contact_mobile="+447700900999")

    def setUp(self):
        cache.clear()

    def ask_for_code(self, number="07700 900123", client=None):
        response = (client or self.client).post(START, {"address": number})
        self.assertRedirects(response, CODE)
        return response

    def sent_code(self) -> str:
        message = Message.objects.get(kind=Kind.SIGN_IN, channel=Channel.SMS)
        self.assertEqual(message.to, "+447700900123")
        return re.search(r"\b(\d{6})\b", message.body).group(1)

    def test_the_code_signs_in_once(self):
        self.ask_for_code()
        code = self.sent_code()
        self.assertNotIn(code, SignIn.objects.get().secret_hash)
        before = self.client.session.session_key
        self.assertRedirects(self.client.post(CODE, {"code": code}), LIST)
        self.assertNotEqual(self.client.session.session_key, before)
        text = page_text(self.client.get(LIST))
        self.assertIn("FCC-AAAA-2222", text)
        self.assertNotIn("FCC-CCCC-4444", text)
        # Used: signing out and typing it again does nothing.
        self.client.post("/your-requests/sign-out/")
        self.assertRedirects(self.client.post(CODE, {"code": code}), START)

    def test_a_wrong_code_then_too_many_tries(self):
        self.ask_for_code()
        code = self.sent_code()
        wrong = "000000" if code != "000000" else "111111"
        for _ in range(4):
            response = self.client.post(CODE, {"code": wrong})
            self.assertEqual(response.status_code, 200)
            self.assertIn("The code is not right", page_text(response))
        response = self.client.post(CODE, {"code": wrong})
        self.assertEqual(response.status_code, 400)
        self.assertIn("This code does not work", page_text(response))
        # Even the right code is void now.
        self.assertRedirects(self.client.post(CODE, {"code": code}), START)
        self.assertRedirects(self.client.get(LIST), START)

    def test_an_expired_code_is_refused(self):
        self.ask_for_code()
        code = self.sent_code()
        SignIn.objects.update(created_at=timezone.now() - datetime.timedelta(minutes=31))
        response = self.client.post(CODE, {"code": code})
        self.assertEqual(response.status_code, 400)
        self.assertIn("This code does not work", page_text(response))
        self.assertRedirects(self.client.get(LIST), START)

    def test_the_code_only_works_in_the_browser_that_asked(self):
        self.ask_for_code()
        code = self.sent_code()
        other = self.client_class()
        self.assertRedirects(other.post(CODE, {"code": code}), START)

    def test_no_enumeration(self):
        self.ask_for_code("07700 900123")
        with_requests = page_text(self.client.get(CODE))
        other = self.client_class()
        self.ask_for_code("07700 900555", client=other)
        without = page_text(other.get(CODE))
        self.assertEqual(
            with_requests.replace("+447700900123", "X"), without.replace("+447700900555", "X")
        )
        self.assertEqual(Message.objects.filter(kind=Kind.SIGN_IN).count(), 1)
        response = other.post(CODE, {"code": "123456"})
        self.assertIn("The code is not right", page_text(response))

    def test_not_a_mobile_number(self):
        response = self.client.post(START, {"address": "01632 960000"})  # a landline
        self.assertEqual(response.status_code, 200)
        self.assertIn("There is a problem", page_text(response))
        self.assertFalse(Message.objects.exists())
