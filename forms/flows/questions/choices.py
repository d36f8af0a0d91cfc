"""Questions answered by choosing: radios, a select, checkboxes, yes or no, a declaration."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from forms.flows.questions.boundfield import QuestionBoundField
from forms.flows.questions.fields import QuestionField


class OptionsBaseField(QuestionField):
    """What radios, a select and checkboxes share: the editor's options, shown as items."""

    template_name = "flows/questions/radios.html"
    input_classes = ""
    input_error_class = ""

    def __init__(
        self, *, options: list[tuple[str, str, str]], inline: bool = False, **kwargs: Any
    ) -> None:
        self.options = options  # (value, label, hint)
        self.inline = inline
        kwargs.setdefault("widget", forms.RadioSelect)
        super().__init__(**kwargs)
        self.widget.choices = [(value, label) for value, label, _hint in options]

    @property
    def values(self) -> list[str]:
        return [value for value, _label, _hint in self.options]

    def chosen(self, bound_field: QuestionBoundField) -> set[str]:
        value = bound_field.value()
        return {str(value)} if value not in (None, "") else set()

    def template_context(self, bound_field: QuestionBoundField) -> dict[str, Any]:
        chosen = self.chosen(bound_field)
        items = []
        for index, (value, label, hint) in enumerate(self.options):
            item_id = bound_field.auto_id if index == 0 else f"{bound_field.auto_id}-{index + 1}"
            items.append(
                {
                    "id": item_id,
                    "value": value,
                    "label": label,
                    "hint": hint,
                    "hint_id": f"{item_id}-item-hint",
                    "checked": value in chosen,
                }
            )
        return {"items": items, "inline": self.inline}


class OptionsField(OptionsBaseField):
    """Radios or a select: one of the options, cleaned to its value (the option's label)."""

    def to_python(self, value: Any) -> str:
        return "" if value in self.empty_values else str(value)

    def validate(self, value: str) -> None:
        super().validate(value)
        if value and value not in self.values:
            raise ValidationError(self.error_messages["required"], code="invalid_choice")


class SelectField(OptionsField):
    template_name = "flows/questions/select.html"
    input_classes = "govuk-select"
    input_error_class = "govuk-select--error"

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", forms.Select)
        super().__init__(**kwargs)
        self.widget.choices = [("", _("Select an option")), *self.widget.choices]


class CheckboxesField(OptionsBaseField):
    """Any of the options, cleaned to their labels in the order the options are listed."""

    template_name = "flows/questions/checkboxes.html"

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", forms.CheckboxSelectMultiple)
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> list[str]:
        if not value:
            return []
        if isinstance(value, str):
            value = [value]
        chosen = {str(v) for v in value}
        unknown = chosen - set(self.values)
        if unknown:
            raise ValidationError(self.error_messages["required"], code="invalid_choice")
        return [v for v in self.values if v in chosen]

    def chosen(self, bound_field: QuestionBoundField) -> set[str]:
        value = bound_field.value() or []
        if isinstance(value, str):
            value = [value]
        return {str(v) for v in value}


class DeclarationField(QuestionField):
    """One checkbox with the statement the resident confirms; cleaned to True."""

    template_name = "flows/questions/declaration.html"
    input_classes = ""
    input_error_class = ""

    def __init__(self, *, statement: str, **kwargs: Any) -> None:
        self.statement = statement
        kwargs.setdefault("widget", forms.CheckboxInput)
        super().__init__(**kwargs)
        self.widget.use_fieldset = True

    def to_python(self, value: Any) -> bool:
        if isinstance(value, str):
            return value.lower() not in ("", "false", "0")
        return bool(value)

    def validate(self, value: bool) -> None:
        if not value and self.required:
            raise ValidationError(self.error_messages["required"], code="required")

    def template_context(self, bound_field: QuestionBoundField) -> dict[str, Any]:
        return {"statement": self.statement, "checked": bool(self.to_python(bound_field.value()))}
