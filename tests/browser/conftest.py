"""The browser suite's set-up: a live site on a fresh database, one chromium for the session and
a new browser context (its own cookies) for each test.

The site runs in a subprocess (`manage.py runserver`, DEBUG off) with the settings
council.settings.browser, on a SQLite file of its own in a temporary folder: migrated, loaded with
the demo content and indexed for search, then planned (tests/browser/planner.py). Nothing here
is skipped: without chromium, playwright or axe-core the tests fail and say how to get them.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

try:
    from playwright.sync_api import Browser, Page, sync_playwright
except ImportError:  # reported by the `browser` fixture, as a failure
    sync_playwright = None

from tests.browser.checks import AXE, CHROMIUM, VIEWPORT
from tests.browser.planner import ROOT, upload

SETTINGS = "council.settings.browser"
START_TIMEOUT = 60  # seconds for the server to answer its first request


@dataclass
class LiveSite:
    url: str
    plan: dict[str, Any]
    files: Path  # uploads to choose in file boxes
    # The environment the site runs with (its settings and database), for a test that needs to
    # run a management command against the same site, such as creating an admin user.
    env: dict[str, str] = field(default_factory=dict)

    def language(self, prefix: str) -> dict[str, Any]:
        return self.plan["languages"][prefix]


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _run(args: list[str], env: dict[str, str], log: Path) -> None:
    """A set-up command, its output kept in the log; its failure fails the suite with it."""
    with log.open("a") as out:
        out.write(f"\n$ {' '.join(args)}\n")
        out.flush()
        done = subprocess.run(args, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    if done.returncode:
        tail = "\n".join(log.read_text().splitlines()[-40:])
        pytest.fail(f"Browser suite set-up failed: {' '.join(args)}\n{tail}", pytrace=False)


def _wait_until_up(url: str, server: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if server.poll() is not None:
            break
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.2)
    tail = "\n".join(log.read_text().splitlines()[-40:])
    pytest.fail(f"The site did not start at {url}:\n{tail}", pytrace=False)


def _upload_files(folder: Path) -> Path:
    """The files residents choose in the flows: the walker's PNG and a text file (refused)."""
    folder.mkdir()
    for name in ("photo.png", "notes.txt"):
        (folder / name).write_bytes(upload(name).read())
    return folder


@pytest.fixture(scope="session")
def live_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveSite]:
    folder = tmp_path_factory.mktemp("browser-site")
    log = folder / "setup.log"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": SETTINGS,
        "BROWSER_DATABASE_URL": f"sqlite:///{folder / 'db.sqlite3'}",
        "TEST_MEDIA_ROOT": str(folder / "media"),
        "TEST_PRIVATE_MEDIA_ROOT": str(folder / "private"),
        "PYTHONUNBUFFERED": "1",
    }
    manage = [sys.executable, str(ROOT / "manage.py")]
    _run([*manage, "migrate", "--no-input", "-v", "0"], env, log)
    _run([*manage, "load_demo_content"], env, log)
    _run([*manage, "update_index"], env, log)

    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    server_log = folder / "server.log"
    # Static files come from whitenoise (WHITENOISE_USE_FINDERS), with its caching headers, as
    # in production: no --insecure.
    with server_log.open("w") as out:
        server = subprocess.Popen(
            [*manage, "runserver", "--noreload", f"127.0.0.1:{port}"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        plan_file = folder / "plan.json"  # planned while the server starts
        _run([sys.executable, "-m", "tests.browser.planner", str(plan_file)], env, log)
        _wait_until_up(f"{url}/", server, server_log)
        yield LiveSite(
            url, json.loads(plan_file.read_text()), _upload_files(folder / "files"), env=env
        )
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(
            f"Chromium is not installed ({CHROMIUM} is missing): run `make browser-deps`",
            pytrace=False,
        )
    if sync_playwright is None:
        pytest.fail("Playwright is not installed: run `make deps`", pytrace=False)
    if not AXE.exists():
        pytest.fail(f"axe-core is not installed ({AXE} is missing): run `make deps`", pytrace=False)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM))
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Browser, live_site: LiveSite) -> Iterator[Page]:
    """A page in a context of its own: new cookies (a new session), the desktop viewport.

    The checks inject axe-core into the page as an inline script, which the site's Content
    Security Policy rightly refuses; so these pages bypass it. The policy itself is tested in
    test_csp.py, whose pages do not."""
    context = browser.new_context(base_url=live_site.url, viewport=VIEWPORT, bypass_csp=True)
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()
