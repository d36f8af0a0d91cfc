"""The forms on "your requests", each with GOV.UK error messages."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import ProhibitNullCharactersValidator, validate_email
from django.utils.translation import gettext_lazy as _

from forms.flows.questions.contact import parse_mobile
from forms.flows.questions.uploads import FileUploadField

from .signin import CODE_DIGITS

LONGEST_INPUT = 254  # the longest email address
LONGEST_MESSAGE = 5000
FORMAT_MESSAGE = _(
    "Enter an email address like name@example.com, or a UK mobile number like 07700 900 982"
)
ADDED_FILE_MAX_MB = 10


class GovukForm(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Null characters get the same "correct format" message as any other bad input.
        for field in self.fields.values():
            field.validators = [
                v for v in field.validators if not isinstance(v, ProhibitNullCharactersValidator)
            ]

    def error_list(self) -> list[dict[str, str]]:
        """The errors for the error summary, each linking to its field."""
        first = next(iter(self.fields))
        errors = [
            {"anchor": name, "message": str(message)}
            for name in self.fields
            for message in self.errors.get(name, [])
        ]
        errors += [{"anchor": first, "message": str(m)} for m in self.non_field_errors()]
        return errors


def normalise_email(value: str) -> str:
    return value.strip().casefold()


def normalise_mobile(value: str) -> str | None:
    """A UK mobile number as typed ('07700 900123', '+44 7700 900123') in E.164
    ('+447700900123'), as the contact question stores it; None if it is not one."""
    return parse_mobile(value) or None


class AddressForm(GovukForm):
    """The email address or UK mobile number given with the requests."""

    address = forms.CharField(label=_("Email address or mobile phone number"), required=False)

    def clean_address(self) -> str:
        value = self.cleaned_data["address"].strip()
        if not value:
            raise ValidationError(_("Enter your email address or mobile phone number"))
        if len(value) > LONGEST_INPUT or "\x00" in value:
            raise ValidationError(FORMAT_MESSAGE)
        if "@" in value:
            try:
                validate_email(value)
            except ValidationError:
                raise ValidationError(FORMAT_MESSAGE) from None
            return normalise_email(value)
        mobile = normalise_mobile(value)
        if mobile is None:
            raise ValidationError(FORMAT_MESSAGE)
        return mobile


class CodeForm(GovukForm):
    code = forms.CharField(label=_("Code"), required=False)

    def clean_code(self) -> str:
        value = re.sub(r"[\s-]", "", self.cleaned_data["code"] or "")
        if not value:
            raise ValidationError(_("Enter the code we sent you"))
        if not re.fullmatch(rf"[0-9]{{{CODE_DIGITS}}}", value):
            raise ValidationError(_("Enter the code we sent you: it is 6 numbers"))
        return value


class AddInformationForm(GovukForm):
    message = forms.CharField(
        label=_("What do you want to tell us?"), required=False, widget=forms.Textarea
    )
    file = FileUploadField(
        label=_("Upload a file (optional)"), required=False, max_size_mb=ADDED_FILE_MAX_MB
    )

    def clean_message(self) -> str:
        value = (self.cleaned_data["message"] or "").strip()
        if "\x00" in value:
            raise ValidationError(_("Enter the information without special characters"))
        if len(value) > LONGEST_MESSAGE:
            raise ValidationError(
                _("The information must be %(count)s characters or fewer")
                % {"count": LONGEST_MESSAGE}
            )
        return value

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not self.errors and not cleaned.get("message") and not cleaned.get("file"):
            self.add_error("message", _("Enter the information you want to add, or choose a file"))
        return cleaned
