"""gunicorn's settings (site/council/gunicorn.conf.py): they load, take the environment, the
access log never writes a query string (a search or a reference can be personal data), and
clients that send their request slowly do not hold up anyone else's."""

from __future__ import annotations

import multiprocessing
import os
import runpy
import socket
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.council.servers import GUNICORN, GUNICORN_CONF, gunicorn

CONF = GUNICORN_CONF


def load(**env: str) -> dict:
    keys = (
        *("WEB_CONCURRENCY", "PORT", "HOST", "GUNICORN_ACCESS_LOG", "TRUSTED_PROXIES"),
        *("GUNICORN_WORKER_CLASS", "GUNICORN_THREADS"),
    )
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
    # Behind the proxy on the same machine: not reachable from the network by itself.
    assert conf["bind"] == ["127.0.0.1:8000"]
    # Threads: one slow client cannot take a whole worker.
    assert (conf["worker_class"], conf["threads"]) == ("gthread", 4)
    assert conf["wsgi_app"] == "council.wsgi:application"
    assert conf["max_requests"] > 0
    assert 0 < conf["max_requests_jitter"] < conf["max_requests"]
    assert conf["forwarded_allow_ips"] == ""  # no proxy's X-Forwarded-Proto is believed
    assert 0 < conf["limit_request_line"] <= 8190
    assert 0 < conf["limit_request_fields"] <= 100
    assert conf["timeout"] == 30


def test_environment_overrides():
    conf = load(
        WEB_CONCURRENCY="3", PORT="8123", HOST="0.0.0.0", TRUSTED_PROXIES="10.0.0.1,10.1.0.0/16"
    )
    assert conf["workers"] == 3
    assert conf["bind"] == ["0.0.0.0:8123"]
    # The same list Django believes forwarding headers from (TRUSTED_PROXIES).
    assert conf["forwarded_allow_ips"] == "10.0.0.1,10.1.0.0/16"


def test_access_log_format_has_the_path_without_query_string_or_client_details():
    log_format = load()["access_log_format"]
    assert "%(U)s" in log_format  # the path alone
    for atom in ("%(r)s", "%(q)s", "%(h)s", "%(f)s", "%(a)s", "%({"):
        assert atom not in log_format, atom


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> tuple[int, Path]:
    """One real gunicorn for the tests below, with the config and the test settings: one worker
    (so that a worker held by a slow client would show), its access log in a file."""
    if not GUNICORN.exists():
        pytest.skip("gunicorn is not installed")
    log = tmp_path_factory.mktemp("gunicorn") / "access.log"
    with gunicorn(WEB_CONCURRENCY="1", GUNICORN_ACCESS_LOG=str(log)) as port:
        yield port, log


def status_of(port: int, path: str, timeout: float = 30) -> int:
    try:
        return urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=timeout).status
    except urllib.error.HTTPError as error:
        return error.code


def test_a_real_access_log_has_no_query_string(server):
    """A request with a query string is logged with its path only. (Without the development
    database the page is the 503 page instead of the 404, and the line must still hold no
    query string.)"""
    port, log = server
    status = status_of(port, "/no-such-page/?q=jane.doe%40example.org+SW1A+1AA")
    assert status in (404, 503)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and "/no-such-page/" not in log.read_text():
        time.sleep(0.1)
    line = next(x for x in log.read_text().splitlines() if "/no-such-page/" in x)
    assert f'"GET /no-such-page/ HTTP/1.1" {status}' in line
    for secret in ("jane", "example.org", "SW1A", "?"):
        assert secret not in line


def test_slow_clients_do_not_hold_up_a_resident(server):
    """Three connections that send half a request line or half their headers and then wait
    (as a slow or hostile client does) must not stop another request being answered at once.
    With sync workers the one worker waited on the first of them until its 30 s timeout."""
    port, _log = server
    partial_requests = [
        b"GET /search/?q=bi",
        b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Ag",
        b"POST /track/ HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 40\r\n",
    ]
    slow = [socket.create_connection(("127.0.0.1", port)) for _ in partial_requests]
    try:
        for sock, partial in zip(slow, partial_requests, strict=True):
            sock.sendall(partial)
        time.sleep(0.5)  # the server has read what they sent, and waits for the rest
        started = time.monotonic()
        status = status_of(port, "/no-such-page/", timeout=10)
        elapsed = time.monotonic() - started
    finally:
        for sock in slow:
            sock.close()
    assert status in (404, 503)
    assert elapsed < 3, f"answered after {elapsed:.1f} s"
