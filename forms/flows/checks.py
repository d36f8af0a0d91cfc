"""The whole-flow checks an editor's save or publish runs.

Each condition is checked on its own (it names an earlier question with options, and options
that exist), then the flow is walked with every combination of the answers its conditions read,
to find a page or end point nobody can reach and a flow nobody can finish. Errors stop a
publish, next to the step concerned; warnings are shown and never stop anything.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from wagtail.blocks import StreamBlockValidationError, StructBlockValidationError

from forms.flows.conditions import FlowShape, Step, holds

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

    @property
    def step_errors(self) -> list[Problem]:
        return [p for p in self.errors if p.field != "fee_rules"]

    @property
    def fee_errors(self) -> list[Problem]:
        return [p for p in self.errors if p.field == "fee_rules"]

    def for_step(self, index: int) -> list[Problem]:
        return [p for p in self.problems if p.step == index]


# More answer combinations than this are not walked one by one (a flow that branches on many
# long lists); the checks then say so rather than guess what nobody can reach.
MOST_WALKS = 5000


def check_flow(shape: FlowShape, page: Any = None, used: set[str] | None = None) -> Report:
    """Every check on a flow's steps: each condition, then every path through the flow."""
    report = Report()
    for step in shape.steps:
        check_condition(shape, step, report)
    walk(shape, report, lookup=bool(getattr(page, "result_handler", "")))
    check_answers_used(shape, report, used or set())
    check_contact_asked_once(shape, report)
    return report


def check_condition(shape: FlowShape, step: Step, report: Report) -> None:
    condition = step.condition
    if condition is None:
        if step.is_end_point:
            report.problems.append(
                Problem(
                    ERROR,
                    _(
                        "Choose the answer that leads to this end point. Without one, everyone "
                        "stops here."
                    ),
                    step.index,
                    "show_if",
                )
            )
        return
    on, question = shape.question(condition.question)
    problem = None
    if question is None or on is None:
        problem = _(
            "It depends on the answer '%(name)s', which is not in this flow. Choose "
            "an earlier question."
        ) % {"name": condition.question}
    elif on.index >= step.index:
        problem = _(
            "It depends on '%(question)s', which is asked on this page or after it. "
            "A page can only depend on an earlier question."
        ) % {"question": question.label}
    elif not question.is_choice:
        problem = _(
            "It depends on '%(question)s', which has no options to choose from. Choose "
            "a question with options."
        ) % {"question": question.label}
    elif not condition.options:
        problem = _("Choose at least one answer to '%(question)s' that leads here.") % {
            "question": question.label
        }
    else:
        gone = [key for key in condition.options if question.option(key) is None]
        keys = {o.key for o in question.options}
        if gone:
            problem = _(
                "It looks for an answer that is no longer an option of "
                "'%(question)s'. Choose the answers again."
            ) % {"question": question.label}
        elif condition.negate and set(condition.options) >= keys and question.required:
            problem = _(
                "It can never be true: it shows this page when the answer is none of "
                "the options, and residents must choose one."
            )
        elif not condition.negate and set(condition.options) >= keys and question.required:
            report.problems.append(
                Problem(
                    WARNING,
                    _("Every answer leads here: the condition does nothing."),
                    step.index,
                    "show_if",
                )
            )
    if problem:
        report.problems.append(Problem(ERROR, problem, step.index, "show_if"))


def answer_domains(shape: FlowShape) -> list[tuple[str, list[frozenset[str]]]]:
    """For each question a condition reads, the answers worth trying: each option (for
    checkboxes: none, each one, and all), and no answer if the question is optional."""
    read = {s.condition.question for s in shape.steps if s.condition}
    domains = []
    for _step, question in shape.questions():
        if question.name not in read or not question.is_choice:
            continue
        keys = [o.key for o in question.options]
        values = [frozenset({key}) for key in keys]
        if question.many:
            values += [frozenset(keys)]
        if question.many or not question.required:
            values.append(frozenset())
        domains.append((question.name, values))
    return domains


def walk(shape: FlowShape, report: Report, lookup: bool) -> None:
    """Walks the flow with every combination of the answers conditions read, to find the
    pages nobody reaches and whether anybody reaches the end."""
    domains = answer_domains(shape)
    combinations = 1
    for _name, values in domains:
        combinations *= len(values)
    if combinations > MOST_WALKS:
        report.reachable = {s.index for s in shape.steps}
        report.problems.append(
            Problem(
                WARNING,
                _(
                    "This flow has too many branches for the checks to walk every "
                    "one. Check the flow map and preview each branch."
                ),
            )
        )
        return
    report.sendable = False
    asked_on = {q.name: s.index for s, q in shape.questions()}
    for combination in itertools.product(*(values for _name, values in domains)):
        answers = dict(zip((name for name, _v in domains), combination, strict=True))
        shown: set[int] = set()
        ended = False
        for step in shape.steps:
            condition = step.condition
            if condition is not None and not step_shown(condition, answers, asked_on, shown):
                continue
            shown.add(step.index)
            if step.is_end_point:
                ended = True
                break
        report.reachable |= shown
        report.sendable = report.sendable or not ended
    for step in shape.steps:
        if step.index in report.reachable or any(
            p.step == step.index and p.level == ERROR for p in report.problems
        ):
            continue
        if step.is_end_point:
            message = _(
                "No answer leads to this end point: check the condition and the pages before it."
            )
        else:
            message = _(
                "Nobody can reach this page: an end point before it stops everyone, or "
                "its condition can never be true."
            )
        report.problems.append(Problem(ERROR, message, step.index))
    if not report.sendable:
        message = (
            _("Every answer ends at an end point, so nobody reaches the result.")
            if lookup
            else _(
                "Every answer ends at an end point, so nobody can send a request. Make at "
                "least one answer lead past the end points."
            )
        )
        report.problems.append(Problem(ERROR, message))


def step_shown(
    condition: Any, answers: dict[str, frozenset[str]], asked_on: dict[str, int], shown: set[int]
) -> bool:
    # An answer counts only if the resident saw its question on this path.
    if asked_on.get(condition.question) not in shown or condition.question not in answers:
        return False
    return holds(condition, set(answers[condition.question]))


def check_answers_used(shape: FlowShape, report: Report, used: set[str]) -> None:
    """A question nobody at the council needs and nothing in the flow uses: ask only what
    the service needs."""
    read = {s.condition.question for s in shape.steps if s.condition} | used
    for step, question in shape.questions():
        if not question.staff_need and question.name not in read:
            report.problems.append(
                Problem(
                    WARNING,
                    _(
                        "Nothing uses the answer to '%(question)s' and staff do not need it. "
                        "Remove the question, or tick 'Staff need this answer'."
                    )
                    % {"question": question.label},
                    step.index,
                )
            )


def check_contact_asked_once(shape: FlowShape, report: Report) -> None:
    """A "How to hear from us" question asks for the email address and mobile number already:
    an email address question (or a second such question) asks the resident twice."""
    contacts = [(s, q) for s, q in shape.questions() if q.kind == "contact_preference"]
    if not contacts:
        return
    again = [(s, q) for s, q in shape.questions() if q.kind == "email"] + contacts[1:]
    for step, question in again:
        report.problems.append(
            Problem(
                WARNING,
                _(
                    "'%(question)s' asks for contact details twice: '%(contact)s' already asks "
                    "for an email address or mobile number. Remove one of them."
                )
                % {"question": question.label, "contact": contacts[0][1].label},
                step.index,
            )
        )


def steps_error(report: Report, count: int) -> StreamBlockValidationError:
    """The report's errors placed next to the step (and the field) they concern."""
    by_step: dict[int, list[Problem]] = {}
    general = []
    for problem in report.errors:
        if problem.field == "fee_rules":  # shown by the fees, not the steps
            continue
        if problem.step is None or problem.step >= count:
            general.append(problem.message)
        else:
            by_step.setdefault(problem.step, []).append(problem)
    block_errors: dict[int, ValidationError] = {}
    for index, problems in by_step.items():
        fields = {p.field: ValidationError(p.message) for p in problems if p.field}
        rest = [p.message for p in problems if not p.field]
        block_errors[index] = StructBlockValidationError(
            block_errors=fields or None, non_block_errors=rest or None
        )
    return StreamBlockValidationError(block_errors=block_errors, non_block_errors=general)
