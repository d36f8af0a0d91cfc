"""Plans the browser suite's journeys: run once a session, in a subprocess, against the suite's
own database (`python -m tests.browser.planner <plan.json>` with the browser settings).

For every demo flow, in every language the suite checks, it finds with Django's test client a
set of walks that together reach every step and every end point, with the answers of the
demo-flow walk (site/demo/walker.py), and the invalid answer that shows each step's error
summary. It also picks the pages to check (a category, a service of every kind) and sends one
request whose reference "track your request" can find. The browser then replays the walks,
filling in and clicking as a resident would; this module only decides what to type.

The client goes as the browser does (Post/Redirect/Get): each walk starts a journey at the
flow's own address, every answer is posted from the step's URL in that journey (`?journey=`,
and the form's hidden `journey` field) and is answered with a redirect, whose page is then
fetched: the same step showing the error summary for a refused answer, else the next page.
The plan's step URLs carry no journey: the browser's session has journeys of its own.
"""

from __future__ import annotations

import itertools
import json
import os
import re
import sys
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

ROOT = Path(__file__).resolve().parents[2]
LANGUAGES = {"": "en-gb", "/ar": "ar"}  # URL prefix: Wagtail locale
FILE = "__file__"  # marks an upload in the JSON: {"__file__": "photo.png"}
ERROR_SUMMARY = b"govuk-error-summary"
JOURNEY = "journey"  # the journey's key: in step URLs' query strings and a hidden form field


def setup_django() -> None:
    for folder in (str(ROOT), str(ROOT / "site")):
        if folder not in sys.path:
            sys.path.insert(0, folder)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "council.settings.browser")
    import django

    django.setup()


def upload(name: str) -> Any:
    """A fresh upload for a JSON file marker: the walker's PNG, or a text file (refused)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from demo.walker import png_upload

    if name.endswith(".png"):
        return png_upload(name)
    return SimpleUploadedFile(name, b"Not a photo or a document.", content_type="text/plain")


def to_json(data: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for key, value in data.items():
        if hasattr(value, "read"):
            out[key] = {FILE: value.name}
        elif isinstance(value, int | float):
            out[key] = str(value)
        else:
            out[key] = value
    return out


def to_post(data: dict[str, Any]) -> dict[str, Any]:
    return {
        key: upload(value[FILE]) if isinstance(value, dict) else value
        for key, value in data.items()
    }


class Journey:
    """One journey through a flow in Django's test client, made as the browser makes it: begun
    at the flow's own address (in a new session), each answer posted from its step's URL in the
    journey, with the form's hidden fields, and each redirect followed by a GET."""

    def __init__(self, base: str) -> None:
        from django.test import Client

        self.client = Client()
        self.base = base
        self.key = ""
        self.step_field = ""  # the wizard's own field, named after the page serving the flow

    def step_of(self, url: str) -> str:
        path = urlsplit(url).path
        assert path.startswith(self.base), (url, self.base)
        return path[len(self.base) :].strip("/")

    def url(self, step: str) -> str:
        """The step's URL in this journey, as the runtime's links and forms give it."""
        return f"{self.base}{step}/?{urlencode({JOURNEY: self.key})}"

    def start(self) -> str:
        """A new session, then the flow's own address ("Start now"): a new journey, redirected
        to its first step. Returns the first step's URL."""
        from forms.flows import journeys

        assert journeys.PARAMETER == JOURNEY, journeys.PARAMETER
        self.client.cookies.clear()
        response = self.client.get(f"{self.base}?reset=1")
        assert response.status_code == 302, (self.base, response.status_code)
        url = response["Location"]
        self.key = (parse_qs(urlsplit(url).query).get(JOURNEY) or [""])[0]
        assert self.key, f"{self.base}: the first step's URL has no journey ({url})"
        first = self.show(url).decode()
        # (for an alias, the page it is an alias of)
        self.step_field = re.search(r'name="(flow-\d+-current_step)"', first).group(1)
        hidden = re.search(rf'name="{JOURNEY}" value="([^"]*)"', first)
        assert hidden, f"{url}: the form has no journey field"
        assert hidden.group(1) == self.key, f"{url}: the form is for another journey"
        return url

    def post(self, step: str, data: dict[str, Any], *, wizard: bool = True) -> str:
        """Sends the step's form with `data` (as in the plan's JSON) and returns where the
        answer redirects to (Post/Redirect/Get: every answer is a redirect), in the journey."""
        fields = {JOURNEY: self.key, **({self.step_field: step} if wizard else {})}
        response = self.client.post(self.url(step), {**fields, **to_post(data)})
        assert response.status_code == 302, (self.url(step), response.status_code, data)
        location = response["Location"]
        if wizard:  # a question page's answer leads to a page of the same journey
            assert f"{JOURNEY}={self.key}" in location, (self.url(step), location)
        return location

    def show(self, url: str) -> bytes:
        """The page at `url` as the browser GETs it after a redirect: a page, not another
        redirect."""
        response = self.client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        return response.content


class FlowPlanner:
    """The walks through one flow (one language) that reach all its steps and end points."""

    def __init__(self, flow: Any, paid: set[str] | None = None) -> None:
        from forms.flows.runtime.steps import FlowSteps

        self.flow = flow
        # Look-up answers (a parking fine's number) that the browser pays for in the walk of
        # another language: the register refuses a notice paid once, so this walk takes
        # another while there is one. Updated with this flow's own by `plan`.
        self.paid = paid if paid is not None else set()
        self.steps = FlowSteps(flow)
        self.base = flow.url
        self.journey = Journey(self.base)
        self.order = list(self.steps.steps)
        self.error_data: dict[str, dict[str, Any]] = {}

    def constraints(self, step_name: str) -> dict[str, Any]:
        """The answers a walk must give for `step_name` to be shown: its condition, and the
        conditions of the pages those questions are on."""
        condition = self.steps.shape.step(step_name).condition
        if condition is None:
            return {}
        found = self.constraints(self.steps.question_step[condition.question])
        found[condition.question] = condition
        return found

    def variants(self, step: str, constraints: dict[str, Any]) -> list[dict]:
        """The walker's valid answers for the page, keeping to the walk's constraints."""
        from demo.walker import choice_values, valid_fields
        from forms.flows.conditions import answer_keys, holds

        per_question = []
        for question in self.flow.questions_in(self.steps.steps[step]):
            name = question.value["name"]
            field = f"{step}-{name}"
            wanted = constraints.get(name)
            choices = choice_values(question)
            if question.value.get("lookup"):
                choices = [c for c in choices if c not in self.paid] or choices
            if choices:
                if wanted:
                    labels = self.steps.labels_by_key.get(name, {})
                    choices = [c for c in choices if holds(wanted, answer_keys(c, labels))]
                options = [valid_fields(question, field, c) for c in choices]
            elif wanted and not wanted.negate and wanted.options:
                # A number whose short range is its options (1 or 2 permits): its key is it.
                options = [{field: wanted.options[0]}]
            else:
                options = [valid_fields(question, field)]
            per_question.append(options)
        variants = []
        for combination in itertools.islice(itertools.product(*per_question), 24):
            data: dict[str, Any] = {}
            for part in combination:
                data.update(part)
            variants.append(data)
        return variants

    def invalid_candidates(self, step: str) -> list[dict[str, Any]]:
        """Answers that show the error summary: nothing at all, else a wrong optional answer."""
        candidates: list[dict[str, Any]] = [{}]
        for question in self.flow.questions_in(self.steps.steps[step]):
            kind, value = question.block_type, question.value
            field = f"{step}-{value['name']}"
            if kind in ("short_text", "long_text"):
                if value.get("max_length"):
                    candidates.append({field: "x" * (value["max_length"] + 1)})
                if value.get("pattern"):
                    candidates.append({field: "!!"})
            elif kind == "file_upload":
                candidates.append({field: {FILE: "notes.txt"}})
            elif kind in ("whole_number", "quantity", "money"):
                candidates.append({field: "lots"})
            elif kind == "uk_phone":
                candidates.append({field: "12"})
            elif kind == "email":
                candidates.append({field: "resident at example"})
            elif kind == "contact_preference":
                candidates.append({field: "email", f"{field}-email": "resident at example"})
            elif kind == "date":
                candidates.append({f"{field}-day": "32", f"{field}-month": "13"})
        return candidates

    def find_error_data(self, step: str) -> dict[str, Any]:
        """An answer the step refuses: it redirects to the same step, which shows the error
        summary."""
        for candidate in self.invalid_candidates(step):
            location = self.journey.post(step, to_json(candidate))
            if self.journey.step_of(location) != step:
                continue  # accepted (nothing, on a page of optional questions)
            if ERROR_SUMMARY in self.journey.show(location):
                return candidate
        raise AssertionError(f"{self.base}{step}/: no answer shows the error summary")

    def find_addresses(self, step: str, data: dict[str, Any]) -> list[str]:
        """The address questions whose postcode the browser types, then "Find address": the
        same step again, with the addresses to choose from and no error summary."""
        finds = sorted(key.removesuffix("-postcode") for key in data if key.endswith("-postcode"))
        for name in finds:
            postcode = {f"{name}-postcode": data[f"{name}-postcode"], "find_address": name}
            location = self.journey.post(step, postcode)
            assert self.journey.step_of(location) == step, (step, name, location)
            shown = self.journey.show(location)
            assert f'name="{name}-uprn"'.encode() in shown, (location, "no addresses shown")
            assert ERROR_SUMMARY not in shown, (location, "an error after Find address")
        return finds

    def walk(self, target: str) -> dict[str, Any]:
        """From the start to check your answers (or to `target`, an end point), giving the
        answers `target` needs to be shown."""
        from forms.flows.constants import CHECK_ANSWERS_STEP

        constraints = self.constraints(target)
        url = self.journey.start()
        path: list[dict[str, Any]] = []
        for _ in range(40):
            step = self.journey.step_of(url)
            if step == CHECK_ANSWERS_STEP or self.steps.is_end_point(step):
                return {"target": target, "steps": path, "end": step}
            entry: dict[str, Any] = {"step": step, "url": f"{self.base}{step}/"}
            if step not in self.error_data:
                self.error_data[step] = to_json(self.find_error_data(step))
            for variant in self.variants(step, constraints):
                data = to_json(variant)
                location = self.journey.post(step, data)
                reached = self.journey.step_of(location)
                if reached == step:
                    continue  # refused: its errors shown on its own page
                if reached == target or not self.steps.is_end_point(reached):
                    break
            else:
                raise AssertionError(f"{url}: every answer ends the flow or is refused")
            entry["data"] = data
            entry["finds"] = self.find_addresses(step, data)
            if entry["finds"]:  # then the answer again, as the browser sends it after them
                location = self.journey.post(step, data)
                assert location == self.journey.url(reached), (url, location, reached)
            # The page the answer leads to, without an error.
            assert ERROR_SUMMARY not in self.journey.show(location), (location, "an error")
            path.append(entry)
            url = location
        raise AssertionError(f"{self.base}: the walk did not end")

    def plan(self) -> dict[str, Any]:
        walks: list[dict[str, Any]] = []
        seen: set[str] = set()
        for target in self.order:
            if target in seen:
                continue
            walk = self.walk(target)
            reached = {s["step"] for s in walk["steps"]} | {walk["end"]}
            assert target in reached, f"{self.base}: no walk reaches {target}"
            seen |= reached
            walks.append(walk)
        walks = self.in_browser_order(walks)
        if self.flow.has_fee:  # the last walk is sent, and paid for
            self.paid.update(self.lookup_answers(walks[-1]))
        return self.describe(walks)

    def lookup_answers(self, walk: dict[str, Any]) -> set[str]:
        """The walk's answers to questions looked up in a register."""
        found = set()
        for entry in walk["steps"]:
            for question in self.flow.questions_in(self.steps.steps[entry["step"]]):
                value = entry["data"].get(f"{entry['step']}-{question.value['name']}")
                if question.value.get("lookup") and isinstance(value, str):
                    found.add(value)
        return found

    @staticmethod
    def in_browser_order(walks: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """The order the browser replays the walks in, in one session, as a resident who goes
        back and changes an answer: the walk that is sent last (sending ends the session's
        answers); each other walk from the first page where it differs from the one before
        (`resume`); a page's first visit (`first`) is where its empty and wrong answers are
        tried, before anything is saved for it."""
        from forms.flows.constants import CHECK_ANSWERS_STEP

        sent = max(i for i, w in enumerate(walks) if w["end"] == CHECK_ANSWERS_STEP)
        walks = [*walks[:sent], *walks[sent + 1 :], walks[sent]]
        visited: set[str] = set()
        previous: list[dict[str, Any]] = []
        for walk in walks:
            steps = walk["steps"]
            same = [
                a["step"] == b["step"] and a["data"] == b["data"]
                for a, b in zip(steps, previous, strict=False)
            ]
            walk["resume"] = same.index(False) if False in same else len(same)
            assert walk["resume"] < len(steps), walk
            for entry in steps:
                entry["first"] = entry["step"] not in visited
                visited.add(entry["step"])
            previous = steps
        return walks

    def describe(self, walks: list[dict[str, Any]]) -> dict[str, Any]:
        return {
            "slug": self.flow.get_parent().slug,
            "url": self.base,
            "step_field": self.journey.step_field,
            "service_url": self.flow.get_parent().url,
            "fee": self.flow.has_fee,
            "result": bool(self.flow.result_handler),
            "steps": self.order,
            "end_points": [s for s in self.order if self.steps.is_end_point(s)],
            "walks": walks,
            "errors": self.error_data,
        }


def send_request(flow_plan: dict[str, Any]) -> dict[str, str]:
    """Sends the flow's main walk (free, no look-up) and returns the reference and email."""
    from forms.flows.constants import CHECK_ANSWERS_STEP
    from forms.flows.models import Submission

    journey = Journey(flow_plan["url"])
    walk = next(w for w in flow_plan["walks"] if w["end"] == CHECK_ANSWERS_STEP)
    url = journey.start()
    for entry in walk["steps"]:
        assert journey.step_of(url) == entry["step"], (url, entry["step"])
        url = journey.post(entry["step"], entry["data"])
    assert journey.step_of(url) == CHECK_ANSWERS_STEP, url
    check = journey.show(url)
    token = re.search(rb'name="token" value="([^"]+)"', check).group(1).decode()
    confirmation = journey.post(CHECK_ANSWERS_STEP, {"token": token}, wizard=False)
    assert journey.step_of(confirmation) == "confirmation", confirmation
    submission = Submission.objects.get(idempotency_key=token)
    assert submission.reference.encode() in journey.show(confirmation), confirmation
    return {"reference": submission.reference, "email": submission.contact_email}


def pages(locale: Any) -> dict[str, str]:
    """Pages to check besides the flows: a category, a standard page (such as the accessibility
    statement) and a service of every kind."""
    from forms.flows.models import FlowPage
    from home.models import HomePage, StandardPage
    from services.models import CategoryPage, ServiceKind, ServicePage

    found = {
        "home": HomePage.objects.live().get(locale=locale).url,
        "category": CategoryPage.objects.live().filter(locale=locale).order_by("path")[0].url,
        "standard": StandardPage.objects.live().filter(locale=locale).order_by("path")[0].url,
    }
    services = ServicePage.objects.live().filter(locale=locale).order_by("path")
    for kind in ServiceKind.values:
        # A service with an online flow where there is one: its page has "Start now".
        of_kind = list(services.filter(kind=kind))
        with_flow = [s for s in of_kind if FlowPage.objects.child_of(s).live().exists()]
        found[f"service-{kind}"] = (with_flow or of_kind)[0].url
    return found


def main(out: str) -> None:
    setup_django()
    from wagtail.models import Locale

    from forms.flows.models import FlowPage

    plan: dict[str, Any] = {"languages": {}}
    paid: set[str] = set()  # (see FlowPlanner.paid)
    for prefix, code in LANGUAGES.items():
        locale = Locale.objects.get(language_code=code)
        flows = FlowPage.objects.live().filter(locale=locale).order_by("path")
        plan["languages"][prefix] = {
            "pages": pages(locale),
            "flows": {f["slug"]: f for f in (FlowPlanner(flow, paid).plan() for flow in flows)},
        }
    english = plan["languages"][""]["flows"]
    free = next(f for f in english.values() if not f["fee"] and not f["result"])
    plan["track"] = send_request(free)
    Path(out).write_text(json.dumps(plan, indent=1))


if __name__ == "__main__":
    main(sys.argv[1])
