"""Oversized and malformed requests are answered with a 4xx page, never a 5xx: through Django's
test client for what reaches Django, and against a real gunicorn on loopback for what a real
HTTP server refuses before Django sees it."""

import contextlib
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from django.conf import settings
from django.db import OperationalError, connection
from django.test import Client, RequestFactory, TestCase, override_settings

from council import outage
from council.limits import safe_file_name
from demo.loader import DemoLoader
from demo.walker import FlowWalker
from forms.flows.models import FlowPage
from services.models import ServicePage
from tests.council.servers import first_flow_with_email, wait_until_listening

MB = 1024 * 1024
BAD_REQUEST = "Sorry, we could not read what was sent"
TOO_BIG = "The file you selected is too big"
CSRF = "Sorry, we could not send your answers"
UNAVAILABLE = "Sorry, the service is unavailable"
WEBHOOK = "/payments/stripe/webhook/"


def text(response) -> str:
    return " ".join(BeautifulSoup(response.content, "html.parser").get_text(" ").split())


def refuse_queries(execute, sql, params, many, context):
    raise AssertionError(f"an error page read the database: {sql[:80]}")


class ErrorPageMixin:
    def assert_page(self, response, status: int, heading: str) -> None:
        self.assertEqual(response.status_code, status, response.content[:300])
        soup = BeautifulSoup(response.content, "html.parser")
        self.assertEqual(soup.h1.get_text(strip=True), heading)
        # the site's own GOV.UK layout, not Django's bare page
        self.assertTrue(soup.select_one("header.govuk-template__header"))
        self.assertTrue(soup.select_one("footer.govuk-footer"))


@override_settings(RATELIMIT_ENABLE=False)
class MalformedRequestTests(ErrorPageMixin, TestCase):
    @classmethod
    def setUpTestData(cls):
        DemoLoader().load()
        cls.flow = (
            FlowPage.objects.live().filter(alias_of__isnull=True, fee_handler="").order_by("path")
        ).first()

    def start_flow(self) -> tuple[FlowWalker, str]:
        walker = FlowWalker(self.client, self.flow)
        first = self.client.get(walker.base)["Location"]
        return walker, first

    # sizes

    def test_a_body_over_the_memory_limit_is_a_400_page(self):
        _walker, first = self.start_flow()
        size = settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1000
        response = self.client.post(
            first, b"a=" + b"x" * size, content_type="application/x-www-form-urlencoded"
        )
        self.assert_page(response, 400, BAD_REQUEST)

    def test_too_many_fields_is_a_400_page(self):
        _walker, first = self.start_flow()
        fields = "&".join(f"f{n}=1" for n in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 10))
        response = self.client.post(
            first, fields.encode(), content_type="application/x-www-form-urlencoded"
        )
        self.assert_page(response, 400, BAD_REQUEST)

    def test_an_upload_over_the_largest_allowed_is_refused_before_it_is_read(self):
        _walker, first = self.start_flow()
        limit = settings.FLOW_UPLOAD_MAX_MB * MB
        # a real body, one megabyte and a bit over the largest file plus the margin
        body = b'--x\r\nContent-Disposition: form-data; name="f"; filename="big.png"\r\n\r\n'
        body += b"\0" * (limit + 2 * MB) + b"\r\n--x--\r\n"
        response = self.client.post(first, body, content_type="multipart/form-data; boundary=x")
        self.assert_page(response, 413, TOO_BIG)
        self.assertIn(f"smaller than {settings.FLOW_UPLOAD_MAX_MB}MB", text(response))
        self.assertEqual(response["Connection"], "close")
        # a body that only claims to be that big is refused the same way, unread
        response = self.client.generic(
            "POST",
            first,
            b"tiny",
            content_type="multipart/form-data; boundary=x",
            CONTENT_LENGTH=str(50 * limit),
        )
        self.assertEqual(response.status_code, 413)
        # staff in the admin may send bigger documents
        response = self.client.generic(
            "POST", "/admin/documents/multiple/add/", b"", CONTENT_LENGTH=str(limit + 2 * MB)
        )
        self.assertNotEqual(response.status_code, 413)

    def test_an_upload_with_a_long_name_or_an_odd_charset_is_a_page(self):
        steps = [
            (step, flow)
            for flow in FlowPage.objects.live().filter(alias_of__isnull=True).order_by("path")
            for _step, question in flow.iter_questions()
            if question.block_type == "file_upload"
            for step in [_step.value["name"] if hasattr(_step, "value") else _step]
        ]
        self.assertTrue(steps, "a demo flow asks for a file")
        flow = steps[0][1]
        walker = FlowWalker(self.client, flow)
        walker.walk()
        for step, data in walker.path:
            files = [name for name, value in data.items() if hasattr(value, "seek")]
            if not files:
                continue
            png = data[files[0]]
            png.seek(0)
            content = png.read()
            boundary = "b0undary"
            parts = [
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
                for name, value in data.items()
                if name not in files
            ]
            head = (
                f'--{boundary}\r\nContent-Disposition: form-data; name="{files[0]}"; '
                f'filename="{"a" * 400}.png"\r\nContent-Type: image/png; charset=evil\r\n\r\n'
            )
            body = "".join(parts).encode() + head.encode() + content
            body += f"\r\n--{boundary}--\r\n".encode()
            response = self.client.post(
                f"{walker.base}{step}/",
                body,
                content_type=f"multipart/form-data; boundary={boundary}",
            )
            self.assertEqual(response.status_code, 302, step)  # accepted, name shortened
            break
        self.assertEqual(len(safe_file_name("a" * 400 + ".png")), 150)
        self.assertTrue(safe_file_name("a" * 400 + ".png").endswith(".png"))

    # malformed bodies

    def test_a_broken_multipart_body_is_a_4xx(self):
        _walker, first = self.start_flow()
        for content_type, body in [
            ("multipart/form-data; boundary=x", b"--x\r\nno headers at all"),
            ("multipart/form-data; boundary=x", b"garbage without a boundary"),
            ("multipart/form-data", b"--x\r\n\r\n"),  # no boundary given
            ("multipart/form-data; boundary=" + "x" * 100, b"--x\r\n"),
            ("multipart/form-data; boundary=x", b"--x\r\nContent-Disposition: form-data\r\n\r\n"),
        ]:
            with self.subTest(content_type=content_type[:40], body=body[:20]):
                response = self.client.post(first, body, content_type=content_type)
                self.assertLess(response.status_code, 500)
                self.assertGreaterEqual(response.status_code, 200)

    def test_a_wrong_content_type_is_not_an_error(self):
        _walker, first = self.start_flow()
        for content_type, body in [
            ("application/json", b'{"a": 1}'),
            ("text/plain", b"hello"),
            ("application/xml", b"<a/>"),
            ("", b"a=1"),
            ("application/x-www-form-urlencoded; charset=nonsense-9", b"a=1"),
        ]:
            with self.subTest(content_type=content_type):
                response = self.client.generic("POST", first, body, content_type=content_type)
                self.assertLess(response.status_code, 500)

    def test_invalid_utf8_and_nul_bytes(self):
        _walker, first = self.start_flow()
        for path in [
            "/search/?q=%ff%fe%fd",
            "/search/?q=a%00b",
            "/search/?q=%c3",
            "/%ff/",
            "/%00/",
            "/track/?reference=%00",
            f"{first}?%ff=%fe",
        ]:
            with self.subTest(path=path):
                self.assertLess(self.client.get(path).status_code, 500)
        for body in [
            b"reference=%ff%fe&email=%c3",
            b"reference=a\x00b&email=\x00",
            b"\xff\xfe=\xfd",
        ]:
            with self.subTest(body=body):
                response = self.client.post(
                    "/track/", body, content_type="application/x-www-form-urlencoded"
                )
                self.assertLess(response.status_code, 500)
                response = self.client.post(
                    first, body, content_type="application/x-www-form-urlencoded"
                )
                self.assertLess(response.status_code, 500)

    def test_a_bad_host_header_is_a_400_page(self):
        for host in ["evil.example.org", "bad host!", "a" * 300, "[::1", "127.0.0.1\x00"]:
            with self.subTest(host=host):
                response = self.client.get("/", HTTP_HOST=host)
                self.assert_page(response, 400, BAD_REQUEST)

    def test_absurdly_long_addresses(self):
        self.assertEqual(self.client.get("/" + "a" * 20_000 + "/").status_code, 404)
        self.assertEqual(self.client.get("/" + "a/" * 2_000).status_code, 404)
        self.assertLess(self.client.get("/search/", {"q": "bins " * 20_000}).status_code, 500)

    def test_unknown_methods(self):
        service = ServicePage.objects.live().first().url
        _walker, first = self.start_flow()
        for method in ["PROPFIND", "BREW", "TRACE", "PATCH", "DELETE", "PUT", "CONNECT"]:
            for path in ["/", service, first, "/track/", "/search/", WEBHOOK]:
                with self.subTest(method=method, path=path):
                    response = self.client.generic(method, path)
                    self.assertLess(response.status_code, 500)

    def test_a_post_without_its_csrf_token_is_a_friendly_403_and_the_answers_are_kept(self):
        client = Client(enforce_csrf_checks=True)
        walker = FlowWalker(client, first_flow_with_email())  # three pages or more
        first = client.get(walker.base)["Location"]
        page = client.get(first)
        token = BeautifulSoup(page.content, "html.parser").find(
            "input", attrs={"name": "csrfmiddlewaretoken"}
        )["value"]
        data = walker.variants(walker.step_of(first))[-1]
        moved_on = client.post(first, {**data, "csrfmiddlewaretoken": token})
        self.assertEqual(moved_on.status_code, 302)
        second = moved_on["Location"]
        # the next page sent without its token (a page left open, cookies blocked)
        second_step = walker.step_of(second)
        response = client.post(second, walker.variants(second_step)[0])
        self.assert_page(response, 403, CSRF)
        self.assertIn("Go back, reload the page and try again.", text(response))
        # going back to the first page shows the answer given before
        back = client.get(first)
        self.assertEqual(back.status_code, 200)
        for name, value in data.items():
            if name.endswith("current_step") or hasattr(value, "read"):
                continue
            values = value if isinstance(value, list) else [value]
            for one in values:
                self.assertIn(str(one), back.content.decode())

    def test_malformed_json_to_the_stripe_webhook_is_a_400(self):
        with override_settings(
            PAYMENT_PROVIDER="stripe",
            STRIPE_SECRET_KEY="sk_test_x",
            STRIPE_WEBHOOK_SECRET="whsec_x",
        ):
            for body, signature in [
                (b"{not json", "t=1,v1=abc"),
                (b"", ""),
                (b"\xff\xfe\x00", "t=1,v1=abc"),
                (b'{"id": "evt_1", "type": "checkout.session.completed"}', "garbage"),
                (b"[]" * 1000, "t=notanumber,v1="),
            ]:
                with self.subTest(body=body[:20]):
                    response = self.client.post(
                        WEBHOOK,
                        body,
                        content_type="application/json",
                        HTTP_STRIPE_SIGNATURE=signature,
                    )
                    self.assertEqual(response.status_code, 400)
        self.assertEqual(
            self.client.post(
                "/payments/nonsense/webhook/", b"{}", content_type="application/json"
            ).status_code,
            404,
        )


class ErrorPagesNeedNoDatabaseTests(ErrorPageMixin, TestCase):
    """The error pages render while every query fails (`refuse_queries`)."""

    @classmethod
    def setUpTestData(cls):
        DemoLoader().load()

    def test_each_error_page_renders_without_a_query(self):
        request = RequestFactory().get("/")
        with connection.execute_wrapper(refuse_queries):
            self.assert_page(outage.bad_request(request, Exception()), 400, BAD_REQUEST)
            self.assert_page(
                outage.permission_denied(request, Exception()),
                403,
                "Sorry, you cannot see this page",
            )
            self.assert_page(outage.csrf_failure(request), 403, CSRF)
            self.assert_page(outage.service_unavailable(), 503, UNAVAILABLE)
            try:
                raise ValueError("a bug")
            except ValueError:
                self.assert_page(
                    outage.server_error(request), 500, "Sorry, there is a problem with the service"
                )
            try:
                raise OperationalError("the server closed the connection")
            except OperationalError:
                response = outage.server_error(request)
            self.assert_page(response, 503, UNAVAILABLE)
            self.assert_page(self.client.get("/", HTTP_HOST="evil.example.org"), 400, BAD_REQUEST)

    def test_a_database_that_refuses_every_query_gives_the_503_page(self):
        """On any database (this one is not cut at the network: see test_reliability_postgres)
        every query fails as it does when the server has gone away."""

        def gone(execute, sql, params, many, context):
            raise OperationalError("server closed the connection unexpectedly")

        service = ServicePage.objects.live().order_by("path").last().url
        client = Client(raise_request_exception=False)
        with connection.execute_wrapper(gone):
            response = client.get(service)
            self.assert_page(response, 503, UNAVAILABLE)
            self.assertEqual(response["Retry-After"], "120")
            self.assertIn("Your answers so far have been saved.", text(response))
            response = client.post("/track/", {"reference": "FCC-2222-AAAA", "email": "a@b.org"})
            self.assert_page(response, 503, UNAVAILABLE)
        self.assertEqual(client.get(service).status_code, 200)


# --- a real gunicorn on loopback --------------------------------------------------------------

GUNICORN_CONF = Path(settings.BASE_DIR) / "site" / "council" / "gunicorn.conf.py"


def gunicorn_available() -> bool:
    try:
        import gunicorn  # noqa: F401
    except ImportError:
        return False
    return True


def free_port_in_range() -> int:
    for port in range(8500, 8550):
        with contextlib.suppress(OSError), socket.socket() as sock:
            sock.bind(("127.0.0.1", port))
            return port
    raise RuntimeError("no free port in 8500-8549")


def raw_request(port: int, data: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(data)
        chunks = []
        with contextlib.suppress(OSError):
            while chunk := sock.recv(65536):
                chunks.append(chunk)
                if b"\r\n\r\n" in b"".join(chunks):
                    break
        return b"".join(chunks)


def status_of(reply: bytes) -> int:
    return int(reply.split(b" ", 2)[1])


@pytest.mark.skipif(not gunicorn_available(), reason="gunicorn is not installed")
class GunicornMalformedRequestTests(TestCase):
    """gunicorn itself (with the site's gunicorn.conf.py when it is there) refuses requests no
    browser sends: a 400 from the server, before Django."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.port = free_port_in_range()
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "council.settings.test",
            "HOST": "127.0.0.1",
            "PORT": str(cls.port),
            "WEB_CONCURRENCY": "1",
            "GUNICORN_ACCESS_LOG": "",
        }
        command = [sys.executable, "-m", "gunicorn"]
        if GUNICORN_CONF.exists():
            command += ["-c", str(GUNICORN_CONF)]
        else:
            command += ["--pythonpath", "site", "--workers", "1", "council.wsgi:application"]
        command += ["--bind", f"127.0.0.1:{cls.port}", "--workers", "1"]
        cls.server = subprocess.Popen(
            command,
            cwd=settings.BASE_DIR,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            wait_until_listening(cls.port, timeout=30)
        except RuntimeError:
            cls.server.kill()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.server.terminate()
        try:
            cls.server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            cls.server.kill()
        super().tearDownClass()

    def test_a_bad_request_line_is_a_400(self):
        for line in [
            b"NONSENSE\r\n\r\n",
            b"GET\r\n\r\n",
            b"GET / HTTP/9.9\r\n\r\n",
            b"\x00\x01\x02 / HTTP/1.1\r\n\r\n",
        ]:
            with self.subTest(line=line):
                self.assertEqual(status_of(raw_request(self.port, line)), 400)

    def test_a_request_line_too_long_is_a_4xx(self):
        reply = raw_request(
            self.port, b"GET /" + b"a" * 10_000 + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
        )
        self.assertIn(status_of(reply), (400, 414))

    def test_a_header_too_large_is_a_4xx(self):
        reply = raw_request(
            self.port,
            b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + b"a" * 20_000 + b"\r\n\r\n",
        )
        self.assertIn(status_of(reply), (400, 431))  # 431: Request Header Fields Too Large
        many = b"".join(b"X-H%d: 1\r\n" % n for n in range(200))
        reply = raw_request(self.port, b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n" + many + b"\r\n")
        self.assertIn(status_of(reply), (400, 431))

    def test_a_huge_upload_is_refused_with_413_before_it_is_sent(self):
        length = (settings.FLOW_UPLOAD_MAX_MB + 5) * MB
        reply = raw_request(
            self.port,
            b"POST /search/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Content-Type: multipart/form-data; boundary=x\r\n"
            b"Content-Length: %d\r\n\r\n--x\r\n" % length,
        )
        self.assertEqual(status_of(reply), 413)
