"""No personal data in the logs.

A resident with recognisable details books a demo bulky waste collection (a paid flow) from
start to confirmation, with the mail server refusing or unreachable, then mistypes a page
address with their email in it, searches for their email and postcode, and tracks their
request; someone fails to sign in to the admin. Everything logged, at DEBUG, by every logger, is
captured twice: by the root handler LOGGING configures (with its RedactPersonalData filter) and
by pytest's caplog. None of the resident's details may appear in either.
"""

from __future__ import annotations

import contextlib
import io
import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from bs4 import BeautifulSoup
from django.conf import settings
from django.test import Client, override_settings

from core.redaction import EMAIL, NUMBER, PHONE, POSTCODE
from council.logging import IP_REMOVED, QUERY_REMOVED, RedactPersonalData, redact
from demo.loader import DemoLoader
from demo.walker import FlowWalker
from forms.flows.models import FlowPage, Submission
from forms.places.models import Property
from tests.council.servers import smtp_settings
from tests.council.test_settings import PRODUCTION_ENV

NAME = "Zebedee Quinton-Marsh"
EMAIL_ADDRESS = "zebedee.quinton@example.org"
PHONE_NUMBER = "07700 900461"
WHERE_LEFT = "Behind the blue gate at Larkspur Cottage"
USERNAME = "zquinton.admin"
PUBLIC_IP = "81.2.69.160"  # the resident's address, as a proxy would pass it on
SMTP_PORT = 8551  # clear of 8500-8549, where the malformed-request tests serve
# aiosmtpd's log: the test's own mail server, not the site, so not part of what is checked
TEST_SMTP_SERVER_LOGGER = "mail.log"


def personal_data(place: Property) -> list[str]:
    """Every piece of the resident's details, as typed and as shown back to them."""
    return [
        NAME,
        "Zebedee",
        "Quinton",
        EMAIL_ADDRESS,
        "zebedee.quinton%40example.org",
        "zebedee.quinton",
        PHONE_NUMBER,
        PHONE_NUMBER.replace(" ", ""),
        "900461",
        "Larkspur",
        USERNAME,
        PUBLIC_IP,
        place.postcode,
        place.postcode.replace(" ", ""),
        place.address_line_1,
    ]


# capturing every log record


@contextlib.contextmanager
def all_logs(caplog) -> Iterator[tuple[io.StringIO, Any]]:
    """(what LOGGING's root handler writes, caplog), meanwhile every logger at DEBUG but those
    LOGGING itself holds at a higher level (they are part of what is tested)."""
    root = logging.getLogger()
    configured = [
        handler
        for handler in root.handlers
        if any(isinstance(f, RedactPersonalData) for f in handler.filters)
    ]
    assert configured, "the root logger's handler from LOGGING has no RedactPersonalData filter"
    written = io.StringIO()
    streams = [handler.setStream(written) for handler in configured]
    held = {name for name, config in settings.LOGGING["loggers"].items() if "level" in config}
    held.add(TEST_SMTP_SERVER_LOGGER)
    loggers = [
        logger
        for name, logger in logging.root.manager.loggerDict.items()
        if isinstance(logger, logging.Logger) and name not in held
    ]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.DEBUG)
    caplog.set_level(logging.DEBUG)  # the root logger
    caplog.set_level(logging.CRITICAL, TEST_SMTP_SERVER_LOGGER)
    # the configured handler runs before caplog's, so caplog sees the records as it left them
    assert root.handlers.index(configured[0]) < root.handlers.index(caplog.handler)
    try:
        yield written, caplog
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)
        for handler, stream in zip(configured, streams, strict=True):
            handler.setStream(stream)


def everything_logged(written: io.StringIO, caplog: Any) -> str:
    return "\n".join([written.getvalue(), caplog.text, *(r.getMessage() for r in caplog.records)])


def assert_no_personal_data(logged: str, place: Property) -> None:
    found = [item for item in personal_data(place) if item.casefold() in logged.casefold()]
    assert not found, f"personal data in the logs: {found}\n{logged}"


# a mail server that refuses the resident's address (its reply quotes it back)


class RefuseEveryRecipient:
    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802 (aiosmtpd calls it by this name)
        return f"550 5.1.1 <{address}>: Recipient address rejected"


@pytest.fixture
def refusing_mail_server() -> Iterator[int]:
    controller = Controller(RefuseEveryRecipient(), hostname="127.0.0.1", port=SMTP_PORT)
    controller.start()
    try:
        yield SMTP_PORT
    finally:
        controller.stop()


def closed_port() -> int:
    return SMTP_PORT + 1  # nothing listens there: the connection is refused


class Resident(FlowWalker):
    """Walks a flow with this resident's own details instead of the walker's placeholders."""

    OWN = {
        "A test answer": NAME,
        "resident@example.org": EMAIL_ADDRESS,
        "01632 960 001": PHONE_NUMBER,
        "It has been there since Monday.": WHERE_LEFT,
    }

    def post(self, step: str, data: dict[str, Any]):
        own = {
            key: self.OWN.get(value, value) if isinstance(value, str) else value
            for key, value in data.items()
        }
        if step == "where-to-leave-them":
            own = {k: WHERE_LEFT if k.endswith("where_left") else v for k, v in own.items()}
        return super().post(step, own)


def book_bulky_waste(client: Client) -> Submission:
    flow = FlowPage.objects.live().get(fee_handler="bulky-waste", locale__language_code="en-gb")
    resident = Resident(client, flow)
    check_url = resident.walk()
    check = client.get(check_url)
    assert NAME in check.content.decode()
    token = BeautifulSoup(check.content, "html.parser").find("input", attrs={"name": "token"})
    sent = client.post(check_url, {"token": token["value"]}, REMOTE_ADDR=PUBLIC_IP)
    sandbox = sent["Location"]
    assert "/payments/sandbox/" in sandbox, sandbox
    back = client.post(sandbox, {"outcome": "succeed"}, REMOTE_ADDR=PUBLIC_IP)
    done = client.get(back["Location"])
    assert done.status_code == 302, done.status_code
    confirmation = client.get(done["Location"])
    submission = Submission.objects.get(flow=flow)
    assert submission.reference in confirmation.content.decode()
    assert submission.contact_email == EMAIL_ADDRESS
    return submission


@pytest.mark.django_db
@pytest.mark.parametrize("mail_server", ["refuses the address", "cannot be reached"])
def test_a_resident_leaves_no_personal_data_in_the_logs(
    mail_server, caplog, request, settings_for_smtp
):
    DemoLoader().load()
    client = Client(REMOTE_ADDR=PUBLIC_IP)
    port = request.getfixturevalue("refusing_mail_server") if "refuses" in mail_server else None
    with settings_for_smtp(port or closed_port()), all_logs(caplog) as (written, caplog):
        submission = book_bulky_waste(client)
        # the mail server failed, the request is kept
        assert Submission.objects.filter(pk=submission.pk).exists()
        place = Property.objects.order_by("uprn").first()
        assert place.address_line_1 in str(submission.answers)

        # a page address with their email and postcode in it, and in its query string
        missing = client.get(
            f"/bins/{EMAIL_ADDRESS}/{place.postcode}/",
            {"email": EMAIL_ADDRESS, "phone": PHONE_NUMBER},
            REMOTE_ADDR=PUBLIC_IP,
        )
        assert missing.status_code == 404
        # a search for their email, postcode and phone number
        found = client.get("/search/", {"q": f"{EMAIL_ADDRESS} {place.postcode} {PHONE_NUMBER}"})
        assert found.status_code == 200
        # tracking their request, right and then wrong
        tracked = client.post(
            "/track/", {"reference": submission.reference, "email": EMAIL_ADDRESS}
        )
        assert submission.reference in tracked.content.decode()
        client.post("/track/", {"reference": submission.reference, "email": f"x{EMAIL_ADDRESS}"})
        # someone fails to sign in to the admin with the resident's username, then their
        # email, until django-axes (off in the other tests) locks them out
        with override_settings(AXES_ENABLED=True):
            for username in (USERNAME, EMAIL_ADDRESS):
                for _attempt in range(settings.AXES_FAILURE_LIMIT + 1):
                    signed_in = Client(REMOTE_ADDR=PUBLIC_IP).post(
                        "/admin/login/", {"username": username, "password": "not the password"}
                    )
                assert signed_in.status_code in (403, 429), signed_in.status_code

    logged = everything_logged(written, caplog)
    assert_no_personal_data(logged, place)
    # The logs did see all this, redacted: the missing page and the email that failed.
    assert f"Not Found: /bins/{EMAIL}/{POSTCODE}/" in logged
    assert "Could not send the" in logged
    assert "AXES: Locking out" in logged  # axes did log the lockouts, without who or where
    if "refuses" in mail_server:
        assert "SMTPRecipientsRefused" in logged  # whose text quotes the address back
    # No record still carries the request (with its POST body and cookies).
    assert not [r for r in caplog.records if hasattr(r, "request")]


@pytest.fixture
def settings_for_smtp():
    def smtp(port: int):
        return smtp_settings(port, timeout=5)

    return smtp


# the filter itself


def test_every_configured_handler_has_the_filter():
    filters = settings.LOGGING["filters"]
    names = [n for n, f in filters.items() if f.get("()") == "council.logging.RedactPersonalData"]
    assert names
    for name, handler in settings.LOGGING["handlers"].items():
        assert set(names) & set(handler.get("filters", [])), f"handler {name} is unfiltered"
    # Django's own handlers (mail_admins with the request body) are not left on its loggers
    for name in ("django", "django.server"):
        assert logging.getLogger(name).handlers == []


@pytest.mark.parametrize(
    ("line", "kept"),
    [
        ("Not Found: /bins/jo@example.org/", f"Not Found: /bins/{EMAIL}/"),
        (
            '"GET /search/?q=jo%40example.org+FE1+1AA HTTP/1.1" 404 179',
            f'"GET /search/{QUERY_REMOVED} HTTP/1.1" 404 179',
        ),
        ("https://x.example/a?token=abc was slow", f"https://x.example/a{QUERY_REMOVED} was slow"),
        ("Call 07700 900461 or +44 (0)20 7946 0958", f"Call {PHONE} or {PHONE}"),
        ("Card 4242 4242 4242 4242, account 51234565", f"Card {NUMBER}, account {NUMBER}"),
        ("Lives at FE1 1AA (sw1a1aa)", f"Lives at {POSTCODE} ({POSTCODE})"),
        (
            "From 81.2.69.160:443 and 2a00:1450:4009:81f::200e",
            f"From {IP_REMOVED}:443 and {IP_REMOVED}",
        ),
        # our own servers' addresses and the time of day stay, for the operator
        ("Redis at 127.0.0.1:6379 down at 10:30:00", "Redis at 127.0.0.1:6379 down at 10:30:00"),
        ("Stripe event evt_123 for FCC-4K7Q-M2XD", "Stripe event evt_123 for FCC-4K7Q-M2XD"),
        (
            "Payment 123e4567-e89b-12d3-a456-426614174000 for 4242424242424242",
            f"Payment 123e4567-e89b-12d3-a456-426614174000 for {NUMBER}",
        ),
    ],
)
def test_redact(line, kept):
    assert redact(line) == kept


def test_arguments_tracebacks_and_requests_are_redacted():
    record_filter = RedactPersonalData()
    try:
        raise ValueError("recipient jo@example.org refused")
    except ValueError:
        exc_info = sys.exc_info()
    record = logging.LogRecord(
        "forms.flows.notifications", logging.ERROR, __file__, 1, "Sent to %s (%d)", None, exc_info
    )
    record.args = ("jo@example.org", 3)
    record.request = object()
    assert record_filter.filter(record)  # kept, never dropped
    formatted = logging.Formatter("%(levelname)s %(name)s %(message)s").format(record)
    assert "jo@example.org" not in formatted
    assert f"ERROR forms.flows.notifications Sent to {EMAIL} (3)" in formatted
    assert f"ValueError: recipient {EMAIL} refused" in formatted
    assert not hasattr(record, "request")


def test_a_broken_format_string_keeps_the_template_not_the_arguments():
    record = logging.LogRecord("x", logging.WARNING, __file__, 1, "%s and %s", ("a@b.org",), None)
    RedactPersonalData().filter(record)
    assert record.getMessage() == "%s and %s"


# production: one line a record on stderr


PRODUCTION_SCRIPT = """
import logging, sys
sys.path[:0] = [".", "site"]
import django
django.setup()
logging.getLogger("council.example").warning("Sent to %s\\nERROR forged", "jo@example.org")
logging.getLogger("council.example").info("Only at INFO")
try:
    raise ValueError("jo@example.org refused")
except ValueError:
    logging.getLogger("forms.flows.notifications").exception("Could not send")
"""


def production_stderr(log_level: str) -> list[str]:
    environment = {"PATH": os.environ.get("PATH", ""), **PRODUCTION_ENV, "LOG_LEVEL": log_level}
    finished = subprocess.run(
        [sys.executable, "-c", PRODUCTION_SCRIPT],
        cwd=settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert finished.stdout == ""
    return finished.stderr.splitlines()


def test_production_logs_one_line_a_record_on_stderr():
    lines = production_stderr("WARNING")
    assert lines[0] == f"WARNING council.example Sent to {EMAIL}\\nERROR forged"
    assert lines[1].startswith("ERROR forms.flows.notifications Could not send\\nTraceback")
    assert lines[1].endswith(f"ValueError: {EMAIL} refused")
    assert len(lines) == 2  # the INFO record is below LOG_LEVEL; the traceback is on its line
    assert "jo@example.org" not in "\n".join(lines)


def test_production_log_level_comes_from_the_environment():
    lines = production_stderr("INFO")
    assert "INFO council.example Only at INFO" in lines
