"""`manage.py create_demo_requests`: a demo resident's requests, for `make run`, so "Your
requests" has something to show: four sent through the real flows (answers checked, the
confirmation sent to the demo outbox, one paid through the sandbox), then moved on by staff
with a note each, as the inbox would. Runs once: a second run finds them and does nothing."""

from __future__ import annotations

from typing import Any

from bs4 import BeautifulSoup
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q
from django.test import Client
from wagtail.models import Locale

from demo.walker import Contact, FlowWalker
from forms.flows.constants import SubmissionStatus
from forms.flows.models import FlowPage, Submission
from forms.flows.notifications import send_status_update
from services.models import ServicePage

RESIDENT = Contact(email="sam.green@example.com", mobile="07700 900 456")
# (service page's slug, where staff have taken it, their note to the resident)
REQUESTS: list[tuple[str, str, str]] = [
    ("report-missed-bin", SubmissionStatus.COMPLETED, "The crew came back and emptied your bin."),
    (
        "report-pothole",
        SubmissionStatus.IN_PROGRESS,
        "An inspector will look at the pothole by Friday and mark it for repair.",
    ),
    ("bulky-waste-collection", SubmissionStatus.PAID, ""),
    ("report-street-light", SubmissionStatus.RECEIVED, ""),
]


class Command(BaseCommand):
    help = "Send a demo resident's requests through four demo flows (local demo only)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--port", type=int, default=8000, help="The port the site serves on.")

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG:
            raise CommandError("Demo requests are for a local demo only (DEBUG is off).")
        mine = Q(contact_email=RESIDENT.email)
        if not Submission.objects.filter(mine).exists():
            for slug, status, note in REQUESTS:
                self.send(slug, status, note)
        port = options["port"]
        count = Submission.objects.filter(mine).count()
        self.stdout.write(
            self.style.SUCCESS(
                f"A demo resident with {count} requests: at http://127.0.0.1:{port}/your-requests/ "
                f"enter {RESIDENT.email} (or {RESIDENT.mobile}), then follow the link (or use "
                f"the code) on the outbox page."
            )
        )

    def send(self, slug: str, status: str, note: str) -> None:
        service = ServicePage.objects.get(locale=Locale.get_default(), slug=slug)
        flow = FlowPage.objects.live().child_of(service).get()
        # A browser of its own, from the machine itself, as a resident's would be.
        client = Client(HTTP_HOST="127.0.0.1", REMOTE_ADDR="127.0.0.1")
        url = FlowWalker(client, flow, RESIDENT).walk()
        token = BeautifulSoup(client.get(url).content, "html.parser").find(
            "input", attrs={"name": "token"}
        )
        if token is None:
            raise CommandError(f"{flow.title}: its check your answers page has no Send button")
        sent = client.post(url, {"token": token["value"]})
        submission = Submission.objects.filter(flow=flow).latest("created_at")
        if flow.has_fee:
            back = client.post(sent["Location"], {"outcome": "succeed"})
            client.get(back["Location"])
            submission.refresh_from_db()
        if status != submission.status:
            event = submission.set_status(status, note=note)
            send_status_update(submission, event)
        self.stdout.write(f"  {submission.reference}: {flow.title} ({submission.status})")
