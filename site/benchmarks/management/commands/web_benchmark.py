"""`make bench`: the site under load on this machine, as production serves it.

Starts gunicorn (site/council/gunicorn.conf.py) with the production settings on loopback
(council/settings/bench.py: production plus a plain Django view to compare with, and payments
on the sandbox's test page, which takes no money), against the database in DATABASE_URL (the
Makefile loads the demo into council_bench) and a Redis database of its own, flushed first.
Then:

- wrk, for a fixed time each: the plain view, the home page, a service page from the page cache
  and the same page uncached (the request says `Cache-Control: no-cache`, as a browser's hard
  reload does, which the page cache honours: the page is built again, with its fragment caches,
  as for a reader with a session cookie), a search, and every page a resident meets in a flow
  ("Report a missed bin collection"), each in residents' own sessions: the first question (GET),
  a valid answer POSTed (a redirect to the next question), the answer left out (a redirect back
  to the question) and the question shown again with its error, check your answers (sessions
  that answered every question) and the confirmation (sessions that sent). Each target's first
  answer is checked first (its status, and a marker of the page meant), and every answer of the
  run must be of the same status class, so a redirect or an error page is never measured in the
  page's place;
- a soak: 50 connections for 60 seconds over a mix of pages, which must see no error;
- sizes: the service page's HTML, and its CSS and JavaScript as sent gzipped;
- the gunicorn workers' resident memory (VmRSS), after the soak and after the surge;
- a resident surge (benchmarks/residents.py): 100 residents at once for 60 seconds, each going
  through a whole demo flow from its start page to its confirmation again and again (the
  missed bin, a library booking, and garden waste, paid on the sandbox's page), timing every
  page; then the submissions the database holds against the confirmations the residents saw.
  Each resident spends 1 to 3 seconds on a page before clicking on (BENCH_SURGE_THINK; people
  take 10 seconds and more to read a question and type an answer), and the p95 goal is judged
  on this run. Before it, the same residents with no time on any page for 30 seconds
  (BENCH_CAPACITY_SECONDS): the most journeys a second the site can serve, with the same
  checks of errors and submissions; its latencies are its queue, not what people wait;
- the server's 5xx answers in its access log over the whole run, warm-ups included.

Prints requests/s, p50/p95 latency, errors, the ratio to the plain view and the workers' CPU
time per request for each wrk target; journeys a second, p50/p95 per page kind, errors and
submissions for the surge; then PASS or FAIL for each goal. Exits 0 whatever the goals' outcome
(it is a measurement), non-zero when the server does not start or the flows cannot be walked.
Durations and sizes come from the environment (BENCH_SECONDS, BENCH_CONNECTIONS,
BENCH_SOAK_SECONDS, BENCH_SOAK_CONNECTIONS, BENCH_WARMUP_SECONDS, BENCH_SURGE_RESIDENTS,
BENCH_SURGE_SECONDS, BENCH_SURGE_THINK, BENCH_CAPACITY_SECONDS), and where it runs from
BENCH_PORT and BENCH_REDIS_URL.
"""

from __future__ import annotations

import argparse
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
from collections import Counter
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from benchmarks.residents import (
    CONFIRMATION_PANEL,
    ERROR_SUMMARY,
    PAGE_KINDS,
    Client,
    FlowPlan,
    FormParser,
    JourneyError,
    Resident,
    SurgeResult,
    body_of,
    new_address,
    path_of,
    prepare,
    step_of,
    surge,
)

LUA = Path(__file__).resolve().parents[2] / "wrk.lua"
GUNICORN_CONF = Path(settings.SITE_DIR) / "council" / "gunicorn.conf.py"
SERVICE_PATH = "/bins-recycling-waste/garden-waste-subscription/"
SEARCHES = ["bins", "council tax", "parking permit", "pothole", "library", "noise"]
# Searches each worker meets for the first time: every English evaluation query, as typed and
# with words residents add, over a thousand in all, so that no worker has an answer
# remembered (search.service.run_search) and each is worked out afresh.
EVAL_DIR = Path(__file__).resolve().parents[4] / "search" / "eval"
ADDED_WORDS = ["", "help", "online", "council", "form", "apply", "near me", "fernbridge", "2026"]
SEARCH_RATIO_GOAL = 0.25
RESULT = re.compile(r"^BENCH_RESULT (.*)$", re.MULTILINE)
# The flows residents go through. wrk measures every page of the first; the surge goes through
# all of them in turn, one free flow with an address look-up, one with dates and choices, and
# one paid for on the sandbox's test payment page.
FLOW_PATHS = [
    "/bins-recycling-waste/report-missed-bin/report/",
    "/libraries-culture/book-digital-support/book/",
    "/bins-recycling-waste/garden-waste-subscription/subscribe/",
]

# The goals `make bench` reports PASS or FAIL against.
CACHED_RATIO_GOAL = 0.7
UNCACHED_RPS_GOAL = 300
HTML_LIMIT = 30 * 1024
ASSETS_LIMIT = 40 * 1024
# Each flow page's requests a second against the plain view's.
FLOW_RATIO_GOALS = {
    "form step GET": 0.25,
    "form step POST": 0.2,
    "step POST, error": 0.2,
    "check your answers": 0.25,
    "confirmation": 0.25,
}
SURGE_P95_MS = 250
WORKER_RSS_LIMIT_MB = 200


def new_searches() -> list[str]:
    """Over a thousand English searches, none repeated: see ADDED_WORDS."""
    from search.management.commands.search_eval import read_cases

    typed = []
    for path in sorted(EVAL_DIR.glob("*.tsv")):
        if path.stem in ("cy", "pl", "ar"):  # asked on those languages' own pages
            continue
        typed += [query for query, _ in read_cases(path)]
    found = dict.fromkeys(f"{query} {word}".strip() for word in ADDED_WORDS for query in typed)
    return list(found)


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


def ratio_to(result: WrkResult | str, plain: WrkResult | str) -> float | None:
    """`result`'s requests a second against the plain view's; None when either was not measured
    (wrk failed, or the target's first answer was not the page meant)."""
    if isinstance(result, WrkResult) and isinstance(plain, WrkResult) and plain.rps:
        return result.rps / plain.rps
    return None


def think_range(text: str) -> tuple[float, float]:
    """ "1-3" (seconds, least-most), "2" (always 2) or "0" (none)."""
    try:
        parts = [float(part) for part in text.split("-", 1)]
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: seconds, such as 1-3 or 0") from None
    least, most = parts[0], parts[-1]
    if not 0 <= least <= most:
        raise argparse.ArgumentTypeError(f"{text!r}: seconds, least then most, such as 1-3")
    return least, most


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


def worker_rss_mb(master_pid: int) -> dict[int, float]:
    """Each of the server's worker processes' resident memory (VmRSS, from /proc), in MB. Pages
    the workers share with the master (gunicorn loads the site before forking) count in each."""
    memory = {}
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            lines = dict(
                line.split(":", 1) for line in status.read_text().splitlines() if ":" in line
            )
        except OSError:
            continue
        if lines.get("PPid", "").strip() == str(master_pid) and "VmRSS" in lines:
            memory[int(status.parent.name)] = int(lines["VmRSS"].split()[0]) / 1024
    return memory


# A line of gunicorn's access log (council/gunicorn.conf.py): the path and the status.
ACCESS_LINE = re.compile(r'"[A-Z]+ (\S+) [^"]*" (\d{3}) ')


def server_errors(access_log: Path) -> Counter[str]:
    """The server's 5xx answers in its access log, by path: over the whole run, warm-ups,
    checks and residents' preparation included, which the figures of each run do not see."""
    found: Counter[str] = Counter()
    try:
        with access_log.open(errors="replace") as lines:
            for line in lines:
                match = ACCESS_LINE.search(line)
                if match and match.group(2).startswith("5"):
                    found[match.group(1)] += 1
    except OSError:
        pass
    return found


@dataclass
class Target:
    """A page wrk measures, with what its answers must be. Every answer of the run must be of
    `status`'s class (a redirect where a page was meant is counted as an error); the first,
    asked before the run, must be `status` itself and the page meant: `marker` in it and
    `absent` not, or, for a redirect, back to the page itself (`same_page`: an answer refused)
    or on to another, and `then` in the page it leads to."""

    name: str
    env: dict[str, str]
    status: int = 200
    marker: str = ""
    absent: str = ""
    same_page: bool = False
    then: str = ""

    def unexpected(self, result: WrkResult) -> int:
        """Answers of another class than `status`'s (4xx and 5xx are counted as errors
        already)."""
        meant = f"{self.status // 100}xx"
        return sum(
            n
            for kind, n in result.statuses.items()
            if kind in ("1xx", "2xx", "3xx") and kind != meant
        )


class Command(BaseCommand):
    help = "Load-test the production server on loopback with wrk and residents (make bench)."

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
            "--surge-residents", type=int, default=int(env("BENCH_SURGE_RESIDENTS", "100"))
        )
        parser.add_argument(
            "--surge-seconds", type=int, default=int(env("BENCH_SURGE_SECONDS", "60"))
        )
        parser.add_argument(
            "--surge-think",
            type=think_range,
            default=think_range(env("BENCH_SURGE_THINK", "1-3")),
            help="seconds a resident spends on a page before clicking on: least-most",
        )
        parser.add_argument(
            "--capacity-seconds",
            type=int,
            default=int(env("BENCH_CAPACITY_SECONDS", "30")),
            help="the same residents with no time on any page (0: not run)",
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
            # Production's settings start only with Stripe (and its keys, never called here);
            # council.settings.bench then sends payments to the sandbox's test page.
            "PAYMENT_PROVIDER": "stripe",
            "STRIPE_SECRET_KEY": "sk_test_bench",
            "STRIPE_WEBHOOK_SECRET": "whsec_bench",
            "SECURE_SSL_REDIRECT": "False",
            "REDIS_URL": options["redis_url"],
            # wrk sends a different X-Real-IP with each request, and each of the residents has
            # one of their own: many residents, not one client hitting the rate limits.
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

    def check_target(self, port: int, target: Target) -> str | None:
        """What is wrong with the target's first answer (see Target), or None: asked as wrk
        will ask it, in the first of its sessions."""
        env = target.env
        method, body = env.get("method", "GET"), env.get("body", "")
        path = env.get("paths", "/").split()[0]
        client = Client(port, new_address())
        if env.get("sessions"):
            cookie, token, *own = env["sessions"].split("\n", 1)[0].split("\t")
            client.cookies = dict(pair.split("=", 1) for pair in cookie.split("; "))
            path = own[0] if own else path
            body = (own[1] if len(own) > 1 else body).replace("{token}", token)
        name, _, value = env.get("header", "").partition(": ")
        status, headers, data = client.request(
            method, path, body if method == "POST" else None, {name: value} if value else None
        )
        html = data.decode("utf-8", "replace")
        if status != target.status:
            return f"was {status}, not {target.status}"
        if target.marker and target.marker not in html:
            return f"was not the page meant (no {target.marker!r})"
        if target.absent and target.absent in html:
            return f"showed {target.absent!r}"
        if status in (301, 302, 303):
            location = path_of(headers.get("Location", ""))
            if (step_of(location) == step_of(path)) != target.same_page:
                return f"redirected to {location.split('?')[0]}"
            if target.then:
                status, _, data = client.request("GET", location)
                if status != 200 or target.then not in data.decode("utf-8", "replace"):
                    return f"led to a page ({status}) without {target.then!r}"
        return None

    # -- residents --------------------------------------------------------------------------

    def learn_flows(self, port: int, postcode: str) -> list[FlowPlan]:
        """FLOW_PATHS, each gone through once by a resident who tries answers until one keeps
        going (benchmarks/residents.py). wrk measures the first, which must succeed; another
        that cannot be walked is left out of the surge, with the reason."""
        plans: list[FlowPlan] = []
        for path in FLOW_PATHS:
            plan = FlowPlan(title=path.strip("/").split("/")[-2], start=path)
            try:
                Resident(port, postcode).complete(plan, learn=True)
            except (JourneyError, OSError, http.client.HTTPException) as error:
                if not plans:
                    raise CommandError(f"The flow at {path} could not be walked: {error}") from None
                self.out(f"Left out of the surge: {path} could not be walked: {error}")
                continue
            plans.append(plan)
        return plans

    def flow_sessions(self, port: int, plan: FlowPlan, count: int, postcode: str) -> dict[str, str]:
        """BENCH_SESSIONS for wrk's flow targets: `count` residents each, every one with its own
        journey (so its own step URL and form): at the first question, with a valid answer to
        post ("step"); there with the answer left out, posted once so that the question shows
        its error ("error"); at check your answers ("check"); after sending ("confirmation")."""

        def first_question(resident: Resident) -> tuple[str, FormParser]:
            path = resident.start(plan)
            return path, resident.look_up_address(path, resident.question(path))

        def step(_: int) -> str:
            resident = Resident(port, postcode)
            path, form = first_question(resident)
            answer = {**form.fields, **plan.answers.get(step_of(path), {})}
            return resident.session_line(path, body_of(answer))

        def error(_: int) -> str:
            resident = Resident(port, postcode)
            path, form = first_question(resident)
            body = body_of(form.hidden)  # the page's own fields only: no answer
            if step_of(resident.redirected("step POST", path, body)) != step_of(path):
                raise JourneyError(f"{path.split('?')[0]}: no answer at all was not refused")
            return resident.session_line(path, body)

        def check(_: int) -> str:
            resident = Resident(port, postcode)
            return resident.session_line(resident.check_answers_path(plan))

        def confirmation(_: int) -> str:
            resident = Resident(port, postcode)
            return resident.session_line(resident.send(plan))

        makers = {"step": step, "error": error, "check": check, "confirmation": confirmation}
        try:
            return {name: "\n".join(prepare(count, make)) for name, make in makers.items()}
        except (JourneyError, OSError, http.client.HTTPException) as problem:
            raise CommandError(f"Residents could not be prepared for wrk: {problem}") from None

    def run_surge(
        self,
        port: int,
        plans: list[FlowPlan],
        options: dict[str, Any],
        postcode: str,
        seconds: int,
        think: tuple[float, float],
    ) -> tuple[SurgeResult, set[str], int, float | None]:
        """The surge (benchmarks/residents.py), then the submissions saved since it began
        (their references) and how many of them have their payment taken."""
        from forms.flows.models import Submission
        from forms.payments.constants import SETTLED
        from forms.payments.models import Payment

        residents = options["surge_residents"]
        last = Submission.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        names = ", ".join(f"{p.title}{' (paid, sandbox)' if p.paid else ''}" for p in plans)
        pace = (
            f"each spending {think[0]:g} to {think[1]:g} s on a page before clicking on (people "
            f"take far longer: reading, typing), redirects followed at once"
            if think[1] > 0
            else "with no time on any page: each request sent as soon as the last is answered, "
            "which measures what the site can serve, not how it answers people"
        )
        self.out(
            f"\n{'Surge' if think[1] > 0 else 'Capacity'}: {residents} residents at once for "
            f"{seconds} s, each going through a whole flow from its start page to its "
            f"confirmation, again and again ({names}); each journey a new resident with cookies "
            f"and an address of their own, {pace}..."
        )
        cpu_before = worker_cpu_ticks(self.server_pid)
        result = surge(port, plans, residents, seconds, postcode, think)
        cpu = cpu_seconds_between(cpu_before, worker_cpu_ticks(self.server_pid))
        saved = set(Submission.objects.filter(pk__gt=last).values_list("reference", flat=True))
        paid = (
            Payment.objects.filter(submission__pk__gt=last, status__in=SETTLED)
            .values("submission")
            .distinct()
            .count()
        )
        return result, saved, paid, cpu

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
        from forms.places.models import Property

        status, _, _ = Client(port).request("GET", SERVICE_PATH)
        service_path = SERVICE_PATH
        if status != 200:
            from services.models import ServicePage

            service_path = ServicePage.objects.live().first().url
        # The address questions' postcode: the demo's first, whose addresses are listed.
        postcode = Property.objects.order_by("uprn").values_list("postcode", flat=True).first()
        self.out("Walking the demo flows and preparing residents' sessions...")
        plans = self.learn_flows(port, postcode or "FE1 1AA")
        flow = plans[0]
        sessions = self.flow_sessions(port, flow, connections, postcode or "FE1 1AA")
        self.out(
            f"Service page: {service_path}; flow: {flow.start} ({len(flow.answers)} question "
            f"pages, then check your answers and the confirmation)"
        )
        self.out(
            "Rate limits: each request carries its own X-Real-IP (RATELIMIT_IP_META_KEY="
            "HTTP_X_REAL_IP), as if from many residents; one address would soon be limited."
        )
        search_paths = " ".join(f"/search/?q={urllib.parse.quote_plus(q)}" for q in SEARCHES)
        new_search_paths = " ".join(
            f"/search/?q={urllib.parse.quote_plus(q)}" for q in new_searches()
        )
        page = 'id="main-content"'
        targets = [
            Target("plain Django view", {"paths": "/bench/plain/"}, marker="Plain Django view"),
            Target("home page", {"paths": "/"}, marker=page),
            Target("service page, cached", {"paths": service_path}, marker=page),
            Target(
                "service page, uncached",
                {"paths": service_path, "header": "Cache-Control: no-cache"},
                marker=page,
            ),
            Target(
                "search, common queries",
                {"paths": search_paths},
                marker="council-search-results__item",
            ),
            Target("search, new queries", {"paths": new_search_paths}, marker=page),
            # The flow's pages, each in sessions of its own (see flow_sessions).
            Target(
                "form step GET",
                {"sessions": sessions["step"]},
                marker="current_step",
                absent=ERROR_SUMMARY,
            ),
            Target("form step POST", {"sessions": sessions["step"], "method": "POST"}, status=302),
            # A refused answer is redirected back to its question (Post/Redirect/Get), which
            # then shows the error summary: both are measured.
            Target(
                "step POST, error",
                {"sessions": sessions["error"], "method": "POST"},
                status=302,
                same_page=True,
                then=ERROR_SUMMARY,
            ),
            Target("step GET, error shown", {"sessions": sessions["error"]}, marker=ERROR_SUMMARY),
            Target("check your answers", {"sessions": sessions["check"]}, marker='name="token"'),
            Target(
                "confirmation", {"sessions": sessions["confirmation"]}, marker=CONFIRMATION_PANEL
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
        for target in targets:
            name, env = target.name, target.env
            problem = self.check_target(port, target)
            if problem is not None:
                results[name] = f"not measured: its first answer {problem}"
                self.out(f"{name:<26}{results[name]}")
                continue
            if options["warmup"]:
                self.wrk(port, options["warmup"], connections, **env)
            cpu_before = worker_cpu_ticks(self.server_pid)
            result = results[name] = self.wrk(port, seconds, connections, **env)
            cpu = cpu_seconds_between(cpu_before, worker_cpu_ticks(self.server_pid))
            plain = results["plain Django view"]
            if isinstance(result, str):
                self.out(f"{name:<26}{result}")
                continue
            result.errors += target.unexpected(result)
            ratio = ratio_to(result, plain) or 0.0
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
            f"\nerrors: socket errors, timeouts, 4xx/5xx, and answers of another status class than "
            f"the target's first (a redirect where a page was meant).\n"
            f"CPU ms: the workers' CPU time per request (from /proc), which other work on the "
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
        memory = [self.report_memory("after the soak")]
        html_bytes, assets = self.sizes(port, service_path)
        self.out(f"\nService page HTML: {html_bytes / 1024:.1f} KB")
        for url, size, sent in assets:
            how = "as sent, gzip" if sent else "gzip -6 here (sent uncompressed)"
            self.out(f"  {url}: {size / 1024:.1f} KB ({how})")
        asset_total = sum(size for _, size, _ in assets)
        self.out(f"  CSS + JS gzipped: {asset_total / 1024:.1f} KB")
        think = options["surge_think"]
        self.think_text = f"{think[0]:g} to {think[1]:g}"
        capacity = None
        if options["capacity_seconds"] > 0:
            capacity = self.run_surge(
                port, plans, options, postcode or "FE1 1AA", options["capacity_seconds"], (0, 0)
            )
            self.report_surge(*capacity, options["capacity_seconds"])
        surged = self.run_surge(
            port,
            plans,
            options,
            postcode or "FE1 1AA",
            options["surge_seconds"],
            options["surge_think"],
        )
        self.report_surge(*surged, options["surge_seconds"])
        memory.append(self.report_memory("after the surge"))
        errors = server_errors(self.workdir / "access.log")
        listed = ", ".join(f"{path} {count}" for path, count in errors.most_common(5))
        self.out(
            f"\n5xx answers in the server's access log over the whole run (warm-ups and checks "
            f"included): {sum(errors.values())}"
            + (f" ({listed}; see server.log)" if errors else "")
        )
        self.report_goals(results, soak, html_bytes, asset_total, options)
        self.report_later_goals(surged[0], surged[1], memory, capacity)

    def report_memory(self, when: str) -> dict[int, float]:
        memory = worker_rss_mb(self.server_pid)
        each = ", ".join(f"{mb:.0f}" for _pid, mb in sorted(memory.items()))
        self.out(f"\nWorkers' resident memory (VmRSS) {when}: {each} MB")
        return memory

    def report_surge(
        self, result: SurgeResult, saved: set[str], paid: int, cpu: float | None, seconds: int
    ) -> None:
        rate = result.journeys / result.seconds if result.seconds else 0.0
        requests = sum(len(times) for times in result.timings.values())
        cpu_text = (
            f"; workers' CPU {cpu * 1000 / result.journeys:.0f} ms a journey, "
            f"{cpu * 1000 / requests:.1f} ms a request"
            if cpu is not None and result.journeys and requests
            else ""
        )
        self.out(
            f"{result.journeys} journeys finished in {result.seconds:.1f} s (begun in the first "
            f"{seconds} s; those under way then were finished): {rate:.2f} a second "
            f"({result.paid} paid){cpu_text}. The residents themselves used "
            f"{result.client_cpu:.0f} s of CPU on the same cores."
        )
        self.out(f"  {'page kind':<18}{'requests':>9}{'p50 ms':>9}{'p95 ms':>9}")
        for kind in PAGE_KINDS:
            if result.timings.get(kind):
                self.out(
                    f"  {kind:<18}{len(result.timings[kind]):>9}"
                    f"{result.percentile(kind, 50):>9.1f}{result.percentile(kind, 95):>9.1f}"
                )
        self.out(f"Errors: {len(result.errors)}")
        for error in result.errors[:10]:
            self.out(f"  {error}")
        seen = set(result.references)
        self.out(
            f"Submissions saved since the surge began: {len(saved)}; journeys finished (their "
            f"confirmation seen): {result.journeys}; confirmed but not saved: {len(seen - saved)};"
            f" saved but never confirmed: {len(saved - seen)}; references seen twice: "
            f"{len(result.references) - len(seen)}. Payments taken: {paid} for {result.paid} "
            f"paid journeys."
        )

    def content_paths(self, service_path: str) -> list[str]:
        from wagtail.models import Page

        paths = [service_path, "/"]
        for page in Page.objects.live().filter(depth__in=(3, 4)).order_by("path")[:400:40]:
            if page.url and page.url not in paths:
                paths.append(page.url)
        paths.append("/cy/")
        return paths

    def ok(self, passed: bool) -> str:
        return self.style.SUCCESS("PASS") if passed else self.style.ERROR("FAIL")

    def report_goals(self, results, soak, html_bytes, asset_total, options) -> None:
        plain, cached = results["plain Django view"], results["service page, cached"]
        uncached = results["service page, uncached"]
        ratio = ratio_to(cached, plain) or 0.0
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
        goals_by_page = {
            **FLOW_RATIO_GOALS,
            "search, common queries": SEARCH_RATIO_GOAL,
            "search, new queries": SEARCH_RATIO_GOAL,
        }
        for name, goal in goals_by_page.items():
            flow_ratio = ratio_to(results[name], plain)
            text = f"{flow_ratio:.2f} x plain" if flow_ratio is not None else "not measured"
            goals.append(
                (flow_ratio is not None and flow_ratio >= goal, f"{name} {text} (>= {goal})")
            )
        self.out("\nGoals")
        for passed, text in goals:
            self.out(f"  {self.ok(passed)} {text}")

    def report_later_goals(
        self,
        surged: SurgeResult,
        saved: set[str],
        memory: list[dict[int, float]],
        capacity: tuple[SurgeResult, set[str], int, float | None] | None = None,
    ) -> None:
        worst = max(PAGE_KINDS, key=lambda kind: surged.percentile(kind, 95))
        worst_ms = surged.percentile(worst, 95)
        largest = max((mb for reading in memory for mb in reading.values()), default=0.0)
        goals = []
        if capacity is not None:
            at_capacity, saved_there = capacity[0], capacity[1]
            goals += [
                (
                    not at_capacity.errors,
                    f"no error at capacity, no time on any page ({len(at_capacity.errors)})",
                ),
                (
                    len(saved_there) == at_capacity.journeys
                    and saved_there == set(at_capacity.references),
                    f"at capacity, submissions saved {len(saved_there)} == journeys finished "
                    f"{at_capacity.journeys}",
                ),
            ]
        goals += [
            (not surged.errors, f"no error in the resident surge ({len(surged.errors)})"),
            (
                len(saved) == surged.journeys and saved == set(surged.references),
                f"submissions saved {len(saved)} == journeys finished {surged.journeys}",
            ),
            (
                surged.journeys > 0 and worst_ms <= SURGE_P95_MS,
                f"surge p95 <= {SURGE_P95_MS} ms on every page kind, residents taking "
                f"{self.think_text} s a page (slowest: {worst} {worst_ms:.0f} ms)",
            ),
            (
                0 < largest <= WORKER_RSS_LIMIT_MB,
                f"every worker <= {WORKER_RSS_LIMIT_MB} MB resident (largest {largest:.0f} MB)",
            ),
        ]
        for passed, text in goals:
            self.out(f"  {self.ok(passed)} {text}")
