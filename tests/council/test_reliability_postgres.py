"""PostgreSQL restarted in the middle of a flow: the resident gets a clear "service unavailable"
page (503, not 500), then carries on where they were once the database is back.

Restarting the real server (`pg_ctlcluster restart`) would break every other process using
PostgreSQL on this shared machine, so the restart is played by a TCP proxy on loopback, between
Django and PostgreSQL, in a thread of this test: it resets every open connection (TCP RST) and
refuses new ones, as a restarting server does, then accepts again. Django's connection, its
driver (psycopg) and the site's code are all real.
"""

import unittest

from bs4 import BeautifulSoup
from django.db import close_old_connections, connection
from django.test import Client, TransactionTestCase
from wagtail.models import Locale, Page

from demo.loader import DemoLoader
from demo.walker import FlowWalker
from forms.flows.constants import CHECK_ANSWERS_STEP
from forms.flows.models import Submission
from tests.council.servers import TcpProxy, first_flow_with_email, send_check_answers

UNAVAILABLE = "Sorry, the service is unavailable"
SAVED = "Your answers so far have been saved."
TRY_AGAIN = "Try again in a few minutes: go back and select Continue again."


class ServerLikeClient(Client):
    """The test client, plus the connection check a real server makes around each request
    (Django's handler sends request_started and request_finished, which call
    close_old_connections; the test client leaves that out). With CONN_MAX_AGE and
    CONN_HEALTH_CHECKS this is where a dead persistent connection is noticed."""

    def request(self, **request):
        close_old_connections()
        try:
            return super().request(**request)
        finally:
            close_old_connections()


def ensure_wagtail_root() -> None:
    """A TransactionTestCase empties every table, including the root page and the locale that
    Wagtail's migrations create."""
    locale, _created = Locale.objects.get_or_create(language_code="en-gb")
    if Page.get_first_root_node() is None:
        Page.add_root(instance=Page(title="Root", slug="root", locale=locale))


@unittest.skipUnless(
    connection.vendor == "postgresql",
    "PostgreSQL only: the test cuts a real TCP connection to the database server (set "
    "DATABASE_URL=postgres://...; make test-postgres runs it)",
)
class PostgresRestartMidFlowTests(TransactionTestCase):
    def setUp(self):
        ensure_wagtail_root()
        DemoLoader().load()
        self.flow = first_flow_with_email()
        settings_dict = connection.settings_dict
        self.saved = {
            key: settings_dict.get(key)
            for key in ("HOST", "PORT", "CONN_MAX_AGE", "CONN_HEALTH_CHECKS")
        }
        self.proxy = TcpProxy(
            settings_dict["HOST"] or "127.0.0.1", int(settings_dict["PORT"] or 5432)
        )
        self.proxy.start()
        self.addCleanup(self.restore_connection)
        connection.close()
        # As in production.py: persistent connections, checked before each request reuses one.
        settings_dict.update(
            HOST="127.0.0.1", PORT=str(self.proxy.port), CONN_MAX_AGE=60, CONN_HEALTH_CHECKS=True
        )
        self.client = ServerLikeClient(raise_request_exception=False)

    def restore_connection(self):
        connection.close()
        connection.settings_dict.update(self.saved)
        self.proxy.stop()
        connection.close()

    def test_a_restart_mid_flow_then_the_resident_carries_on(self):
        walker = FlowWalker(self.client, self.flow)
        start = self.client.get(walker.base)
        self.assertEqual(start.status_code, 302)
        url = start["Location"]
        answered = []
        for _ in range(2):
            step, _data, url = walker.answer(url)
            answered.append(step)
        self.assertNotEqual(walker.step_of(url), CHECK_ANSWERS_STEP, "the flow is too short")
        third = walker.step_of(url)
        third_data = walker.variants(third)[-1]
        service_url = self.flow.get_parent().url

        # A restart that is over between two requests: the persistent connection is dead, the
        # health check (CONN_HEALTH_CHECKS) notices and a new one is made; the resident sees
        # nothing.
        connections_before = self.proxy.accepted
        self.proxy.cut()
        self.proxy.restore()
        self.assertEqual(self.client.get(url).status_code, 200)
        self.assertGreater(self.proxy.accepted, connections_before, "a new connection was made")

        # The database goes away while the resident is on the third page
        self.proxy.cut()
        with self.assertLogs("council.outage", "ERROR"):
            response = walker.post(third, third_data)
        self.assertEqual(response.status_code, 503)
        self.assertEqual(response["Retry-After"], "120")
        text = " ".join(BeautifulSoup(response.content, "html.parser").get_text(" ").split())
        for expected in (UNAVAILABLE, SAVED, TRY_AGAIN):
            self.assertIn(expected, text)
        self.assertIn("no-cache", response["Cache-Control"])
        # any other page, too, while it is down
        self.assertEqual(self.client.get(service_url).status_code, 503)

        # Back: the resident selects Continue again on the same page
        self.proxy.restore()
        step, _data, url = walker.answer(url)
        self.assertEqual(step, third)
        self.assertNotEqual(walker.step_of(url), third, "the flow moved on")
        while walker.step_of(url) != CHECK_ANSWERS_STEP:
            _step, _data, url = walker.answer(url)

        # the answers from before the outage are all there on check your answers
        check = self.client.get(url)
        self.assertEqual(check.status_code, 200)
        links = {
            a["href"]
            for a in BeautifulSoup(check.content, "html.parser").select(".govuk-summary-list a")
        }
        for step in [*answered, third]:
            self.assertTrue(any(f"/{step}/" in href for href in links), (step, links))

        sent = send_check_answers(self.client, walker, url)
        self.assertEqual(sent.status_code, 302)
        self.assertTrue(sent["Location"].endswith("/confirmation/"))
        self.assertEqual(Submission.objects.filter(flow=self.flow).count(), 1)
        submission = Submission.objects.get(flow=self.flow)
        answered_names = {a["name"] for a in submission.answers}
        self.assertTrue(answered_names, "the answers were saved")
        confirmation = self.client.get(sent["Location"])
        self.assertContains(confirmation, submission.reference)

    def test_the_outage_page_reads_nothing_from_the_database(self):
        # a service page while the database is down: the page itself, its header and footer
        # (not visited before: a page already in the page cache is served from there)
        service_url = self.flow.get_parent().url
        self.proxy.cut()
        response = self.client.get(service_url)
        self.assertEqual(response.status_code, 503)
        self.assertContains(response, UNAVAILABLE, status_code=503)
        self.assertContains(response, 'class="govuk-footer"', status_code=503)
        self.proxy.restore()
        self.assertEqual(self.client.get(service_url).status_code, 200)
