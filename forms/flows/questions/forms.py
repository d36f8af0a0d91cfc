"""The form a question page shows: one field a question, named by the question's answer name."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile

from forms.flows.questions.api import (
    answer_for_storage,
    build_field,
    error_anchors,
    uploaded_files,
)


class StepForm(forms.Form):
    """A question page's form; `build_step_form` makes one class a page.

    No `required` attribute (nor any other HTML5 validation): GOV.UK pages are `novalidate`
    and the server's messages are the ones residents read."""

    use_required_attribute = False
    # Answer names are lower-case identifiers, so these underscored names never clash.
    _questions: tuple[Any, ...] = ()
    _step_name = ""

    def stored_answers(self) -> dict[str, Any]:
        """Each answer as `answer_for_storage` keeps it, by answer name (after is_valid())."""
        return {
            q.value["name"]: answer_for_storage(q, self.cleaned_data.get(q.value["name"]))
            for q in self._questions
        }

    def uploaded_files(self) -> dict[str, UploadedFile]:
        """The files sent on this page, by answer name (after is_valid())."""
        return {
            q.value["name"]: file
            for q in self._questions
            for file in uploaded_files(q, self.cleaned_data.get(q.value["name"]))
        }

    def error_summary(self) -> list[tuple[str, str]]:
        """(element id, message) for GOV.UK's error summary: the questions' errors in the order
        of the questions, then the page's own (no element to go to: id "")."""
        return [
            (anchor, str(message))
            for name in self.fields
            for anchor, message in zip(error_anchors(self[name]), self[name].errors, strict=True)
        ] + [("", str(message)) for message in self.non_field_errors()]


def form_class_name(step_name: str) -> str:
    """'your-details' -> 'YourDetailsForm'."""
    words = re.split(r"[^A-Za-z0-9]+", step_name)
    return "".join(word.capitalize() for word in words if word) + "Form"


def build_step_form(questions: Iterable[Any], *, name: str) -> type[StepForm]:
    """A form class for one question page: a field a question, in order, named by answer name."""
    questions = tuple(questions)
    attrs: dict[str, Any] = {q.value["name"]: build_field(q) for q in questions}
    attrs.update({"_questions": questions, "_step_name": name, "__module__": __name__})
    return type(form_class_name(name), (StepForm,), attrs)
