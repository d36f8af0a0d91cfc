"""A question's field as the GOV.UK Design System renders it: hint, error message and their ids."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, Protocol

from django.forms import BoundField

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class Question(Protocol):
    """What a question type's field (forms.flows.questions.fields.QuestionMixin) gives its bound
    field. A protocol, so the fields module can use this one without the two importing each
    other."""

    input_classes: str
    input_error_class: str

    def hint_for(self, bound: QuestionBoundField) -> StrOrPromise: ...

    def described_by_first(self, bound: QuestionBoundField) -> Iterable[str]: ...

    def template_context(self, bound: QuestionBoundField) -> dict[str, Any]: ...


class QuestionBoundField(BoundField):
    """What the field-group templates under `flows/questions/` read.

    The hint is `<id>-hint` and the error message `<id>-error`, as GOV.UK Frontend names them,
    and both are listed in `aria-describedby` (on the input, or on the fieldset for grouped
    inputs). The runtime makes a lone question the page heading with
    `field.is_page_heading = True` on the Field.
    """

    field: Question  # type: ignore[assignment]
    # An address question's search (forms.flows.questions.addresses.AddressSearch), kept for
    # the request; typed loosely so this module needs nothing from the address question.
    _address_search: Any

    @property
    def is_page_heading(self) -> bool:
        return bool(getattr(self.field, "is_page_heading", False))

    @property
    def hint(self) -> StrOrPromise:
        """The editor's hint, or what the question type shows instead (a date's example)."""
        return self.field.hint_for(self)

    @property
    def hint_id(self) -> str:
        return f"{self.auto_id}-hint"

    @property
    def error_id(self) -> str:
        return f"{self.auto_id}-error"

    @property
    def error_message(self) -> str:
        """GOV.UK shows one message a question: the first."""
        return str(self.errors[0]) if self.errors else ""

    @property
    def aria_describedby(self) -> str:
        ids = list(self.field.described_by_first(self))
        if self.hint:
            ids.append(self.hint_id)
        if self.errors:
            ids.append(self.error_id)
        return " ".join(ids)

    def build_widget_attrs(self, attrs: dict[str, Any], widget: Any = None) -> dict[str, Any]:
        attrs = super().build_widget_attrs(attrs, widget)
        attrs.pop("required", None)  # the server checks; GOV.UK turns browser validation off
        classes = [self.field.input_classes]
        if self.errors and self.field.input_error_class:
            classes.append(self.field.input_error_class)
        attrs["class"] = " ".join(c for c in classes if c)
        return attrs

    def get_context(self) -> dict[str, Any]:
        return {"field": self, **self.field.template_context(self)}
