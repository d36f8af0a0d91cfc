"""The question types: how each is asked (a form field), kept (JSON) and shown (plain text).

One `QuestionType` a block type, in the `question_types` registry; adding a type is a block in
`blocks.py` and a class here, with no `if block_type == ...` anywhere else.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.money import format_pence
from core.registry import Registry
from forms.flows.questions.addresses import CHOOSE_OR_DESCRIBE, AddressField, LocationField
from forms.flows.questions.choices import (
    CheckboxesField,
    DeclarationField,
    OptionsBaseField,
    OptionsField,
    SelectField,
)
from forms.flows.questions.contact import SELECT_HOW, ContactPreferenceField, display_lines
from forms.flows.questions.dates import DateField, format_date
from forms.flows.questions.fields import (
    EmailField,
    LongTextField,
    MoneyField,
    QuestionMixin,
    TextField,
    UKPhoneField,
    WholeNumberField,
)
from forms.flows.questions.uploads import FileUploadField, format_size

ENTER_AN_ANSWER = _('Enter an answer to "{label}"')
SELECT_AN_OPTION = _('Select an option for "{label}"')


class QuestionType:
    """How one type of question is asked, kept and shown."""

    field_class: type[QuestionMixin] = TextField
    required_default: Any = ENTER_AN_ANSWER

    # override

    def field_options(self, value: Any) -> dict[str, Any]:
        """The type's own settings as keyword arguments for `field_class`."""
        return {}

    def for_storage(self, value: Any, cleaned: Any) -> Any:
        """The answer as JSON, given a cleaned value that is not empty."""
        return cleaned

    def for_display(self, value: Any, stored: Any) -> str:
        """The stored answer as plain text, given one that is not None."""
        return str(stored)

    def files(self, cleaned: Any) -> list[UploadedFile]:
        return []

    # helpers

    def build_field(self, value: Any) -> QuestionMixin:
        label = value.get("label") or ""
        required_message = value.get("required_message") or format_lazy(
            self.required_default, label=label
        )
        return self.field_class(
            label=label,
            help_text=value.get("hint") or "",
            required=bool(value.get("required")),
            error_messages={"required": required_message},
            rule_message=value.get("rule_message") or "",
            lookup=value.get("lookup") or "",
            question=value,
            **self.field_options(value),
        )


question_types: Registry[QuestionType] = Registry("question types")


def register(block_type: str) -> Callable[[type[QuestionType]], type[QuestionType]]:
    """Register one instance of the decorated class for `block_type`."""

    def decorator(cls: type[QuestionType]) -> type[QuestionType]:
        question_types.register(block_type)(cls())
        return cls

    return decorator


@register("short_text")
class ShortText(QuestionType):
    def field_options(self, value: Any) -> dict[str, Any]:
        return {
            "min_length": value.get("min_length"),
            "max_length": value.get("max_length"),
            "pattern": value.get("pattern") or "",
            "width": value.get("width") or "full",
        }


@register("long_text")
class LongText(QuestionType):
    field_class = LongTextField

    def field_options(self, value: Any) -> dict[str, Any]:
        return {"max_length": value.get("max_length")}


@register("email")
class Email(QuestionType):
    field_class = EmailField


@register("uk_phone")
class UKPhone(QuestionType):
    field_class = UKPhoneField


@register("contact_preference")
class ContactPreference(QuestionType):
    """Email, text message, both or no updates: the request's contact details when a flow has
    one (forms.flows.runtime.submit.contact_details)."""

    field_class = ContactPreferenceField
    required_default = SELECT_HOW

    def for_display(self, value: Any, stored: Any) -> str:
        return "\n".join(display_lines(stored))


@register("whole_number")
class WholeNumber(QuestionType):
    field_class = WholeNumberField

    def field_options(self, value: Any) -> dict[str, Any]:
        return {"min_value": value.get("min_value"), "max_value": value.get("max_value")}


@register("quantity")
class Quantity(WholeNumber):
    def field_options(self, value: Any) -> dict[str, Any]:
        return {**super().field_options(value), "unit": value.get("unit") or ""}

    def for_display(self, value: Any, stored: Any) -> str:
        # The number alone: the question already names the thing counted ("How many bins?"),
        # and an editor's unit is one word for every number, so "1 bins" in English, and
        # wrong for most numbers in Welsh, Polish and Arabic. The unit stays beside the box.
        return str(stored)


@register("money")
class Money(QuestionType):
    field_class = MoneyField

    def field_options(self, value: Any) -> dict[str, Any]:
        return {"min_amount": value.get("min_amount"), "max_amount": value.get("max_amount")}

    def for_display(self, value: Any, stored: Any) -> str:
        return format_pence(stored)


@register("date")
class Date(QuestionType):
    field_class = DateField

    def field_options(self, value: Any) -> dict[str, Any]:
        return {
            "must_be": value.get("must_be") or "any",
            "earliest": value.get("earliest"),
            "latest": value.get("latest"),
        }

    def for_storage(self, value: Any, cleaned: Any) -> Any:
        return cleaned.isoformat()

    def for_display(self, value: Any, stored: Any) -> str:
        return format_date(datetime.date.fromisoformat(stored))


def options_of(value: Any) -> list[tuple[str, str, str]]:
    """(value, label, hint) for each option; an option's value is its label."""
    return [
        (option["label"], option["label"], option.get("hint") or "")
        for option in value.get("options") or []
    ]


@register("radios")
class Radios(QuestionType):
    field_class: type[OptionsBaseField] = OptionsField
    required_default = SELECT_AN_OPTION

    def field_options(self, value: Any) -> dict[str, Any]:
        return {"options": options_of(value)}


@register("select")
class Select(Radios):
    field_class = SelectField


@register("checkboxes")
class Checkboxes(Radios):
    field_class = CheckboxesField

    def for_storage(self, value: Any, cleaned: Any) -> Any:
        return list(cleaned)

    def for_display(self, value: Any, stored: Any) -> str:
        return "\n".join(str(item) for item in stored)


@register("yes_no")
class YesNo(QuestionType):
    field_class = OptionsField
    required_default = _('Select yes or no for "{label}"')

    def field_options(self, value: Any) -> dict[str, Any]:
        return {"options": [("yes", _("Yes"), ""), ("no", _("No"), "")], "inline": True}

    def for_display(self, value: Any, stored: Any) -> str:
        return gettext("Yes") if stored == "yes" else gettext("No")


@register("declaration")
class Declaration(QuestionType):
    field_class = DeclarationField
    required_default = _("Select the box to confirm the declaration")

    def field_options(self, value: Any) -> dict[str, Any]:
        return {"statement": value.get("statement") or ""}

    def for_storage(self, value: Any, cleaned: Any) -> Any:
        return True if cleaned else None

    def for_display(self, value: Any, stored: Any) -> str:
        return gettext("Confirmed")


@register("address")
class Address(QuestionType):
    field_class = AddressField
    required_default = _("Enter a postcode")

    def for_display(self, value: Any, stored: Any) -> str:
        return stored.get("address") or ""


@register("location")
class Location(QuestionType):
    field_class = LocationField
    required_default = CHOOSE_OR_DESCRIBE

    def for_display(self, value: Any, stored: Any) -> str:
        lines = [stored.get("address") or "", stored.get("description") or ""]
        return "\n".join(line for line in lines if line)


@register("file_upload")
class FileUpload(QuestionType):
    field_class = FileUploadField
    required_default = _('Select a file for "{label}"')

    def field_options(self, value: Any) -> dict[str, Any]:
        return {
            "max_size_mb": value.get("max_size_mb") or 10,
            "images": bool(value.get("allow_images")),
            "pdf": bool(value.get("allow_pdf")),
        }

    def for_storage(self, value: Any, cleaned: Any) -> Any:
        return {"name": cleaned.name, "size": cleaned.size, "content_type": cleaned.content_type}

    def for_display(self, value: Any, stored: Any) -> str:
        return f"{stored.get('name')} ({format_size(int(stored.get('size') or 0))})"

    def files(self, cleaned: Any) -> list[UploadedFile]:
        return [cleaned] if cleaned else []
