"""Real servers on loopback for the reliability tests: a redis-server process to start and kill,
a TCP proxy in front of PostgreSQL whose connections can be cut, and a demo flow walked to its
confirmation page. Nothing here mocks the site's own code."""

from __future__ import annotations

import contextlib
import os
import select
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from bs4 import BeautifulSoup
from django.conf import settings
from django.test import Client, override_settings

from demo.walker import FlowWalker
from forms.flows.models import FlowPage, Submission

REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"
GUNICORN = Path(sys.executable).with_name("gunicorn")
GUNICORN_CONF = Path(settings.SITE_DIR) / "council" / "gunicorn.conf.py"


def free_port() -> int:
    """A loopback port nobody listens on (the kernel's choice, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def smtp_settings(port: int, timeout: float) -> override_settings:
    """Django's SMTP backend, plain and without a login, to a server on loopback at `port`."""
    return override_settings(
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=port,
        EMAIL_USE_TLS=False,
        EMAIL_USE_SSL=False,
        EMAIL_HOST_USER="",
        EMAIL_HOST_PASSWORD="",
        EMAIL_TIMEOUT=timeout,
    )


def wait_until_listening(port: int, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
            return
        time.sleep(0.02)
    raise RuntimeError(f"nothing is listening on 127.0.0.1:{port}")


@contextlib.contextmanager
def gunicorn(**env: str) -> Iterator[int]:
    """gunicorn started with the site's config (site/council/gunicorn.conf.py) and the test
    settings on a free loopback port, with `env` on top; yields the port, stops it after.

    The server uses the development database `make setup` made (db.sqlite3), never the suite's
    own; should that be missing, pages are the 503 "service unavailable" page."""
    port = free_port()
    process = subprocess.Popen(
        [str(GUNICORN), "-c", str(GUNICORN_CONF)],
        env={
            **{k: v for k, v in os.environ.items() if k != "DATABASE_URL"},
            "DJANGO_SETTINGS_MODULE": "council.settings.test",
            "HOST": "127.0.0.1",
            "PORT": str(port),
            **env,
        },
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_until_listening(port, timeout=60)
        yield port
    finally:
        process.terminate()
        process.wait(20)


class RedisServer:
    """A throw-away redis-server with no persistence, on a port of its own."""

    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                *(REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1", "--save", ""),
                *("--appendonly", "no", "--daemonize", "no", "--loglevel", "warning"),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_until_listening(self.port)

    def kill(self) -> None:
        """SIGKILL: the server is gone at once, as after a crash."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)
        self.process = None


class TcpProxy:
    """A TCP proxy on loopback, in a thread: while `up` it forwards each connection to the
    target; `cut()` resets every open connection and refuses new ones, as a database server that
    is restarting does; `restore()` accepts again."""

    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.port = free_port()
        self.listener: socket.socket | None = None
        self.pairs: list[tuple[socket.socket, socket.socket]] = []
        self.lock = threading.Lock()
        self.accepted = 0
        self.stopped = threading.Event()

    def start(self) -> None:
        self._listen()

    def _listen(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self.listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _address = listener.accept()
            except OSError:
                return  # the listener was closed
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            with self.lock:
                self.pairs.append((client, upstream))
                self.accepted += 1
            threading.Thread(target=self._pump, args=(client, upstream), daemon=True).start()

    def _pump(self, a: socket.socket, b: socket.socket) -> None:
        sockets = [a, b]
        try:
            while True:
                readable, _w, _x = select.select(sockets, [], [], 0.5)
                for sock in readable:
                    data = sock.recv(65536)
                    if not data:
                        return
                    (b if sock is a else a).sendall(data)
        except (OSError, ValueError):
            return
        finally:
            for sock in sockets:
                with contextlib.suppress(OSError):
                    sock.close()

    @staticmethod
    def _reset(sock: socket.socket) -> None:
        # SO_LINGER 0: close() sends a TCP RST, as a killed server's kernel does.
        with contextlib.suppress(OSError):
            sock.setsockopt(
                socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00"
            )
            sock.close()

    def cut(self) -> None:
        """Reset every open connection and stop listening: new connections are refused."""
        if self.listener is not None:
            # shutdown() wakes the thread blocked in accept(), so the port is free again at once
            with contextlib.suppress(OSError):
                self.listener.shutdown(socket.SHUT_RDWR)
            self.listener.close()
            self.listener = None
        with self.lock:
            pairs, self.pairs = self.pairs, []
        for client, upstream in pairs:
            self._reset(client)
            self._reset(upstream)

    def restore(self) -> None:
        if self.listener is None:
            self._listen()

    def stop(self) -> None:
        self.cut()


def first_flow_with_email() -> FlowPage:
    """The first English demo flow without a fee or an instant answer that asks for an email
    address: the one a resident gets a confirmation email from."""
    for flow in FlowPage.objects.live().filter(alias_of__isnull=True).order_by("path"):
        if flow.has_fee or flow.result_handler or flow.locale.language_code != "en-gb":
            continue
        kinds = {question.block_type for _step, question in flow.iter_questions()}
        if "email" in kinds:
            return flow
    raise AssertionError("no demo flow asks for an email address")


def send_check_answers(client: Client, walker: FlowWalker, check_url: str) -> Any:
    """Post "Accept and send" from check your answers; returns the response."""
    check = client.get(check_url)
    assert check.status_code == 200, check.status_code
    token = BeautifulSoup(check.content, "html.parser").find("input", attrs={"name": "token"})
    return client.post(check_url, {"token": token["value"]})


def complete_flow(client: Client, flow: FlowPage) -> Submission:
    """Walk `flow` with valid answers, send it and open the confirmation page."""
    walker = FlowWalker(client, flow)
    check_url = walker.walk()
    sent = send_check_answers(client, walker, check_url)
    assert sent.status_code == 302, sent.status_code
    assert sent["Location"].endswith("/confirmation/"), sent["Location"]
    confirmation = client.get(sent["Location"])
    assert confirmation.status_code == 200, confirmation.status_code
    reference = client.session.get(f"flow-{flow.source_flow.pk}-done")
    submission = Submission.objects.get(reference=reference)
    assert reference in confirmation.content.decode()
    return submission
