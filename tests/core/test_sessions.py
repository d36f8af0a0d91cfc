"""A resident's answers stay in the database session for SESSION_COOKIE_AGE after their last
page, and a page that changes nothing in the session writes nothing to it."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.sessions import REFRESH
from tests.flows.factories import make_flow, page, question

BASE = "/bins/bulky-waste/apply/"


def session_writes(queries: CaptureQueriesContext) -> list[str]:
    return [
        q["sql"]
        for q in queries.captured_queries
        if "django_session" in q["sql"] and not q["sql"].lstrip().upper().startswith("SELECT")
    ]


class SessionWritesTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.flow = make_flow(
            [
                page("items", question("short_text", "items", "What needs collecting?")),
                page("contact", question("email", "email", "Email address")),
            ]
        )

    def setUp(self):
        self.client.get(BASE)  # starts a journey
        self.step = f"{BASE}items/"

    def row(self) -> Session:
        return Session.objects.get(session_key=self.client.session.session_key)

    def answer(self, text: str):
        return self.client.post(
            self.step, {f"flow-{self.flow.pk}-current_step": "items", "items-items": text}
        )

    def test_showing_a_question_again_writes_nothing(self):
        self.client.get(self.step)
        with CaptureQueriesContext(connection) as queries:
            response = self.client.get(self.step)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(session_writes(queries), [])

    def test_an_answer_is_written_at_once(self):
        self.client.get(self.step)
        with CaptureQueriesContext(connection) as queries:
            self.answer("A sofa")
        self.assertTrue(session_writes(queries))
        # and it is what the question shows from the database, in a new client with the cookie
        shown = self.client.get(self.step)
        self.assertContains(shown, "A sofa")

    def test_the_answers_outlive_the_last_page_by_the_whole_age(self):
        self.answer("A wardrobe")
        before = timezone.now()
        self.client.get(self.step)
        age = datetime.timedelta(seconds=settings.SESSION_COOKIE_AGE)
        self.assertGreaterEqual(self.row().expire_date, before + age)

    def test_an_unchanged_session_near_its_expiry_is_moved_on(self):
        self.answer("A fridge")
        age = datetime.timedelta(seconds=settings.SESSION_COOKIE_AGE)
        # as if the last write was a little over REFRESH ago
        Session.objects.filter(pk=self.row().pk).update(
            expire_date=timezone.now() + age - datetime.timedelta(seconds=1)
        )
        before = timezone.now()
        with CaptureQueriesContext(connection) as queries:
            self.client.get(self.step)
        self.assertTrue(session_writes(queries))
        self.assertGreaterEqual(self.row().expire_date, before + age)
        self.assertLessEqual(self.row().expire_date, timezone.now() + age + REFRESH)
        self.assertContains(self.client.get(self.step), "A fridge")

    def test_an_expired_session_starts_again(self):
        self.answer("A bed")
        Session.objects.filter(pk=self.row().pk).update(
            expire_date=timezone.now() - datetime.timedelta(seconds=1)
        )
        response = self.client.get(self.step)
        self.assertNotContains(response, "A bed", status_code=response.status_code)
