"""What the runtime asks of a question: its field, and its answer kept and shown."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext

from forms.flows.questions.fields import QuestionMixin
from forms.flows.questions.types import QuestionType, question_types


def question_type(question: Any) -> QuestionType:
    """The type of a StreamField child of QuestionsBlock."""
    kind = question_types.get(question.block_type)
    if kind is None:
        raise ValueError(f"No question type is registered as {question.block_type!r}")
    return kind


def build_field(question: Any) -> QuestionMixin:
    """The form field that asks `question` (a StreamField child of QuestionsBlock)."""
    return question_type(question).build_field(question.value)


def is_empty(cleaned: Any) -> bool:
    return cleaned is None or (isinstance(cleaned, str | list | tuple | dict) and not cleaned)


def answer_for_storage(question: Any, cleaned: Any) -> Any:
    """The cleaned answer as JSON, in the shape fee rules and lookups expect; None if empty."""
    if is_empty(cleaned):
        return None
    return question_type(question).for_storage(question.value, cleaned)


def answer_for_display(question: Any, stored: Any) -> str:
    """The stored answer as plain text for check-your-answers and emails."""
    if stored is None:
        return gettext("Not answered")
    return question_type(question).for_display(question.value, stored)


def error_anchor(bound_field: forms.BoundField) -> str:
    """The id of the element an error summary link should move to."""
    anchor = getattr(bound_field.field, "error_anchor", None)
    return anchor(bound_field) if anchor else bound_field.id_for_label or bound_field.auto_id


def error_anchors(bound_field: forms.BoundField) -> list[str]:
    """The id each of the field's messages links to, in order: a question with boxes of its
    own (how to hear from us) links each message to its box; the others link every message to
    `error_anchor`."""
    anchors = getattr(bound_field.field, "error_anchors", None)
    found = list(anchors(bound_field)) if anchors else []
    if len(found) != len(bound_field.errors):
        return [error_anchor(bound_field)] * len(bound_field.errors)
    return found


def uploaded_files(question: Any, cleaned: Any) -> list[UploadedFile]:
    """The files a question's answer carries (a file_upload's file), to store with the request."""
    if is_empty(cleaned):
        return []
    return question_type(question).files(cleaned)
