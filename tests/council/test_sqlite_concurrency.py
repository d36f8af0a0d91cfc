"""`make run`'s SQLite under many residents at once: 24 sends at the same moment are all saved,
none gets the 503 "service unavailable" page that a "database is locked" error becomes
(council/outage.py). The database settings are the site's (DATABASES OPTIONS in
council/settings/base.py); on PostgreSQL the same test runs against the test database."""

from __future__ import annotations

import sqlite3
import tempfile
import threading
from pathlib import Path

from bs4 import BeautifulSoup
from django.db import connection
from django.test import Client, TransactionTestCase

from forms.flows.models import Submission
from tests.council.test_reliability_postgres import ensure_wagtail_root
from tests.flows.factories import make_flow, page, question

RESIDENTS = 24


class SimultaneousSendsTests(TransactionTestCase):
    base = "/bins/bulky-waste/apply/"

    def setUp(self) -> None:
        ensure_wagtail_root()  # an earlier TransactionTestCase may have emptied every table
        self.flow = make_flow([page("contact", question("email", "email", "Email address"))])

    def test_24_residents_sending_at_once_are_all_saved(self):
        if connection.vendor != "sqlite":
            self.assertEqual(self.send_all(), [302] * RESIDENTS)
            self.assertEqual(Submission.objects.count(), RESIDENTS)
            return
        # The suite's SQLite database is in memory, shared between threads through SQLite's
        # shared cache, which locks tables in its own way (no timeout applies). `make run`'s is a
        # file: copy the test database into one and point new connections (the threads') at it,
        # with the site's OPTIONS unchanged.
        with tempfile.TemporaryDirectory() as folder:
            path = str(Path(folder) / "db.sqlite3")
            connection.ensure_connection()
            with sqlite3.connect(path) as copy:
                connection.connection.backup(copy)
            copy.close()
            in_memory = connection.settings_dict["NAME"]
            connection.settings_dict["NAME"] = path  # read by each thread's new connection
            try:
                statuses = self.send_all()
            finally:
                connection.settings_dict["NAME"] = in_memory
            with sqlite3.connect(path) as saved:
                (count,) = saved.execute(
                    f"SELECT COUNT(*) FROM {Submission._meta.db_table}"
                ).fetchone()
            saved.close()
        self.assertEqual(statuses, [302] * RESIDENTS)
        self.assertEqual(count, RESIDENTS)

    def send_all(self) -> list[int]:
        """Each resident answers the flow in a browser of their own; then all press "Send" at
        the same moment. The status of each send."""
        barrier = threading.Barrier(RESIDENTS)
        statuses: list[int] = []
        management = f"flow-{self.flow.pk}-current_step"

        def resident(n: int) -> None:
            client = Client()
            try:
                client.get(self.base)
                client.post(
                    f"{self.base}contact/",
                    {management: "contact", "contact-email": f"resident{n}@example.org"},
                )
                # (from the page: the test client's `context` is filled by a signal that every
                # thread's templates send)
                check = BeautifulSoup(
                    client.get(f"{self.base}check-your-answers/").content, "html.parser"
                )
                token = check.find("input", attrs={"name": "token"})["value"]
                barrier.wait(timeout=30)
                response = client.post(f"{self.base}check-your-answers/", {"token": token})
                statuses.append(response.status_code)
            finally:
                connection.close()

        threads = [threading.Thread(target=resident, args=(n,)) for n in range(RESIDENTS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        return sorted(statuses)
