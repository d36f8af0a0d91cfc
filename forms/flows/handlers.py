"""Code for what editors cannot express: fees, look-ups, look-up results and after-send actions.

A flow names a handler by its id; the runtime finds it in one of these registries:

- `fees`: `calculate(answers) -> FeeQuote` works out what a resident pays;
- `lookups`: `check(value, question) -> dict` checks an answer against council records and
  raises `LookupFailed` with the resident's error message when it does not match;
- `results`: `show(answers) -> LookupResult` answers a look-up flow without saving anything;
- `actions`: `run(submission) -> list[str]` runs after a request is saved and returns
  sentences for "what happens next".
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any, Protocol

from core.registry import Registry


class LookupFailed(Exception):  # noqa: N818 - reads as what happened, in handlers and tests
    """An answer did not match the council's records; the message is shown to the resident."""


@dataclass
class FeeQuote:
    """What a resident will pay, in pence, with the lines that add up to it."""

    total_pence: int
    lines: list[tuple[str, int]] = field(default_factory=list)


@dataclass
class LookupResult:
    """What a look-up flow shows: a heading, facts as (key, value) rows and a closing note."""

    heading: str
    rows: list[tuple[str, str]] = field(default_factory=list)
    note: str = ""


class FeeCalculator(Protocol):
    title: str

    def calculate(self, answers: dict[str, Any]) -> FeeQuote: ...


class Lookup(Protocol):
    title: str

    def check(self, value: Any, question: Any = None) -> dict[str, Any]: ...


class ResultPage(Protocol):
    title: str

    def show(self, answers: dict[str, Any]) -> LookupResult: ...


class SentRequest(Protocol):
    """What an action is given: a saved request (a forms.flows.models.Submission, which this
    bottom module may not import)."""

    @property
    def pk(self) -> Any: ...

    @property
    def reference(self) -> str: ...

    @property
    def created_at(self) -> datetime.datetime: ...

    def answer(self, name: str) -> Any: ...


class Action(Protocol):
    title: str

    def run(self, submission: SentRequest) -> list[str]: ...


fees: Registry[FeeCalculator] = Registry("fees")
lookups: Registry[Lookup] = Registry("lookups")
results: Registry[ResultPage] = Registry("results")
actions: Registry[Action] = Registry("actions")
