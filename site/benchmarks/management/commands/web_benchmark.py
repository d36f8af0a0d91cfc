"""`make bench`: the site under load on this machine, as production serves it.

Starts gunicorn (site/council/gunicorn.conf.py) with the production settings on loopback
(council/settings/bench.py: production plus a plain Django view to compare with), against the
database in DATABASE_URL (the Makefile loads the demo into council_bench) and a Redis database
of its own, flushed first. Then, with wrk for a fixed time each:

- the plain view, the home page, a service page from the page cache and the same page uncached
  (the request says `Cache-Control: no-cache`, as a browser's hard reload does, which the page
  cache honours: the page is built again, with its fragment caches, as for a reader with a
  session cookie), a search, and a form's first step (GET, and a valid answer POSTed, which
  redirects to the next step) in residents' sessions;
- a soak: 50 connections for 60 seconds over a mix of pages, which must see no error;
- sizes: the service page's HTML, and its CSS and JavaScript as sent gzipped.

Prints requests/s, p50/p95 latency, errors and the ratio to the plain view, then PASS or FAIL
for each goal. Exits 0 whatever the goals' outcome (it is a measurement), non-zero when the
server does not start. Durations and connections come from the environment (BENCH_SECONDS,
BENCH_CONNECTIONS, BENCH_SOAK_SECONDS, BENCH_SOAK_CONNECTIONS, BENCH_WARMUP_SECONDS).
"""

from __future__ import annotations

import gzip
import http.client
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.parse
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

LUA = Path(__file__).resolve().parents[2] / "wrk.lua"
GUNICORN_CONF = Path(settings.SITE_DIR) / "council" / "gunicorn.conf.py"
SERVICE_PATH = "/bins-recycling-waste/garden-waste-subscription/"
SEARCHES = ["bins", "council tax", "parking permit", "pothole", "library", "noise"]
RESULT = re.compile(r"^BENCH_RESULT (.*)$", re.MULTILINE)

# The goals `make bench` reports PASS or FAIL against.
CACHED_RATIO_GOAL = 0.7
UNCACHED_RPS_GOAL = 300
HTML_LIMIT = 30 * 1024
ASSETS_LIMIT = 40 * 1024


@dataclass
class WrkResult:
    requests: int
    seconds: float
    p50_ms: float
    p95_ms: float
    errors: int  # socket errors, timeouts and 4xx/5xx answers
    statuses: dict[str, int] = field(default_factory=dict)

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def parse_wrk(output: str) -> WrkResult:
    """The BENCH_RESULT line that benchmarks/wrk.lua's done() prints."""
    match = RESULT.search(output)
    if match is None:
        raise ValueError("no BENCH_RESULT line in wrk's output")
    values = {k: int(float(v)) for k, v in (pair.split("=") for pair in match.group(1).split())}
    errors = sum(
        values.get(f"errors_{kind}", 0) for kind in ("connect", "read", "write", "timeout")
    )
    # wrk counts answers of 400 and over as status errors; the Lua counts them by class.
    errors += max(
        values.get("errors_status", 0), values.get("status_4xx", 0) + values.get("status_5xx", 0)
    )
    return WrkResult(
        requests=values["requests"],
        seconds=values["duration_us"] / 1_000_000,
        p50_ms=values["p50_us"] / 1000,
        p95_ms=values["p95_us"] / 1000,
        errors=errors,
        statuses={k[len("status_") :]: v for k, v in values.items() if k.startswith("status_")},
    )


class FormParser(HTMLParser):
    """The first POST form of a page: its action and a valid-looking answer for each field."""

    def __init__(self) -> None:
        super().__init__()
        self.action: str | None = None
        self.fields: dict[str, str] = {}
        self.in_form = False
        self.done = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and a.get("method", "").lower() == "post" and not self.done:
            self.in_form, self.action = True, a.get("action", "")
        elif self.in_form and tag == "input":
            name, kind = a.get("name"), a.get("type", "text")
            if not name or name in self.fields:
                return
            if kind in ("hidden", "radio", "checkbox"):
                self.fields[name] = a.get("value", "")
            elif kind in ("text", "email", "tel", "number", "search"):
                self.fields[name] = {"email": "resident@example.org", "tel": "01632 960 001"}.get(
                    kind, "1" if kind == "number" else "Benchmark answer"
                )
        elif self.in_form and tag == "textarea" and a.get("name"):
            self.fields.setdefault(a["name"], "It has been there since Monday.")

    def handle_endtag(self, tag: str) -> None:
        if tag == "form" and self.in_form:
            self.in_form, self.done = False, True


class AssetParser(HTMLParser):
    """The stylesheets, scripts and module preloads a page asks for."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        rel = a.get("rel", "").lower().split()
        if tag == "link" and ("stylesheet" in rel or "modulepreload" in rel) and a.get("href"):
            self.urls.append(a["href"])
        elif tag == "script" and a.get("src"):
            self.urls.append(a["src"])


JS_IMPORT = re.compile(
    r"""(?:\bimport\s*(?:[\w*{}\s,]+from\s*)?|\bimport\s*\(\s*)["']([^"']+)["']"""
)


def js_imports(source: str) -> list[str]:
    return JS_IMPORT.findall(source)


def worker_cpu_ticks(master_pid: int) -> dict[int, int]:
    """CPU time used so far by each of the server's worker processes (user + system clock
    ticks, from /proc): per request, what a page costs whatever else the machine is doing."""
    ticks = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[1]) == master_pid:  # ppid; then utime and stime, in clock ticks
            ticks[int(stat.parent.name)] = int(fields[11]) + int(fields[12])
    return ticks


def cpu_seconds_between(before: dict[int, int], after: dict[int, int]) -> float | None:
    """The workers' CPU time from `before` to `after`; None when a worker was replaced in
    between (gunicorn's max_requests), whose last ticks can no longer be read."""
    if set(before) - set(after):
        return None
    used = sum(ticks - before.get(pid, 0) for pid, ticks in after.items())
    return used / os.sysconf("SC_CLK_TCK")


class Client:
    """Plain HTTP to the benchmark's server, keeping cookies by hand (they are Secure, as in
    production, which cookie jars will not send over http://)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: str | None = None, headers=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        # The server counts rate limits by X-Real-IP, as behind the proxy (see server_env).
        all_headers = {
            "Host": f"127.0.0.1:{self.port}",
            "X-Real-IP": "10.255.0.1",
            **(headers or {}),
        }
        if self.cookies:
            all_headers["Cookie"] = self.cookie_header()
        if body is not None:
            all_headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn.request(method, path, body=body, headers=all_headers)
        response = conn.getresponse()
        data = response.read()
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                self.cookies[key.strip()] = rest.split(";", 1)[0]
        conn.close()
        return response.status, dict(response.getheaders()), data

    def cookie_header(self) -> str:
        return "; ".join(f"{k}={v}" for k, v in self.cookies.items())


class Command(BaseCommand):
    help = "Load-test the production server on loopback with wrk (make bench)."

    def add_arguments(self, parser) -> None:
        env = os.environ.get
        parser.add_argument("--port", type=int, default=int(env("BENCH_PORT", "8401")))
        parser.add_argument("--seconds", type=int, default=int(env("BENCH_SECONDS", "15")))
        parser.add_argument("--connections", type=int, default=int(env("BENCH_CONNECTIONS", "20")))
        parser.add_argument("--warmup", type=int, default=int(env("BENCH_WARMUP_SECONDS", "2")))
        parser.add_argument(
            "--soak-seconds", type=int, default=int(env("BENCH_SOAK_SECONDS", "60"))
        )
        parser.add_argument(
            "--soak-connections", type=int, default=int(env("BENCH_SOAK_CONNECTIONS", "50"))
        )
        parser.add_argument(
            "--redis-url", default=env("BENCH_REDIS_URL", "redis://127.0.0.1:6379/5")
        )

    # -- the server -------------------------------------------------------------------------

    def server_env(self, options: dict[str, Any]) -> dict[str, str]:
        database_url = os.environ.get("DATABASE_URL", "")
        if not database_url.startswith("postgres"):
            raise CommandError("Set DATABASE_URL to the benchmark's PostgreSQL database.")
        return {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "council.settings.bench",
            "DATABASE_URL": database_url,
            "SECRET_KEY": "bench-only-" + "x" * 50,
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "PAYMENT_PROVIDER": "stripe",
            "STRIPE_SECRET_KEY": "sk_test_bench",
            "STRIPE_WEBHOOK_SECRET": "whsec_bench",
            "SECURE_SSL_REDIRECT": "False",
            "REDIS_URL": options["redis_url"],
            # wrk sends a different X-Real-IP with each request: many residents, not one
            # client hitting the rate limits.
            "RATELIMIT_IP_META_KEY": "HTTP_X_REAL_IP",
            # ...believed only from a trusted proxy: wrk, on loopback, plays the proxy.
            "TRUSTED_PROXIES": "127.0.0.1",
            "HOST": "127.0.0.1",
            "PORT": str(options["port"]),
            "GUNICORN_ACCESS_LOG": str(self.workdir / "access.log"),
            "EMAIL_URL": "consolemail://",
            "LOG_LEVEL": "ERROR",
        }

    def start_server(self, env: dict[str, str], port: int) -> subprocess.Popen:
        gunicorn = Path(sys.executable).with_name("gunicorn")
        self.log = open(self.workdir / "server.log", "wb")  # noqa: SIM115 - closed in stop_server
        process = subprocess.Popen(
            [str(gunicorn), "-c", str(GUNICORN_CONF)],
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if process.poll() is not None:
                break
            try:
                status, _, _ = Client(port).request("GET", "/bench/plain/")
                if status == 200:
                    return process
            except OSError:
                pass
            time.sleep(0.3)
        self.stop_server(process)
        log = (self.workdir / "server.log").read_text(errors="replace")[-3000:]
        raise CommandError(f"The server did not start on 127.0.0.1:{port}.\n{log}")

    def stop_server(self, process: subprocess.Popen) -> None:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        self.log.close()

    # -- load -------------------------------------------------------------------------------

    def wrk(self, port: int, seconds: int, connections: int, **env: str) -> WrkResult | str:
        """wrk with benchmarks/wrk.lua; `env`: BENCH_PATHS, BENCH_METHOD and the rest."""
        command = [
            "wrk",
            f"-t{min(2, connections)}",
            f"-c{connections}",
            f"-d{seconds}s",
            "--timeout",
            "10s",
            "-s",
            str(LUA),
            f"http://127.0.0.1:{port}",
        ]
        run_env = {**os.environ, **{f"BENCH_{k.upper()}": v for k, v in env.items()}}
        done = subprocess.run(command, env=run_env, capture_output=True, text=True, check=False)
        try:
            return parse_wrk(done.stdout)
        except ValueError:
            return f"wrk failed: {(done.stderr or done.stdout).strip()[:300]}"

    def sessions(self, port: int, start_path: str, count: int) -> tuple[str, str, str]:
        """`count` residents who started the flow at `start_path`: a BENCH_SESSIONS value, the
        first step's path and a body answering it validly (with "{token}")."""
        lines, step_path, body = [], "", ""
        for _ in range(count):
            client = Client(port)
            status, headers, _ = client.request("GET", start_path)
            step_path = headers.get("Location", start_path) if status in (301, 302) else start_path
            status, _, html = client.request("GET", step_path)
            form = FormParser()
            form.feed(html.decode("utf-8", "replace"))
            token = form.fields.pop("csrfmiddlewaretoken", "")
            if status != 200 or not token:
                raise ValueError(f"{step_path} answered {status} without a form")
            body = urllib.parse.urlencode({"csrfmiddlewaretoken": "{token}", **form.fields})
            body = body.replace(urllib.parse.quote("{token}"), "{token}")
            lines.append(f"{client.cookie_header()}\t{token}")
        return "\n".join(lines), step_path, body

    def find_flow(self, port: int, service_html: str) -> tuple[str, str, str, str]:
        """A flow whose first step takes the answers FormParser gives (a 302 to the next
        step): its start path, first step, sessions and body."""
        from forms.flows.models import FlowPage

        starts = re.findall(r'href="([^"]+)"[^>]*govuk-button--start', service_html)

        for flow in FlowPage.objects.live().filter(locale__language_code=settings.LANGUAGE_CODE):
            starts.append(flow.url)
        for start in dict.fromkeys(s for s in starts if s.startswith("/")):
            try:
                sessions, step, body = self.sessions(port, start, 1)
                client_cookie, token = sessions.split("\t")
                client = Client(port)
                client.cookies = dict(p.split("=", 1) for p in client_cookie.split("; "))
                status, _, _ = client.request("POST", step, body.replace("{token}", token))
            except (ValueError, OSError):
                continue
            if status == 302:
                return start, step, sessions, body
        raise CommandError("No demo flow's first step could be answered.")

    # -- sizes ------------------------------------------------------------------------------

    def sizes(self, port: int, path: str) -> tuple[int, list[tuple[str, int, bool]]]:
        client = Client(port)
        _, _, html = client.request("GET", path)
        parser = AssetParser()
        parser.feed(html.decode("utf-8", "replace"))
        seen: dict[str, tuple[int, bool]] = {}
        queue = list(parser.urls)
        while queue:
            url = urllib.parse.urljoin(path, queue.pop(0))
            if url in seen or not url.startswith("/"):
                continue
            status, headers, body = client.request("GET", url, headers={"Accept-Encoding": "gzip"})
            if status != 200:
                seen[url] = (0, False)
                continue
            sent_gzipped = headers.get("Content-Encoding", "") == "gzip"
            raw = gzip.decompress(body) if sent_gzipped else body
            seen[url] = (len(body) if sent_gzipped else len(gzip.compress(raw, 6)), sent_gzipped)
            if url.endswith(".js"):
                queue.extend(urllib.parse.urljoin(url, i) for i in js_imports(raw.decode()))
        return len(html), [(url, size, sent) for url, (size, sent) in seen.items()]

    # -- the run ----------------------------------------------------------------------------

    def handle(self, *args: Any, **options: Any) -> None:
        if shutil.which("wrk") is None:
            raise CommandError("wrk is not installed (apt-get install wrk).")
        port, seconds, connections = options["port"], options["seconds"], options["connections"]
        self.workdir = Path(tempfile.mkdtemp(prefix="council-bench-"))
        env = self.server_env(options)
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
            env=env,
            cwd=settings.BASE_DIR,
            check=True,
        )
        import redis

        try:
            redis.Redis.from_url(options["redis_url"]).flushdb()
        except redis.RedisError as error:
            self.stderr.write(f"Redis could not be flushed ({error}): pages will not be cached.")
        self.out(f"Starting gunicorn on 127.0.0.1:{port} (production settings)...")
        server = self.start_server(env, port)
        self.server_pid = server.pid
        try:
            self.run(port, seconds, connections, options)
        finally:
            self.stop_server(server)
        self.out(f"Server log and access log: {self.workdir}")

    def out(self, text: str = "") -> None:
        self.stdout.write(text)
        self.stdout.flush()

    def run(self, port: int, seconds: int, connections: int, options: dict[str, Any]) -> None:
        client = Client(port)
        status, _, service_html = client.request("GET", SERVICE_PATH)
        service_path = SERVICE_PATH
        if status != 200:
            from services.models import ServicePage

            service_path = ServicePage.objects.live().first().url
            _, _, service_html = client.request("GET", service_path)
        start, step, _, body = self.find_flow(port, service_html.decode())
        sessions, _, _ = self.sessions(port, start, connections)
        self.out(f"Service page: {service_path}; form: {step} (POST answers {body[:60]}...)")
        self.out(
            "Rate limits: each request carries its own X-Real-IP (RATELIMIT_IP_META_KEY="
            "HTTP_X_REAL_IP), as if from many residents; one address would soon be limited."
        )
        search_paths = " ".join(f"/search/?q={urllib.parse.quote_plus(q)}" for q in SEARCHES)
        targets: list[tuple[str, dict[str, str]]] = [
            ("plain Django view", {"paths": "/bench/plain/"}),
            ("home page", {"paths": "/"}),
            ("service page, cached", {"paths": service_path}),
            (
                "service page, uncached",
                {"paths": service_path, "header": "Cache-Control: no-cache"},
            ),
            ("search", {"paths": search_paths}),
            ("form step GET", {"paths": step, "sessions": sessions}),
            (
                "form step POST",
                {"paths": step, "sessions": sessions, "method": "POST", "body": body},
            ),
        ]
        self.out(
            f"\nwrk: {connections} connections, {seconds} s each after {options['warmup']} s "
            f"of warm-up\n"
        )
        self.out(
            f"{'target':<26}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}{'errors':>8}{'x plain':>9}"
            f"{'CPU ms':>9}"
        )
        results: dict[str, WrkResult | str] = {}
        cpu_per_request: dict[str, float] = {}
        for name, env in targets:
            if options["warmup"]:
                self.wrk(port, options["warmup"], connections, **env)
            cpu_before = worker_cpu_ticks(self.server_pid)
            result = results[name] = self.wrk(port, seconds, connections, **env)
            cpu = cpu_seconds_between(cpu_before, worker_cpu_ticks(self.server_pid))
            plain = results["plain Django view"]
            if isinstance(result, str):
                self.out(f"{name:<26}{result}")
                continue
            ratio = result.rps / plain.rps if isinstance(plain, WrkResult) and plain.rps else 0
            if cpu is not None and result.requests:
                cpu_per_request[name] = cpu * 1000 / result.requests
                cpu_column = f"{cpu_per_request[name]:>9.2f}"
            else:
                cpu_column = f"{'n/a':>9}"  # a worker was replaced during the run
            self.out(
                f"{name:<26}{result.rps:>9.0f}{result.p50_ms:>9.1f}{result.p95_ms:>9.1f}"
                f"{result.errors:>8}{ratio:>9.2f}{cpu_column}"
            )
        self.out(
            f"\nCPU ms: the workers' CPU time per request (from /proc), which other work on the "
            f"machine does not change. Machine load now: {os.getloadavg()[0]:.1f} on "
            f"{os.cpu_count()} cores."
        )
        uncached_cpu = cpu_per_request.get("service page, uncached")
        if uncached_cpu:
            self.out(
                f"An uncached service page takes {uncached_cpu:.2f} ms of CPU: at most about "
                f"{(os.cpu_count() or 1) * 1000 / uncached_cpu:.0f} req/s if the cores did "
                f"nothing else (an estimate, not the goal's measure)."
            )
        mixed = " ".join([*self.content_paths(service_path), *search_paths.split()[:3]])
        self.out(
            f"\nSoak: {options['soak_connections']} connections for {options['soak_seconds']} s "
            f"over {len(mixed.split())} pages, cached and not..."
        )
        soak = self.wrk(port, options["soak_seconds"], options["soak_connections"], paths=mixed)
        if isinstance(soak, WrkResult):
            self.out(
                f"{soak.requests} requests, {soak.rps:.0f} req/s, p50 {soak.p50_ms:.1f} ms, "
                f"p95 {soak.p95_ms:.1f} ms, errors {soak.errors} {soak.statuses}"
            )
        else:
            self.out(soak)
        html_bytes, assets = self.sizes(port, service_path)
        self.out(f"\nService page HTML: {html_bytes / 1024:.1f} KB")
        for url, size, sent in assets:
            how = "as sent, gzip" if sent else "gzip -6 here (sent uncompressed)"
            self.out(f"  {url}: {size / 1024:.1f} KB ({how})")
        asset_total = sum(size for _, size, _ in assets)
        self.out(f"  CSS + JS gzipped: {asset_total / 1024:.1f} KB")
        self.report_goals(results, soak, html_bytes, asset_total, options)

    def content_paths(self, service_path: str) -> list[str]:
        from wagtail.models import Page

        paths = [service_path, "/"]
        for page in Page.objects.live().filter(depth__in=(3, 4)).order_by("path")[:400:40]:
            if page.url and page.url not in paths:
                paths.append(page.url)
        paths.append("/cy/")
        return paths

    def report_goals(self, results, soak, html_bytes, asset_total, options) -> None:
        def ok(passed: bool) -> str:
            return self.style.SUCCESS("PASS") if passed else self.style.ERROR("FAIL")

        plain, cached = results["plain Django view"], results["service page, cached"]
        uncached = results["service page, uncached"]
        ratio = (
            cached.rps / plain.rps
            if isinstance(plain, WrkResult) and isinstance(cached, WrkResult) and plain.rps
            else 0.0
        )
        uncached_rps = uncached.rps if isinstance(uncached, WrkResult) else 0.0
        soak_errors = soak.errors if isinstance(soak, WrkResult) else None
        soak_text = soak_errors if soak_errors is not None else "wrk failed"
        goals = [
            (ratio >= CACHED_RATIO_GOAL, f"cached service page {ratio:.2f} x plain (>= 0.7)"),
            (
                uncached_rps >= UNCACHED_RPS_GOAL,
                f"uncached service page {uncached_rps:.0f} req/s (>= 300)",
            ),
            (
                soak_errors == 0,
                f"no error at {options['soak_connections']} connections for "
                f"{options['soak_seconds']} s ({soak_text})",
            ),
            (html_bytes < HTML_LIMIT, f"service page HTML {html_bytes / 1024:.1f} KB (< 30 KB)"),
            (asset_total < ASSETS_LIMIT, f"CSS + JS {asset_total / 1024:.1f} KB gzipped (< 40 KB)"),
        ]
        self.out("\nGoals")
        for passed, text in goals:
            self.out(f"  {ok(passed)} {text}")
