"""Ids that open a page by themselves (a payment's UUID, a Stripe session id, a password-reset
token) never reach a log: gunicorn's access log and Django's logs write them as "[id]"."""

from __future__ import annotations

import datetime
import logging
import runpy
import uuid
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.test import Client
from gunicorn.config import Config

from council.access_log import ID_REMOVED, redact_ids
from council.logging import QUERY_REMOVED, redact
from tests.council.test_logs_no_personal_data import all_logs, everything_logged

PAYMENT = "9b2f3c1e-1d2a-4c5b-8e7f-0a1b2c3d4e5f"
CONF = Path(settings.SITE_DIR) / "council" / "gunicorn.conf.py"


@pytest.mark.parametrize(
    ("path", "logged"),
    [
        (f"/payments/{PAYMENT}/return/", f"/payments/{ID_REMOVED}/return/"),
        (f"/cy/payments/sandbox/{PAYMENT}/", f"/cy/payments/sandbox/{ID_REMOVED}/"),
        (f"/payments/{PAYMENT.replace('-', '')}/start/", f"/payments/{ID_REMOVED}/start/"),
        (
            "/admin/password_reset/confirm/MQ/cb7kxq-4f1d9e2a7c3b8e5d6a0f1c2b3d4e5f6a/",
            f"/admin/password_reset/confirm/MQ/{ID_REMOVED}/",
        ),
        (
            "https://checkout.stripe.com/c/pay/cs_test_a1B2c3D4e5F6g7H8i9J0",
            f"https://checkout.stripe.com/c/pay/{ID_REMOVED}",
        ),
        # what opens nothing by itself stays, for the operator
        ("/feedback/12/", "/feedback/12/"),
        ("/admin/flows/submission/1234/", "/admin/flows/submission/1234/"),
        ("/bins/bulky-waste-collection-2024/apply/", "/bins/bulky-waste-collection-2024/apply/"),
        ("/static/css/main.3f2a9b8c7d6e.css", "/static/css/main.3f2a9b8c7d6e.css"),
        (f"Could not check payment {PAYMENT}", f"Could not check payment {PAYMENT}"),
    ],
)
def test_id_like_path_segments_are_redacted(path, logged):
    assert redact_ids(path) == logged


def test_gunicorn_writes_the_return_page_without_the_payment_id(tmp_path):
    """The access log as gunicorn.conf.py configures it (its format and logger class)."""
    conf = runpy.run_path(str(CONF))
    cfg = Config()
    for name in ("access_log_format", "logger_class"):
        cfg.set(name, conf[name])
    cfg.set("accesslog", str(tmp_path / "access.log"))
    log = cfg.logger_class(cfg)
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": f"/payments/{PAYMENT}/return/?session_id=cs_test_a1B2c3D4e5F6g7H8i9J0",
        "PATH_INFO": f"/payments/{PAYMENT}/return/",
        "QUERY_STRING": "session_id=cs_test_a1B2c3D4e5F6g7H8i9J0",
        "SERVER_PROTOCOL": "HTTP/1.1",
    }
    response = SimpleNamespace(status="302 Found", sent=0, headers=[])
    log.access(response, SimpleNamespace(headers=[]), environ, datetime.timedelta(seconds=0.01))
    for handler in log.access_log.handlers:
        handler.flush()
    line = (tmp_path / "access.log").read_text()
    assert f'"GET /payments/{ID_REMOVED}/return/ HTTP/1.1" 302' in line
    assert PAYMENT not in line
    assert "cs_test" not in line


def test_runserver_request_line_is_redacted():
    line = f'"GET /payments/{PAYMENT}/return/?session_id=cs_test_a1B2c3D4e5F6 HTTP/1.1" 302 0'
    assert redact(line) == f'"GET /payments/{ID_REMOVED}/return/{QUERY_REMOVED} HTTP/1.1" 302 0'


@pytest.mark.django_db
def test_django_logs_a_payment_page_without_its_id(caplog):
    """django.request's "Not Found: <path>" and a django.server line, through LOGGING's handler."""
    missing = uuid.uuid4()
    with all_logs(caplog) as (written, captured):
        assert Client().get(f"/payments/{missing}/return/").status_code == 404
        logging.getLogger("django.server").info(
            '"%s" %s %s', f"GET /payments/{missing}/return/ HTTP/1.1", "404", "179"
        )
    logged = written.getvalue()
    assert f"/payments/{ID_REMOVED}/return/" in logged
    assert str(missing) not in everything_logged(written, captured)
