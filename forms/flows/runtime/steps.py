"""A FlowPage's steps as formtools' form list and conditions."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from django.utils.translation import gettext as _

from forms.flows.models import FlowPage
from forms.flows.questions import StepForm, build_step_form


class EndPointForm(StepForm):
    """An end point has nothing to answer; the runtime never lets it be sent. A StepForm with
    no questions, so the wizard treats every page's form alike."""

    is_end_point = True


def answer_matches(answer: Any, expected: str) -> bool:
    """Whether a stored answer equals the condition's value (any of them, for checkboxes)."""
    if answer is None:
        return False
    expected = expected.strip().casefold()
    # "yes"/"no" answers are stored in English whatever the language; a translated condition
    # may say "Tak" or "Nie".
    expected = {_("Yes").casefold(): "yes", _("No").casefold(): "no"}.get(expected, expected)
    if isinstance(answer, list):
        return any(str(a).strip().casefold() == expected for a in answer)
    if isinstance(answer, bool):
        return expected in ({"yes", "true"} if answer else {"no", "false"})
    return str(answer).strip().casefold() == expected


class FlowSteps:
    """Everything the wizard needs to know about one FlowPage's steps, built once a request."""

    def __init__(self, page: FlowPage) -> None:
        self.page = page
        self.steps = {step.value["name"]: step for step in page.steps}
        self.question_step: dict[str, str] = {}
        for step_name, step in self.steps.items():
            for question in page.questions_in(step):
                self.question_step[question.value["name"]] = step_name

    def form_list(self) -> OrderedDict[str, type[StepForm]]:
        form_list: OrderedDict[str, type[StepForm]] = OrderedDict()
        for name, step in self.steps.items():
            if step.block_type == "end_point":
                form_list[name] = EndPointForm
            else:
                form_list[name] = build_step_form(list(step.value["questions"]), name=name)
        return form_list

    def condition_dict(self) -> dict[str, Callable[[Any], bool]]:
        conditions = {}
        for name, step in self.steps.items():
            condition = step.value["show_if"]
            if condition and condition.get("question"):
                conditions[name] = self._condition(condition)
        return conditions

    def _condition(self, condition: Any) -> Callable[[Any], bool]:
        question_name = condition["question"]
        expected = condition.get("answer") or ""
        negate = bool(condition.get("negate"))

        def check(wizard: Any) -> bool:
            step = self.question_step.get(question_name)
            if step is None or not self.is_shown(wizard, step):
                # An answer kept on a page that is no longer on the resident's path (they went
                # back and changed an earlier answer) no longer counts.
                return False
            form = wizard.answered_form(step)
            if form is None:  # the question's page was skipped or not answered yet
                return False
            matches = answer_matches(form.stored_answers()[question_name], expected)
            return matches != negate

        return check

    @staticmethod
    def is_shown(wizard: Any, step_name: str) -> bool:
        """Whether the step is on the resident's path with their answers as they are now."""
        condition = wizard.condition_dict.get(step_name, True)
        return bool(condition(wizard) if callable(condition) else condition)

    def is_end_point(self, step_name: str) -> bool:
        step = self.steps.get(step_name)
        return step is not None and step.block_type == "end_point"

    def _has(self, step_name: str, *block_types: str) -> bool:
        step = self.steps.get(step_name)
        return step is not None and any(
            q.block_type in block_types for q in self.page.questions_in(step)
        )

    def has_files(self, step_name: str) -> bool:
        return self._has(step_name, "file_upload")

    def finds_addresses(self, step_name: str) -> bool:
        return self._has(step_name, "address", "location")
