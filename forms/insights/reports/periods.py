"""The ranges a report is asked for: the drop-off report's two date ranges (this one and the one
to compare with) and the KPI dashboard's months, each with its form and its default."""

from __future__ import annotations

import calendar
import datetime
from typing import Any

from django import forms
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

# Dates outside these are typing mistakes (and would overflow working out a comparison range).
EARLIEST, LATEST = datetime.date(2000, 1, 1), datetime.date(2100, 12, 31)
REPORT_DAYS = 30


# the filters beside the dates


def add_filters(form: forms.Form, device: bool = False) -> None:
    """Optional language (and device) choices: figures count every language copy of a flow
    unless one language is chosen."""
    from django.conf import settings

    from forms.insights.models import FlowEvent

    form.fields["language"] = forms.ChoiceField(
        label=_("Language"),
        required=False,
        choices=[("", _("All languages")), *settings.WAGTAIL_CONTENT_LANGUAGES],
    )
    if device:
        form.fields["device"] = forms.ChoiceField(
            label=_("Device"),
            required=False,
            choices=[("", _("All devices")), *FlowEvent.Device.choices],
        )


# the drop-off report's two date ranges


def last_days(today: datetime.date, days: int = REPORT_DAYS) -> tuple[datetime.date, datetime.date]:
    return today - datetime.timedelta(days=days - 1), today


class DateRangesForm(forms.Form):
    """From and to, and the range to compare with (the same length just before, unless given)."""

    FIELDS = [
        ("from", gettext_lazy("From"), True),
        ("to", gettext_lazy("To"), True),
        ("compare_from", gettext_lazy("Compare with: from"), False),
        ("compare_to", gettext_lazy("Compare with: to"), False),
    ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, label, required in self.FIELDS:  # "from" cannot be a class attribute
            self.fields[name] = forms.DateField(
                label=label,
                required=required,
                help_text=_("For example, 2025-03-27") if name == "from" else "",
                widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                error_messages={
                    "required": _("Enter a date"),
                    "invalid": _("Enter a real date, such as 2025-03-27"),
                },
            )
        add_filters(self, device=True)

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        for name, _label, _required in self.FIELDS:
            value = data.get(name)
            if value and not EARLIEST <= value <= LATEST:
                self.add_error(name, _("Enter a date between 2000 and 2100"))
                data.pop(name, None)
        start, end = data.get("from"), data.get("to")
        if start and end and end < start:
            self.add_error("to", _("The end date must be the same as or after the start date"))
        compare_from, compare_to = data.get("compare_from"), data.get("compare_to")
        if compare_from and compare_to and compare_to < compare_from:
            self.add_error(
                "compare_to", _("The end date must be the same as or after the start date")
            )
        elif not self.errors and bool(compare_from) != bool(compare_to):
            missing = "compare_to" if compare_from else "compare_from"
            self.add_error(missing, _("Enter both dates to compare with, or neither"))
        if not self.errors and not compare_from and start and end:
            length = end - start + datetime.timedelta(days=1)
            data["compare_from"] = start - length
            data["compare_to"] = start - datetime.timedelta(days=1)
        return data


def date_ranges_form(request: HttpRequest) -> DateRangesForm:
    names = [name for name, _label, _required in DateRangesForm.FIELDS]
    filters = {name: request.GET.get(name, "") for name in ("language", "device")}
    if any(name in request.GET for name in names):
        return DateRangesForm({**{name: request.GET.get(name, "") for name in names}, **filters})
    start, end = last_days(timezone.localdate())
    return DateRangesForm({"from": start.isoformat(), "to": end.isoformat(), **filters})


# the KPI dashboard's months


def month_start(value: datetime.date, months_back: int = 0) -> datetime.date:
    index = value.year * 12 + value.month - 1 - months_back
    return datetime.date(index // 12, index % 12 + 1, 1)


def month_end(value: datetime.date) -> datetime.date:
    return value.replace(day=calendar.monthrange(value.year, value.month)[1])


class MonthRangeForm(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, label in [("from", _("From month")), ("to", _("To month"))]:
            self.fields[name] = forms.DateField(
                label=label,
                input_formats=["%Y-%m"],
                help_text=_("For example, 2025-03") if name == "from" else "",
                widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
                error_messages={
                    "required": _("Enter a month"),
                    "invalid": _("Enter a real month, such as 2025-03"),
                },
            )
        add_filters(self)

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        for name in ["from", "to"]:
            if data.get(name) and not EARLIEST <= data[name] <= LATEST:
                self.add_error(name, _("Enter a month between 2000 and 2100"))
        if not self.errors and data["to"] < data["from"]:
            self.add_error("to", _("The last month must be the same as or after the first"))
        return data


def month_range_form(request: HttpRequest) -> MonthRangeForm:
    language = request.GET.get("language", "")
    if "from" in request.GET or "to" in request.GET:
        data = {name: request.GET.get(name, "") for name in ["from", "to"]}
        return MonthRangeForm({**data, "language": language})
    this_month = month_start(timezone.localdate())
    last_month = month_start(this_month, 1)
    return MonthRangeForm(
        {"from": f"{last_month:%Y-%m}", "to": f"{this_month:%Y-%m}", "language": language}
    )
