"""Residents for `make bench` (manage.py web_benchmark): plain HTTP clients that keep their own
cookies and their own address, and go through a flow as a resident does, from its start page to
its confirmation, paying on the sandbox's test payment page for a paid flow.

The benchmark uses them to prepare the sessions that wrk replays (at a flow's first step, at
check your answers, after sending) and for the resident surge (`surge`), where each page is
timed and anything a resident with valid answers should never see is counted as an error.

A flow is learnt once before it is measured (`Resident.learn`): the answers that keep going past
its end points (a "no" that ends the flow, a date that must be in the future) are found by
trying them, as demo/walker.py does through the test client, and kept in a `FlowPlan`.
Every later resident gives the plan's answers and must never be refused.
"""

from __future__ import annotations

import datetime
import http.client
import itertools
import random
import re
import resource
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from html.parser import HTMLParser

from forms.flows.constants import CHECK_ANSWERS_STEP

Response = tuple[int, dict[str, str], bytes]

# The site's markers: what makes a page the one meant, not a redirect or an error page.
ERROR_SUMMARY = "govuk-error-summary"
CONFIRMATION_PANEL = "govuk-panel--confirmation"
REFERENCE = re.compile(r'govuk-panel__body">.*?<strong>([^<]+)</strong>', re.DOTALL)
# A paid request's confirmation says "Request saved" while the payment is not yet taken.
NOT_PAID_TITLE = ">Request saved<"
SANDBOX_PAY = 'name="outcome" value="succeed"'
# The runtime's management form names the step each question page is for.
CURRENT_STEP = re.compile(r'name="flow-\d+-current_step" value="([^"]+)"')
# Every page a resident goes through; the surge reports each kind's latency.
PAGE_KINDS = (
    "start",
    "step GET",
    "step POST",
    "check answers",
    "send",
    "payment page",
    "payment POST",
    "payment return",
    "confirmation",
)
# Found by a resident's own answers; a plan tries at most this many per page.
MAX_VARIANTS = 24
MAX_PAGES = 40

_addresses = itertools.count(1)
_addresses_lock = threading.Lock()


def new_address() -> str:
    """An X-Real-IP no other resident of this run has (10.128.0.1 on; wrk's are 10.1-2.*):
    the server counts its rate limits by that header (see Command.server_env)."""
    with _addresses_lock:
        n = next(_addresses)
    return f"10.{128 + n // 62500 % 120}.{n // 250 % 250}.{n % 250 + 1}"


def path_of(url: str) -> str:
    """A Location as a path with its query (Django sends paths; a full URL is cut to one)."""
    parts = urllib.parse.urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def step_of(url: str) -> str:
    """The flow step a flow URL is for: its last path segment."""
    return urllib.parse.urlsplit(url).path.rstrip("/").rsplit("/", 1)[-1]


class Client:
    """Plain HTTP to the benchmark's server, keeping cookies by hand (they are Secure, as in
    production, which cookie jars will not send over http://). `ip` is sent as X-Real-IP."""

    def __init__(self, port: int, ip: str = "10.255.0.1") -> None:
        self.port = port
        self.ip = ip
        self.cookies: dict[str, str] = {}

    def request(
        self,
        method: str,
        path: str,
        body: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> Response:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        # The server counts rate limits by X-Real-IP, as behind the proxy (see server_env).
        all_headers = {"Host": f"127.0.0.1:{self.port}", "X-Real-IP": self.ip, **(headers or {})}
        if self.cookies:
            all_headers["Cookie"] = self.cookie_header()
        if body is not None:
            all_headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            conn.request(method, path, body=body, headers=all_headers)
            response = conn.getresponse()
            data = response.read()
        finally:
            conn.close()
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                self.cookies[key.strip()] = rest.split(";", 1)[0]
        return response.status, dict(response.getheaders()), data

    def cookie_header(self) -> str:
        return "; ".join(f"{k}={v}" for k, v in self.cookies.items())


# Canned answers by input type; text boxes get "Benchmark answer" unless named below.
TYPED_ANSWERS = {"email": "resident@example.org", "tel": "01632 960 001", "number": "1"}
# The address pattern's boxes for typing an address by hand: left empty, as a resident who
# chooses from the list leaves them (forms/flows/questions/addresses.py).
MANUAL_ADDRESS = ("-line1", "-line2", "-town", "-manual_postcode")
DATE_PARTS = ("-day", "-month", "-year")


def date_answer(prefix: str, days_from_today: int) -> dict[str, str]:
    day = datetime.date.today() + datetime.timedelta(days=days_from_today)
    return {
        f"{prefix}-day": str(day.day),
        f"{prefix}-month": str(day.month),
        f"{prefix}-year": str(day.year),
    }


class FormParser(HTMLParser):
    """The first POST form of a page: its action and a valid-looking answer for each field
    (`fields`); what radios, checkboxes and selects offer (`options`), the date questions'
    names (`dates`) and the named buttons (`buttons`, e.g. the address pattern's "Find
    address"), so that `variants` can try other answers when the first is refused."""

    def __init__(self, postcode: str = "FE1 1AA") -> None:
        super().__init__()
        self.postcode = postcode
        self.action: str | None = None
        self.fields: dict[str, str] = {}
        self.options: dict[str, list[str]] = {}
        self.dates: list[str] = []
        self.buttons: dict[str, str] = {}
        self.in_form = False
        self.done = False
        self.select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and a.get("method", "").lower() == "post" and not self.done:
            self.in_form, self.action = True, a.get("action", "")
        elif not self.in_form:
            return
        elif tag == "input" and a.get("name"):
            self.input(a["name"], a.get("type", "text"), a)
        elif tag == "textarea" and a.get("name"):
            self.fields.setdefault(a["name"], "It has been there since Monday.")
        elif tag == "select" and a.get("name"):
            self.select = a["name"]
        elif tag == "option" and self.select and a.get("value"):
            self.options.setdefault(self.select, []).append(a["value"])
            self.fields.setdefault(self.select, a["value"])
        elif tag == "button" and a.get("name"):
            self.buttons[a["name"]] = a.get("value", "")

    def input(self, name: str, kind: str, a: dict[str, str]) -> None:
        if kind in ("radio", "checkbox"):
            self.options.setdefault(name, []).append(a.get("value", ""))
        if name in self.fields:
            return
        if kind in ("hidden", "radio", "checkbox"):
            self.fields[name] = a.get("value", "")
        elif kind not in ("text", "email", "tel", "number", "search"):
            return
        elif a.get("value"):  # the page's own answer (a postcode whose addresses are listed)
            self.fields[name] = a["value"]
        elif name.endswith(MANUAL_ADDRESS):
            return
        elif name.endswith(DATE_PARTS):
            prefix = name.rsplit("-", 1)[0]
            if prefix not in self.dates:
                self.dates.append(prefix)
                self.fields.update(date_answer(prefix, -30))
        elif name.endswith("-postcode") or a.get("autocomplete") == "postal-code":
            self.fields[name] = self.postcode
        elif a.get("inputmode") == "numeric":
            self.fields[name] = "1"
        else:
            self.fields[name] = TYPED_ANSWERS.get(kind, "Benchmark answer")

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self.select = None
        elif tag == "form" and self.in_form:
            self.in_form, self.done = False, True

    @property
    def hidden(self) -> dict[str, str]:
        """The fields the page itself fills in: the CSRF token, the step, the journey."""
        names = ("csrfmiddlewaretoken", "journey")
        return {k: v for k, v in self.fields.items() if k in names or k.endswith("current_step")}

    def variants(self) -> Iterator[dict[str, str]]:
        """Answers to try, first to last: every option of each choice, dates in the past then
        in the future (a question may want either)."""
        choices = [[(name, value) for value in values] for name, values in self.options.items()]
        dates = [[(prefix, -30), (prefix, 30)] for prefix in self.dates]
        for combination in itertools.islice(itertools.product(*choices, *dates), MAX_VARIANTS):
            answer: dict[str, str] = {}
            for name, value in combination:
                if isinstance(value, int):
                    answer.update(date_answer(name, value))
                else:
                    answer[name] = str(value)
            yield answer


def post_form(html: str, containing: str = "", postcode: str = "FE1 1AA") -> FormParser | None:
    """The first POST form of `html` that contains `containing`, parsed; only its own markup
    is fed to the parser, which keeps the benchmark's own CPU use small under a surge."""
    for match in re.finditer(r"<form\b[^>]*\bmethod=\"post\"", html, re.IGNORECASE):
        end = html.find("</form>", match.start())
        markup = html[match.start() : end + len("</form>") if end >= 0 else len(html)]
        if containing in markup:
            form = FormParser(postcode)
            form.feed(markup)
            return form
    return None


def flow_form(html: str, postcode: str = "FE1 1AA") -> FormParser | None:
    """A question page's form (an end point's page has none, only the feedback form)."""
    return post_form(html, "current_step", postcode)


def body_of(fields: dict[str, str]) -> str:
    return urllib.parse.urlencode(fields)


class JourneyError(Exception):
    """The site showed a resident who gave valid answers something it should not have."""


@dataclass
class FlowPlan:
    """How to get through one flow: its start page, and for each step the answers (on top of
    FormParser's) that keep going to check your answers."""

    title: str
    start: str
    answers: dict[str, dict[str, str]] = field(default_factory=dict)
    paid: bool = False


class Resident(Client):
    """A resident with a session and an address of their own, who times each page by kind."""

    def __init__(
        self, port: int, postcode: str = "FE1 1AA", think: tuple[float, float] = (0.0, 0.0)
    ) -> None:
        super().__init__(port, ip=new_address())
        self.postcode = postcode
        # Seconds (least, most) the resident spends on a page before clicking on: reading the
        # question, typing the answer. Redirects are followed at once, as a browser does.
        self.think = think
        self.timings: dict[str, list[float]] = {}
        self.token = ""  # the CSRF token of the last form seen

    def timed(self, kind: str, method: str, path: str, body: str | None = None) -> Response:
        started = time.perf_counter()
        response = self.request(method, path, body)
        self.timings.setdefault(kind, []).append(time.perf_counter() - started)
        status = response[0]
        if not 200 <= status < 400:
            raise JourneyError(f"{method} {path.split('?')[0]} ({kind}) answered {status}")
        return response

    def redirected(self, kind: str, path: str, body: str | None = None) -> str:
        """The path a request for `path` (a POST when `body` is given) redirects to."""
        method = "GET" if body is None else "POST"
        if body is not None or kind == "start":  # a person's click, not a redirect followed
            self.pause()
        status, headers, _ = self.timed(kind, method, path, body)
        if status not in (301, 302, 303) or not headers.get("Location"):
            raise JourneyError(f"{method} {path.split('?')[0]} ({kind}): {status}, no redirect")
        return path_of(headers["Location"])

    def pause(self) -> None:
        if self.think[1] > 0:
            time.sleep(random.uniform(*self.think))

    def page(self, kind: str, path: str, marker: str) -> str:
        status, _, data = self.timed(kind, "GET", path)
        html = data.decode("utf-8", "replace")
        if status != 200 or marker not in html:
            raise JourneyError(f"GET {path.split('?')[0]} ({kind}): {status}, not the page meant")
        return html

    def question(self, path: str) -> FormParser:
        """The question page at `path`: its form, which must show no error."""
        html = self.page("step GET", path, "</html>")
        form = flow_form(html, self.postcode)
        if form is None:
            raise JourneyError(f"{path.split('?')[0]} is an end point, not a question")
        if ERROR_SUMMARY in html:
            raise JourneyError(f"{path.split('?')[0]} shows an error where none was made")
        self.token = form.fields.get("csrfmiddlewaretoken", self.token)
        return form

    def start(self, plan: FlowPlan) -> str:
        """Start now: the path of the flow's first question page."""
        return self.redirected("start", plan.start)

    def look_up_address(self, path: str, form: FormParser) -> FormParser:
        """The address pattern, as a resident without JavaScript uses it: the postcode and
        "Find address" (the same page again, with the list), then the page's list."""
        button = form.buttons.get("find_address")
        if button is None or f"{button}-searched" in form.fields:
            return form
        listed = self.redirected(
            "step POST", path, body_of({**form.fields, "find_address": button})
        )
        form = self.question(listed)
        if f"{button}-searched" not in form.fields:
            raise JourneyError(f"{path.split('?')[0]}: Find address listed no addresses")
        return form

    def answer(self, path: str, plan: FlowPlan, learn: bool) -> str:
        """Answer the question page at `path` with the plan's answers (or, learning, with the
        first that keeps going); returns the path of the page it leads to."""
        form = self.look_up_address(path, self.question(path))
        step = step_of(path)
        if step in plan.answers or not learn:
            tries: Iterator[dict[str, str]] = iter([plan.answers.get(step, {})])
        else:
            tries = form.variants()
        for answer in tries:
            following = self.redirected("step POST", path, body_of({**form.fields, **answer}))
            if not learn:
                if step_of(following) == step:  # this page again, with its errors
                    raise JourneyError(f"{step}: a valid answer was refused")
                return following
            if step_of(following) == step:
                continue
            if step_of(following) != CHECK_ANSWERS_STEP:
                status, _, data = self.request("GET", following)
                if status != 200 or flow_form(data.decode("utf-8", "replace")) is None:
                    continue  # an end point: the flow stops there
            plan.answers[step] = answer
            return following
        raise JourneyError(f"{step}: every answer tried was refused or ended the flow")

    def check_answers_path(self, plan: FlowPlan, learn: bool = False) -> str:
        """Answer every question of the flow: the path of its check your answers page."""
        path = self.start(plan)
        for _ in range(MAX_PAGES):
            if step_of(path) == CHECK_ANSWERS_STEP:
                return path
            path = self.answer(path, plan, learn)
        raise JourneyError(f"{plan.title}: no check your answers after {MAX_PAGES} pages")

    def send(self, plan: FlowPlan, learn: bool = False) -> str:
        """Check your answers, Send, pay if the flow is paid: the confirmation page's path."""
        check = self.check_answers_path(plan, learn)
        form = post_form(self.page("check answers", check, 'name="token"'), 'name="token"')
        if form is None:
            raise JourneyError(f"{plan.title}: check your answers has no Send button")
        self.token = form.fields.get("csrfmiddlewaretoken", self.token)
        following = self.redirected("send", check, body_of(form.fields))
        if "/payments/" in following:
            plan.paid = plan.paid or learn
            if not plan.paid:
                raise JourneyError(f"{plan.title}: sent to pay for a free flow")
            following = self.pay(following)
        elif plan.paid:
            raise JourneyError(f"{plan.title}: a paid flow was sent without paying")
        return following

    def pay(self, path: str) -> str:
        """The sandbox's test payment page: pay (no money moves), back to the confirmation."""
        payment = post_form(self.page("payment page", path, SANDBOX_PAY), SANDBOX_PAY)
        if payment is None:
            raise JourneyError("the test payment page has no form")
        body = body_of({**payment.fields, "outcome": "succeed"})
        back = self.redirected("payment POST", path_of(payment.action or path), body)
        return self.redirected("payment return", back)

    def complete(self, plan: FlowPlan, learn: bool = False) -> str:
        """The whole journey, start to confirmation: the reference the resident was given."""
        confirmation = self.send(plan, learn)
        html = self.page("confirmation", confirmation, CONFIRMATION_PANEL)
        found = REFERENCE.search(html)
        if found is None:
            raise JourneyError(f"{plan.title}: the confirmation shows no reference")
        if plan.paid and NOT_PAID_TITLE in html:
            raise JourneyError(f"{plan.title}: paid, but the confirmation says not yet")
        return found.group(1).strip()

    def session_line(self, path: str, body: str = "") -> str:
        """This resident as wrk.lua's BENCH_SESSIONS wants them: "cookie TAB token TAB path
        [TAB body]": each session has its own journey, so its own step URLs and answers."""
        return "\t".join([self.cookie_header(), self.token, path, *([body] if body else [])])


def prepare(count: int, make: Callable[[int], str], workers: int = 8) -> list[str]:
    """`make(i)` for i in range(count), a few at once (each prepares one resident)."""
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(make, range(count)))


@dataclass
class SurgeResult:
    """What the surge's residents saw: each page's time by kind, the journeys that reached
    their confirmation (with its reference) and everything that went wrong."""

    seconds: float = 0.0  # from the first start to the last confirmation
    client_cpu: float = 0.0  # the residents' own CPU seconds (this process, the same cores)
    journeys: int = 0  # confirmations seen
    paid: int = 0
    references: list[str] = field(default_factory=list)
    timings: dict[str, list[float]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)

    def add(self, other: SurgeResult) -> None:
        self.journeys += other.journeys
        self.paid += other.paid
        self.references += other.references
        self.errors += other.errors
        for kind, times in other.timings.items():
            self.timings.setdefault(kind, []).extend(times)

    def percentile(self, kind: str, percent: float) -> float:
        """Milliseconds, nearest rank."""
        times = sorted(self.timings.get(kind, []))
        if not times:
            return 0.0
        return times[min(len(times) - 1, round(percent / 100 * len(times) + 0.5) - 1)] * 1000


def surge(
    port: int,
    plans: list[FlowPlan],
    residents: int,
    seconds: int,
    postcode: str,
    think: tuple[float, float] = (0.0, 0.0),
) -> SurgeResult:
    """`residents` at once, for `seconds`, each going through a whole flow of `plans` (in turn)
    from its start page to its confirmation, again and again. Each journey is a new resident
    (cookies and address of their own), as in a surge of different people: nobody sends
    answers faster than a person could (the site limits each address to 60 a minute). Each
    resident spends `think` seconds (least, most) on a page before clicking on; (0, 0) sends
    the next request as soon as the last is answered, which measures what the site can serve
    rather than how it answers people. A journey begun before the end is finished, so every
    request sent is accounted for."""
    deadline = time.monotonic() + seconds

    def slot(number: int) -> SurgeResult:
        result = SurgeResult()
        for turn in itertools.count():
            if time.monotonic() >= deadline:
                break
            plan = plans[(number + turn) % len(plans)]
            resident = Resident(port, postcode, think)
            try:
                result.references.append(resident.complete(plan))
            except Exception as error:
                # What the site did wrong (JourneyError), a socket's failure, or anything else
                # the resident could not go on from: counted, and the next journey begins.
                result.errors.append(f"{plan.title}: {type(error).__name__}: {error}")
                time.sleep(0.5)  # a server that fails at once must not be hammered
            else:
                result.journeys += 1
                result.paid += plan.paid
            finally:
                for kind, times in resident.timings.items():
                    result.timings.setdefault(kind, []).extend(times)
        return result

    began, cpu = time.monotonic(), resource.getrusage(resource.RUSAGE_SELF)
    total = SurgeResult()
    with ThreadPoolExecutor(max_workers=residents) as pool:
        for result in pool.map(slot, range(residents)):
            total.add(result)
    total.seconds = time.monotonic() - began
    used = resource.getrusage(resource.RUSAGE_SELF)
    total.client_cpu = used.ru_utime + used.ru_stime - cpu.ru_utime - cpu.ru_stime
    return total
