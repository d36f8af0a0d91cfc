"""The whole-flow checks an editor's save or publish runs (filled in below)."""

from __future__ import annotations

from dataclasses import dataclass, field

from forms.flows.conditions import FlowShape

ERROR = "error"
WARNING = "warning"


@dataclass
class Problem:
    level: str  # ERROR stops saving a page that would break; WARNING is shown, never stops
    message: str
    step: int | None = None  # the step's index in the flow, or None for the whole flow
    field: str | None = None  # the step's field it concerns, such as "show_if"


@dataclass
class Report:
    problems: list[Problem] = field(default_factory=list)
    reachable: set[int] = field(default_factory=set)  # indices of steps some answers reach
    sendable: bool = True  # some answers reach check your answers

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.level == ERROR]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.level == WARNING]

    def for_step(self, index: int) -> list[Problem]:
        return [p for p in self.problems if p.step == index]


def check_flow(shape: FlowShape, **context: object) -> Report:
    return Report(reachable=set(range(len(shape.steps))))
