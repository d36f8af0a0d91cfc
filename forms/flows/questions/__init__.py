"""Question types: the fields residents answer, and their answers as kept and shown.

    build_field(question) -> django.forms.Field
    build_step_form(questions, *, name) -> type[StepForm]
    answer_for_storage(question, cleaned) -> JSON-able (None when left empty)
    answer_for_display(question, stored) -> str
    error_anchor(bound_field) -> str
    uploaded_files(question, cleaned) -> list[UploadedFile]

`question` is a StreamField child of `QuestionsBlock` (`.block_type`, `.value`).
"""

from forms.flows.questions.addresses import CHOOSE_ADDRESS_MESSAGES
from forms.flows.questions.api import (
    answer_for_display,
    answer_for_storage,
    build_field,
    error_anchor,
    question_type,
    uploaded_files,
)
from forms.flows.questions.forms import StepForm, build_step_form
from forms.flows.questions.types import QuestionType, question_types

__all__ = [
    "CHOOSE_ADDRESS_MESSAGES",
    "QuestionType",
    "StepForm",
    "answer_for_display",
    "answer_for_storage",
    "build_field",
    "build_step_form",
    "error_anchor",
    "question_type",
    "question_types",
    "uploaded_files",
]
