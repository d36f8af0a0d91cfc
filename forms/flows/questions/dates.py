"""GOV.UK's date input: day, month and year boxes, with the Design System's error messages."""

from __future__ import annotations

import calendar
import datetime
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import dateformat, timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from forms.flows.questions.boundfield import QuestionBoundField
from forms.flows.questions.fields import QuestionField

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

PARTS = ("day", "month", "year")

MISSING = {
    ("day",): _("Date must include a day"),
    ("month",): _("Date must include a month"),
    ("year",): _("Date must include a year"),
    ("day", "month"): _("Date must include a day and month"),
    ("day", "year"): _("Date must include a day and year"),
    ("month", "year"): _("Date must include a month and year"),
}
REAL_DATE = _("Enter a real date")
YEAR_DIGITS = _("Year must include 4 numbers")

# GOV.UK asks services to accept month names as well as numbers: '3', 'Mar', 'March'.
MONTH_NAMES = {
    name.lower(): number
    for number in range(1, 13)
    for name in (calendar.month_name[number], calendar.month_abbr[number])
}
MONTH_NAMES["sept"] = 9


def format_date(value: datetime.date) -> str:
    """'4 March 2027', in the active language."""
    return dateformat.format(value, "j F Y")


@dataclass
class DateReading:
    """What the three boxes say: a date, nothing at all, or a message and the boxes at fault."""

    date: datetime.date | None = None
    empty: bool = False
    message: Any = ""
    parts: tuple[str, ...] = field(default_factory=tuple)


def is_number(text: str) -> bool:
    """Digits that int() reads ('²' is a digit to isdigit(), not to int()), and not so many
    that int() refuses them."""
    return text.isdecimal() and len(text) <= 9


def read_date(parts: dict[str, Any]) -> DateReading:
    values = {part: str(parts.get(part) or "").strip() for part in PARTS}
    missing = tuple(part for part in PARTS if not values[part])
    if len(missing) == len(PARTS):
        return DateReading(empty=True)
    if missing:
        return DateReading(message=MISSING[missing], parts=missing)
    month_text = values["month"].lower().rstrip(".")
    month = int(month_text) if is_number(month_text) else MONTH_NAMES.get(month_text)
    not_numbers = tuple(
        part
        for part, ok in (
            ("day", is_number(values["day"])),
            ("month", month is not None),
            ("year", is_number(values["year"])),
        )
        if not ok
    )
    if not_numbers or month is None:  # (a month not read is among not_numbers)
        return DateReading(message=REAL_DATE, parts=not_numbers)
    if len(values["year"]) != 4:
        return DateReading(message=YEAR_DIGITS, parts=("year",))
    day, year = int(values["day"]), int(values["year"])
    if not 1 <= month <= 12:
        return DateReading(message=REAL_DATE, parts=("month",))
    if year < 1 or not 1 <= day <= calendar.monthrange(year, month)[1]:
        return DateReading(message=REAL_DATE, parts=("day",) if year >= 1 else ("year",))
    return DateReading(date=datetime.date(year, month, day))


class DateWidget(forms.Widget):
    """Three boxes posted as `<name>-day`, `<name>-month` and `<name>-year`."""

    use_fieldset = True

    def value_from_datadict(self, data: Any, files: Any, name: str) -> dict[str, str]:
        return {part: data.get(f"{name}-{part}", "") for part in PARTS}

    def value_omitted_from_data(self, data: Any, files: Any, name: str) -> bool:
        return all(f"{name}-{part}" not in data for part in PARTS)

    def id_for_label(self, id_: str) -> str:
        return f"{id_}-day" if id_ else id_


class DateField(QuestionField):
    """A date from the three boxes, with the editor's rules: past or future, earliest, latest."""

    widget = DateWidget
    template_name = "flows/questions/date_input.html"
    input_classes = ""
    input_error_class = ""

    def __init__(
        self,
        *,
        must_be: str = "any",
        earliest: datetime.date | None = None,
        latest: datetime.date | None = None,
        **kwargs: Any,
    ) -> None:
        self.must_be = must_be or "any"
        self.earliest = earliest
        self.latest = latest
        super().__init__(**kwargs)

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, str) and value:
            try:
                value = datetime.date.fromisoformat(value)
            except ValueError:
                return {}
        if isinstance(value, datetime.date):
            return {"day": str(value.day), "month": str(value.month), "year": str(value.year)}
        return value or {}

    def to_python(self, value: Any) -> datetime.date | None:
        if isinstance(value, datetime.date):
            return value
        reading = read_date(self.prepare_value(value))
        if reading.message:
            raise ValidationError(reading.message, code="invalid")
        return reading.date

    def validate(self, value: datetime.date | None) -> None:
        super().validate(value)
        if value is None:
            return
        today = timezone.localdate()
        broken = {
            "past": value >= today,
            "today_or_past": value > today,
            "future": value <= today,
            "today_or_future": value < today,
        }.get(self.must_be, False)
        if broken:
            raise self.rule_error(
                {
                    "past": _("Date must be in the past"),
                    "today_or_past": _("Date must be today or in the past"),
                    "future": _("Date must be in the future"),
                    "today_or_future": _("Date must be today or in the future"),
                }[self.must_be]
            )
        if self.earliest and value < self.earliest:
            raise self.rule_error(
                format_lazy(
                    _("Date must be the same as or after {date}"), date=format_date(self.earliest)
                )
            )
        if self.latest and value > self.latest:
            raise self.rule_error(
                format_lazy(
                    _("Date must be the same as or before {date}"), date=format_date(self.latest)
                )
            )

    # rendering

    def parts_in_error(self, bound_field: QuestionBoundField) -> tuple[str, ...]:
        """The boxes to mark: those a message is about, or all three for a rule or a gap."""
        if not bound_field.errors:
            return ()
        reading = read_date(self.prepare_value(bound_field.value()))
        return reading.parts or PARTS

    def template_context(self, bound_field: QuestionBoundField) -> dict[str, Any]:
        values = self.prepare_value(bound_field.value())
        in_error = self.parts_in_error(bound_field)
        labels = {"day": _("Day"), "month": _("Month"), "year": _("Year")}
        return {
            "parts": [
                {
                    "id": f"{bound_field.auto_id}-{part}",
                    "name": f"{bound_field.html_name}-{part}",
                    "label": labels[part],
                    "value": values.get(part, ""),
                    "width": 4 if part == "year" else 2,
                    "error": part in in_error,
                }
                for part in PARTS
            ]
        }

    def error_anchor(self, bound_field: QuestionBoundField) -> str:
        in_error = self.parts_in_error(bound_field) or PARTS
        return f"{bound_field.auto_id}-{in_error[0]}"

    def hint_for(self, bound_field: QuestionBoundField) -> StrOrPromise:
        if bound_field.help_text:
            return bound_field.help_text
        future = self.must_be in ("future", "today_or_future")
        year = timezone.localdate().year + (1 if future else -1)
        return gettext("For example, %(date)s") % {"date": f"27 3 {year}"}
