"""gunicorn's settings (site/council/gunicorn.conf.py): they load, take the environment, and the
access log never writes a query string (a search or a reference can be personal data)."""

from __future__ import annotations

import multiprocessing
import os
import runpy
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings

from tests.council.servers import free_port, wait_until_listening

CONF = Path(settings.SITE_DIR) / "council" / "gunicorn.conf.py"
GUNICORN = Path(sys.executable).with_name("gunicorn")


def load(**env: str) -> dict:
    keys = ("WEB_CONCURRENCY", "PORT", "HOST", "GUNICORN_ACCESS_LOG", "FORWARDED_ALLOW_IPS")
    saved = {k: os.environ.pop(k) for k in keys if k in os.environ}
    os.environ.update(env)
    try:
        return runpy.run_path(str(CONF))
    finally:
        for key in env:
            os.environ.pop(key, None)
        os.environ.update(saved)


def test_defaults():
    conf = load()
    assert conf["workers"] == multiprocessing.cpu_count() * 2 + 1
    assert conf["bind"] == ["0.0.0.0:8000"]
    assert conf["wsgi_app"] == "council.wsgi:application"
    assert conf["max_requests"] > 0
    assert 0 < conf["max_requests_jitter"] < conf["max_requests"]
    assert conf["forwarded_allow_ips"] == "127.0.0.1"
    assert 0 < conf["limit_request_line"] <= 8190
    assert 0 < conf["limit_request_fields"] <= 100
    assert conf["timeout"] == 30


def test_environment_overrides():
    conf = load(WEB_CONCURRENCY="3", PORT="8123", HOST="127.0.0.1", FORWARDED_ALLOW_IPS="10.0.0.1")
    assert conf["workers"] == 3
    assert conf["bind"] == ["127.0.0.1:8123"]
    assert conf["forwarded_allow_ips"] == "10.0.0.1"


def test_access_log_format_has_the_path_without_query_string_or_client_details():
    log_format = load()["access_log_format"]
    assert "%(U)s" in log_format  # the path alone
    for atom in ("%(r)s", "%(q)s", "%(h)s", "%(f)s", "%(a)s", "%({"):
        assert atom not in log_format, atom


@pytest.mark.skipif(not GUNICORN.exists(), reason="gunicorn is not installed")
def test_a_real_access_log_has_no_query_string(tmp_path):
    """gunicorn started with the config (the test settings, one worker): a request with a
    query string is logged with its path only.

    The server uses the development database `make setup` made (db.sqlite3), never the suite's
    own; should that be missing, the page is the 503 "service unavailable" page instead of the
    404, and the access log line must still hold no query string."""
    port = free_port()
    log = tmp_path / "access.log"
    env = {
        **{k: v for k, v in os.environ.items() if k != "DATABASE_URL"},
        "DJANGO_SETTINGS_MODULE": "council.settings.test",
        "WEB_CONCURRENCY": "1",
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "GUNICORN_ACCESS_LOG": str(log),
    }
    process = subprocess.Popen(
        [str(GUNICORN), "-c", str(CONF)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        wait_until_listening(port, timeout=60)
        url = f"http://127.0.0.1:{port}/no-such-page/?q=jane.doe%40example.org+SW1A+1AA"
        with pytest.raises(urllib.error.HTTPError) as answer:
            urllib.request.urlopen(url, timeout=30)
        status = answer.value.code
        assert status in (404, 503)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and "/no-such-page/" not in log.read_text():
            time.sleep(0.1)
    finally:
        process.terminate()
        process.wait(20)
    line = next(x for x in log.read_text().splitlines() if "/no-such-page/" in x)
    assert f'"GET /no-such-page/ HTTP/1.1" {status}' in line
    for secret in ("jane", "example.org", "SW1A", "?"):
        assert secret not in line
