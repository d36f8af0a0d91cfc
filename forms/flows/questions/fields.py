"""The form fields behind the question types: typed answers, GOV.UK error messages, no HTML5.

Every message is the editor's own when they wrote one (`required_message` for an empty answer,
`rule_message` for a broken rule such as a length, a pattern or a range); otherwise GOV.UK's
wording. Fields never add `required`, `maxlength`, `min`, `max` or `pattern` to the HTML: the
server's messages are the ones residents should read.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import phonenumbers
from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from core.money import format_pence
from forms.flows.handlers import LookupFailed
from forms.flows.questions.boundfield import QuestionBoundField

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class QuestionMixin(forms.Field):
    """What every question's field has: a GOV.UK template, the editor's messages, a lookup.
    Mixed in before a Django field class (QuestionField, FileUploadField)."""

    template_name = "flows/questions/input.html"
    bound_field_class = QuestionBoundField
    is_page_heading = False
    input_classes = "govuk-input"
    input_error_class = "govuk-input--error"

    def __init__(
        self,
        *,
        rule_message: str = "",
        lookup: str = "",
        question: Any = None,
        **kwargs: Any,
    ) -> None:
        self.rule_message = rule_message
        self.lookup = lookup
        self.question = question
        kwargs.setdefault("template_name", type(self).template_name)  # Field() sets it to None
        super().__init__(**kwargs)

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        return {}  # no maxlength, min or max: the server's messages are the GOV.UK ones

    def run_validators(self, value: Any) -> None:
        super().run_validators(value)
        if value not in self.empty_values and self.lookup:
            self.check_with_lookup(value)

    # override

    def template_context(self, bound_field: QuestionBoundField) -> dict[str, Any]:
        """Extra context for the field-group template."""
        return {}

    def error_anchor(self, bound_field: QuestionBoundField) -> str:
        """The id of the element the error summary's link goes to."""
        return bound_field.auto_id

    def hint_for(self, bound_field: QuestionBoundField) -> StrOrPromise:
        return bound_field.help_text

    def described_by_first(self, bound_field: QuestionBoundField) -> list[str]:
        """Ids that come before the hint in aria-describedby (a character count's message)."""
        return []

    # helpers

    def rule_error(self, default: Any) -> ValidationError:
        return ValidationError(self.rule_message or default, code="rule")

    def check_with_lookup(self, value: Any) -> None:
        """Ask the council's records; a lookup id that is not registered is ignored."""
        from forms.flows import handlers  # looked up when called, so tests can replace the registry

        lookup = handlers.lookups.get(self.lookup)
        if lookup is None:
            return
        try:
            lookup.check(value, self.question)
        except LookupFailed as failed:
            message = str(failed) or _("Check your answer and try again")
            raise ValidationError(message, code="lookup") from failed


class QuestionField(QuestionMixin, forms.Field):
    """A question's field whose answer is built by `to_python` and checked by `validate`."""


# text


class TextInput(forms.TextInput):
    def __init__(self, attrs: dict[str, Any] | None = None, input_type: str = "text") -> None:
        super().__init__(attrs)
        self.input_type = input_type


class Textarea(forms.Textarea):
    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__({"rows": "5", **(attrs or {})})
        self.attrs.pop("cols", None)


def clean_text(value: Any) -> str:
    """Trim the answer; a browser's CRLF line ends count as one character, as the counter does."""
    if value is None:
        return ""
    return str(value).replace("\r\n", "\n").strip()


class TextField(QuestionField):
    """Short or long text, with an optional shortest and longest length and a pattern."""

    def __init__(
        self,
        *,
        min_length: int | None = None,
        max_length: int | None = None,
        pattern: str = "",
        width: str = "full",
        **kwargs: Any,
    ) -> None:
        if width in ("10", "20"):
            self.input_classes = f"govuk-input govuk-input--width-{width}"
        self.min_length = min_length
        self.max_length = max_length
        try:
            self.pattern = re.compile(pattern) if pattern else None
        except re.error:
            self.pattern = None  # an editor's broken pattern must not stop residents
        kwargs.setdefault("widget", TextInput)
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> str:
        return clean_text(value)

    def validate(self, value: str) -> None:
        super().validate(value)
        if not value:
            return
        if self.max_length and len(value) > self.max_length:
            raise self.rule_error(
                format_lazy(
                    _('"{label}" must be {max} characters or fewer'),
                    label=self.label,
                    max=self.max_length,
                )
            )
        if self.min_length and len(value) < self.min_length:
            raise self.rule_error(
                format_lazy(
                    _('"{label}" must be {min} characters or more'),
                    label=self.label,
                    min=self.min_length,
                )
            )
        if self.pattern and not self.pattern.fullmatch(value):
            raise self.rule_error(
                format_lazy(_('Enter "{label}" in the correct format'), label=self.label)
            )


class LongTextField(TextField):
    """Long text, with GOV.UK's character count when there is a limit."""

    template_name = "flows/questions/textarea.html"
    input_error_class = "govuk-textarea--error"

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", Textarea)
        super().__init__(**kwargs)
        self.input_classes = "govuk-textarea"
        if self.max_length:
            self.input_classes += " govuk-js-character-count"

    def template_context(self, bound_field: QuestionBoundField) -> dict[str, Any]:
        return {"max_length": self.max_length, "count_id": f"{bound_field.auto_id}-info"}

    def described_by_first(self, bound_field: QuestionBoundField) -> list[str]:
        return [f"{bound_field.auto_id}-info"] if self.max_length else []


EMAIL_MESSAGE = _("Enter an email address in the correct format, like name@example.com")


class EmailField(TextField):
    def __init__(self, **kwargs: Any) -> None:
        attrs = {"autocomplete": "email", "spellcheck": "false"}
        kwargs.setdefault("widget", TextInput(attrs, input_type="email"))
        super().__init__(**kwargs)

    def validate(self, value: str) -> None:
        super().validate(value)
        if value:
            try:
                validate_email(value)
            except ValidationError:
                raise ValidationError(EMAIL_MESSAGE, code="invalid") from None


PHONE_MESSAGE = _("Enter a UK phone number, like 01632 960 001 or 07700 900 982")

# Ofcom keeps these ranges for drama and examples (our own message uses two of them);
# phonenumbers calls them invalid, but a resident trying our example should not be refused.
OFCOM_DRAMA = re.compile(r"^(?:1632960|7700900|1134960|1144960|1154960|1164960|1174960)\d{3}$")


class UKPhoneField(QuestionField):
    """A UK number, kept in the national format with spaces: '01632 960001'."""

    input_classes = "govuk-input govuk-input--width-20"

    def __init__(self, **kwargs: Any) -> None:
        attrs = {"autocomplete": "tel"}
        kwargs.setdefault("widget", TextInput(attrs, input_type="tel"))
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> str:
        text = clean_text(value)
        if not text:
            return ""
        try:
            number = phonenumbers.parse(text, "GB")
        except phonenumbers.NumberParseException:
            raise ValidationError(PHONE_MESSAGE, code="invalid") from None
        national = str(number.national_number)
        if number.country_code != 44 or not (
            phonenumbers.is_valid_number(number) or OFCOM_DRAMA.match(national)
        ):
            raise ValidationError(PHONE_MESSAGE, code="invalid")
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)


# numbers

WHOLE_NUMBER = re.compile(r"^-?(?:\d{1,3}(?:,\d{3})+|\d+)$")
MONEY = re.compile(r"^(?:\d{1,3}(?:,\d{3})+|\d+)?(?:\.\d{1,2})?$")
MONEY_MESSAGE = _("Enter an amount in pounds and pence, like 12.50")


def range_message(label: StrOrPromise | None, low: str | None, high: str | None) -> Any:
    if low is not None and high is not None:
        return format_lazy(
            _('"{label}" must be between {low} and {high}'), label=label, low=low, high=high
        )
    if low is not None:
        return format_lazy(_('"{label}" must be {low} or more'), label=label, low=low)
    return format_lazy(_('"{label}" must be {high} or less'), label=label, high=high)


class RangeMixin(QuestionMixin):
    """A smallest and largest answer, checked in `validate` with one GOV.UK message."""

    min_value: int | None
    max_value: int | None

    def shown(self, value: int) -> str:
        return str(value)

    def check_range(self, value: int) -> None:
        too_small = self.min_value is not None and value < self.min_value
        too_big = self.max_value is not None and value > self.max_value
        if too_small or too_big:
            low = None if self.min_value is None else self.shown(self.min_value)
            high = None if self.max_value is None else self.shown(self.max_value)
            raise self.rule_error(range_message(self.label, low, high))


class WholeNumberField(RangeMixin, QuestionField):
    """A whole number ('1,200' and ' 12 ' are fine); a quantity shows its unit after the box."""

    input_classes = "govuk-input govuk-input--width-10"

    def __init__(
        self,
        *,
        min_value: int | None = None,
        max_value: int | None = None,
        unit: str = "",
        **kwargs: Any,
    ) -> None:
        self.min_value = min_value
        self.max_value = max_value
        self.unit = unit
        if unit:
            self.input_classes = "govuk-input govuk-input--width-4"
        kwargs.setdefault("widget", TextInput({"inputmode": "numeric", "spellcheck": "false"}))
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> int | None:
        text = clean_text(value)
        if not text:
            return None
        # (more than 4,300 digits is a ValueError in Python: the same message)
        if not WHOLE_NUMBER.match(text) or len(text) > 100:
            raise ValidationError(
                format_lazy(_('"{label}" must be a whole number, like 3'), label=self.label),
                code="invalid",
            )
        return int(text.replace(",", ""))

    def validate(self, value: int | None) -> None:
        super().validate(value)
        if value is not None:
            self.check_range(value)

    def template_context(self, bound_field: QuestionBoundField) -> dict[str, Any]:
        return {"suffix": self.unit}


def pounds_to_pence(amount: Decimal | float | str | None) -> int | None:
    if amount is None or amount == "":
        return None
    return int((Decimal(str(amount)) * 100).to_integral_value())


class MoneyField(RangeMixin, QuestionField):
    """An amount in pounds and pence, cleaned to whole pence: '£1,200.5' is 120050."""

    input_classes = "govuk-input govuk-input--width-10"

    def __init__(
        self,
        *,
        min_amount: Decimal | None = None,
        max_amount: Decimal | None = None,
        **kwargs: Any,
    ) -> None:
        self.min_value = pounds_to_pence(min_amount)
        self.max_value = pounds_to_pence(max_amount)
        # GOV.UK: no inputmode for decimals, some keypads have no decimal point
        kwargs.setdefault("widget", TextInput({"spellcheck": "false"}))
        super().__init__(**kwargs)

    def shown(self, value: int) -> str:
        return format_pence(value)

    def to_python(self, value: Any) -> int | None:
        text = clean_text(value)
        if not text:
            return None
        text = text.removeprefix("£").strip()
        if not MONEY.match(text) or not any(ch.isdigit() for ch in text) or len(text) > 100:
            raise ValidationError(MONEY_MESSAGE, code="invalid")
        pounds, _dot, pence = text.replace(",", "").partition(".")
        return int(pounds or 0) * 100 + int(pence.ljust(2, "0") if pence else 0)

    def validate(self, value: int | None) -> None:
        super().validate(value)
        if value is not None:
            self.check_range(value)

    def template_context(self, bound_field: QuestionBoundField) -> dict[str, Any]:
        return {"prefix": "£"}
