"""Spreadsheet exports staff can open safely: the requests list and the payments report."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet

if TYPE_CHECKING:
    # The views this is mixed into are Wagtail's exporting views (the checker's view only: at
    # run time the mixin stands before them in the view's bases).
    from wagtail.admin.views.mixins import SpreadsheetExportMixin as _ExportingView
else:
    _ExportingView = object

# A cell starting with one of these would run as a formula in a spreadsheet; a resident's
# answer must never do that, so such cells get a leading apostrophe in CSV.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class SafeSpreadsheetExportMixin(_ExportingView):
    """For Wagtail's exporting views: CSV with a byte order mark (so Excel reads "£" and "ł"),
    formula-like cells defused, and times as YYYY-MM-DD HH:MM. (Wagtail already types XLSX
    cells that look like formulas as text.)"""

    def preprocess_field_value(self, field: str, value: Any, export_format: str) -> Any:
        if export_format == self.FORMAT_CSV and isinstance(value, datetime.datetime):
            return value.strftime("%Y-%m-%d %H:%M")
        value = super().preprocess_field_value(field, value, export_format)
        if export_format == self.FORMAT_CSV and isinstance(value, str):
            value = "'" + value if value.startswith(FORMULA_STARTS) else value
        return value

    def stream_csv(self, queryset: QuerySet) -> Any:
        yield "\ufeff"
        yield from super().stream_csv(queryset)
