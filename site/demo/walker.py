"""Drives a flow through Django's test client as a resident would, with valid answers, choosing
options that keep going past end points. Used by the end-to-end and fuzz tests, and by
`manage.py create_demo_requests` to send the demo resident's requests through the real flows."""

from __future__ import annotations

import datetime
import io
import itertools
import re
from dataclasses import dataclass
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from forms.flows.constants import CHECK_ANSWERS_STEP
from forms.flows.models import FlowPage
from forms.flows.runtime.steps import FlowSteps
from forms.places.models import Property

# Answers the demo's registers accept, first to last: a notice paid once (by an earlier walk of
# the flow, in another language) cannot be paid again, so the next one is tried.
LOOKUP_ANSWERS = {
    "pcn": ["FE12345671", "FE12345672", "FE12345673", "FE12345674", "FE12345675"],
    "council-tax-account": ["51234565"],
}
PATTERN_CANDIDATES = [
    "FE-1234",
    "FE1234",
    "FE12345671",
    "FE1 1AA",
    "AB12 CDE",
    "AB123456C",
    "12345678",
    "A1",
]


def png_upload(name: str = "photo.png") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (20, 20), "red").save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def choice_values(question: Any) -> list[Any]:
    """The answers a resident could pick for a choice question, first to last."""
    kind, value = question.block_type, question.value
    if kind == "yes_no":
        return ["no", "yes"]
    if kind in ("radios", "select"):
        return [option["label"] for option in value["options"]]
    if kind == "checkboxes":
        return [[option["label"]] for option in value["options"]]
    if kind == "short_text" and value.get("lookup") in LOOKUP_ANSWERS:
        return list(LOOKUP_ANSWERS[value["lookup"]])
    return []


@dataclass(frozen=True)
class Contact:
    """Whom the walk's contact questions name."""

    email: str = "resident@example.org"
    mobile: str = ""  # a UK mobile: text messages too


def valid_fields(
    question: Any, field: str, choice: Any = None, contact: Contact | None = None
) -> dict[str, Any]:
    """POST data answering `question` validly (its form field is called `field`)."""
    kind, value = question.block_type, question.value
    today = datetime.date.today()
    contact = contact or Contact()
    if choice is not None:
        return {field: choice}
    if kind == "short_text":
        if value.get("lookup") in LOOKUP_ANSWERS:
            return {field: LOOKUP_ANSWERS[value["lookup"]][0]}
        if value.get("pattern"):
            match = next(c for c in PATTERN_CANDIDATES if re.fullmatch(value["pattern"], c))
            return {field: match}
        return {field: "A" * max(value.get("min_length") or 0, 1) + " test answer"}
    if kind == "long_text":
        return {field: "It has been there since Monday."}
    if kind == "email":
        return {field: contact.email}
    if kind == "uk_phone":
        return {field: "01632 960 001"}
    if kind == "contact_preference":
        if contact.mobile:
            return {
                field: ["email", "sms"],
                f"{field}-email": contact.email,
                f"{field}-mobile": contact.mobile,
            }
        return {field: "email", f"{field}-email": contact.email}
    if kind in ("whole_number", "quantity"):
        return {field: str(value.get("min_value") or 1)}
    if kind == "money":
        return {field: f"{value.get('min_amount') or 10:.2f}"}
    if kind == "date":
        must_be = value.get("must_be") or "any"
        date = today + datetime.timedelta(days=30 if "future" in must_be else -30)
        date = max(date, value.get("earliest") or date)
        date = min(date, value.get("latest") or date)
        return {f"{field}-day": date.day, f"{field}-month": date.month, f"{field}-year": date.year}
    if kind in ("address", "location"):
        place = Property.objects.order_by("uprn").first()
        return {f"{field}-postcode": place.postcode, f"{field}-uprn": place.uprn}
    if kind == "file_upload":
        return {field: png_upload()}
    if kind == "declaration":
        return {field: "yes"}
    raise AssertionError(f"no answer for {kind}")


class FlowWalker:
    """Walks one flow from its start to check your answers (or its result)."""

    def __init__(self, client: Client, flow: FlowPage, contact: Contact | None = None) -> None:
        self.client = client
        self.flow = flow
        self.contact = contact
        self.steps = FlowSteps(flow)
        self.base = flow.url
        self.path: list[tuple[str, dict[str, Any]]] = []

    def step_of(self, url: str) -> str:
        return url[len(self.base) :].split("?")[0].strip("/")

    def variants(self, step: str) -> list[dict[str, Any]]:
        questions = self.flow.questions_in(self.steps.steps[step])
        choices = [[(q, c) for c in choice_values(q)] or [(q, None)] for q in questions]
        variants = []
        for combination in itertools.islice(itertools.product(*choices), 24):
            data = {f"flow-{self.flow.source_flow.pk}-current_step": step}
            for question, choice in combination:
                field = f"{step}-{question.value['name']}"
                data.update(valid_fields(question, field, choice, self.contact))
            variants.append(data)
        return variants

    def post(self, step: str, data: dict[str, Any]):
        return self.client.post(f"{self.base}{step}/", data)

    def walk(self, limit: int = 30) -> str:
        """Answer every page; returns the URL reached (check your answers or the result)."""
        response = self.client.get(self.base)
        assert response.status_code == 302, response.status_code
        url = response["Location"]
        for _ in range(limit):
            step = self.step_of(url)
            if step == CHECK_ANSWERS_STEP:
                return url
            assert not self.steps.is_end_point(step), f"stuck at end point {step}"
            for data in self.variants(step):
                response = self.post(step, data)
                assert response.status_code == 302, (step, response.status_code, data)
                target = self.step_of(response["Location"])
                # (back to the same page: refused, its errors shown there; try the next answer)
                if target != step and not self.steps.is_end_point(target):
                    break
            else:
                raise AssertionError(f"every answer on {step} ends the flow")
            self.path.append((step, data))
            url = response["Location"]
        raise AssertionError("the flow did not end")

    def answer(self, url: str) -> tuple[str, dict[str, Any], str]:
        """Answer the one page at `url` validly (keeping away from end points), as `walk` does;
        returns (step, the data sent, the URL it led to)."""
        step = self.step_of(url)
        for data in self.variants(step):
            response = self.post(step, data)
            assert response.status_code == 302, (step, response.status_code, data)
            target = self.step_of(response["Location"])
            if target != step and not self.steps.is_end_point(target):
                return step, data, response["Location"]
        raise AssertionError(f"every answer on {step} ends the flow")
