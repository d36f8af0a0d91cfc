"""A FlowPage's steps as formtools' form list and conditions."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from django.utils.functional import cached_property

from forms.flows.conditions import Condition, answer_keys, holds, labels_by_key, shape_of
from forms.flows.models import FlowPage
from forms.flows.questions import StepForm, build_step_form


class EndPointForm(StepForm):
    """An end point has nothing to answer; the runtime never lets it be sent. A StepForm with
    no questions, so the wizard treats every page's form alike."""

    is_end_point = True


class FlowSteps:
    """Everything the wizard needs to know about one FlowPage's steps, built once a request."""

    def __init__(self, page: FlowPage) -> None:
        self.page = page
        self.steps = {step.value["name"]: step for step in page.steps}
        self.question_step: dict[str, str] = {}
        for step_name, step in self.steps.items():
            for question in page.questions_in(step):
                self.question_step[question.value["name"]] = step_name
        self.shape = shape_of(page.steps)

    @cached_property
    def labels_by_key(self) -> dict[str, dict[str, set[str]]]:
        """{answer name: {option key: its wordings}}, in this flow's language and in its
        source language: an answer given before the resident switched language still counts."""
        shapes = [self.shape]
        source = self.page.source_flow
        if source.pk != self.page.pk:
            shapes.append(shape_of(source.steps))
        return labels_by_key(shapes)

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
        for step in self.shape.steps:
            if step.condition is not None:
                conditions[step.name] = self._condition(step.condition)
        return conditions

    def _condition(self, condition: Condition) -> Callable[[Any], bool]:
        question_name = condition.question

        def check(wizard: Any) -> bool:
            step = self.question_step.get(question_name)
            if step is None or not self.is_shown(wizard, step):
                # An answer kept on a page that is no longer on the resident's path (they went
                # back and changed an earlier answer) no longer counts.
                return False
            form = wizard.answered_form(step)
            if form is None:  # the question's page was skipped or not answered yet
                return False
            chosen = answer_keys(
                form.stored_answers()[question_name], self.labels_by_key.get(question_name, {})
            )
            return holds(condition, chosen)

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
