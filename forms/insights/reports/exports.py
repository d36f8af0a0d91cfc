"""The reports' spreadsheets (CSV or XLSX, `?export=csv`): the columns and rows of the drop-off
report's page table and of the KPI dashboard, mixed into their views."""

from __future__ import annotations

import datetime
import decimal
from collections import OrderedDict
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.admin.views.mixins import SpreadsheetExportMixin

from core.spreadsheets import SafeSpreadsheetExportMixin
from forms.flows.models import FlowPage

from .formatting import half_up
from .funnel import Period


class DropOffSpreadsheet(SafeSpreadsheetExportMixin, SpreadsheetExportMixin):
    """The drop-off report's page table: a row per funnel row, this range's then the other's."""

    # Set by the view before it exports.
    flow: FlowPage
    current: Period | None
    previous: Period | None

    list_export = [
        "period",
        "from",
        "to",
        "position",
        "page",
        "label",
        "reached",
        "completed",
        "abandoned",
        "drop_off_rate",
        "failed",
        "median_seconds",
    ]
    export_headings = {
        "period": gettext_lazy("Range"),
        "from": gettext_lazy("From"),
        "to": gettext_lazy("To"),
        "position": gettext_lazy("Position"),
        "page": gettext_lazy("Page"),
        "label": gettext_lazy("Label"),
        "reached": gettext_lazy("Reached"),
        "completed": gettext_lazy("Completed"),
        "abandoned": gettext_lazy("Dropped off here"),
        "drop_off_rate": gettext_lazy("Drop-off rate (%)"),
        "failed": gettext_lazy("Failed validation"),
        "median_seconds": gettext_lazy("Median time (seconds)"),
    }

    def periods(self) -> tuple[Period, Period]:
        """This range's and the other's, which the view works out before it exports."""
        if self.current is None or self.previous is None:
            raise ValueError("The date ranges are not known: nothing to export")
        return self.current, self.previous

    def export_rows(self) -> list[OrderedDict]:
        rows = []
        current, previous = self.periods()
        for name, period in [(_("This range"), current), (_("Compared with"), previous)]:
            for position, row in enumerate(period.funnel):
                rate = row.drop_off_rate
                rows.append(
                    OrderedDict(
                        period=name,
                        **{"from": period.metrics.start, "to": period.metrics.end},
                        position=position,
                        page=row.key,
                        label=row.label,
                        reached=row.reached,
                        completed="" if row.completed is None else row.completed,
                        abandoned="" if row.abandoned is None else row.abandoned,
                        drop_off_rate="" if rate is None else float(half_up(rate * 100, "0.1")),
                        failed="" if row.failed is None else row.failed,
                        median_seconds=""
                        if row.median_seconds is None
                        else int(half_up(row.median_seconds)),
                    )
                )
        return rows

    def to_row_dict(self, item: OrderedDict) -> OrderedDict:
        return item

    def get_filename(self) -> str:
        return f"drop-off-{self.flow.slug}-{self.periods()[0].metrics.start:%Y-%m-%d}"


class ServiceKPISpreadsheet(SafeSpreadsheetExportMixin, SpreadsheetExportMixin):
    """The KPI dashboard: a row per service, its figures over the months asked for."""

    # Set by the view before it exports.
    start: datetime.date
    end: datetime.date

    list_export = [
        "service",
        "from",
        "to",
        "started",
        "digital_completions",
        "phone",
        "face_to_face",
        "post",
        "completion_rate",
        "satisfaction",
        "satisfaction_responses",
        "digital_take_up",
        "cost_per_transaction",
    ]
    export_headings = {
        "service": gettext_lazy("Service"),
        "from": gettext_lazy("From"),
        "to": gettext_lazy("To"),
        "started": gettext_lazy("Started online"),
        "digital_completions": gettext_lazy("Completed online"),
        "phone": gettext_lazy("By phone"),
        "face_to_face": gettext_lazy("Face to face"),
        "post": gettext_lazy("By post"),
        "completion_rate": gettext_lazy("Completion rate (%)"),
        "satisfaction": gettext_lazy("User satisfaction (%)"),
        "satisfaction_responses": gettext_lazy("Satisfaction answers"),
        "digital_take_up": gettext_lazy("Digital take-up (%)"),
        "cost_per_transaction": gettext_lazy("Cost per transaction (£)"),
    }
    custom_value_preprocess = {
        **SpreadsheetExportMixin.custom_value_preprocess,
        decimal.Decimal: {SpreadsheetExportMixin.FORMAT_XLSX: None},
    }

    def to_row_dict(self, item: dict[str, Any]) -> OrderedDict:
        kpis = item["kpis"]

        def share(value: float | None) -> Any:
            return "" if value is None else float(half_up(value * 100, "0.1"))

        cost = kpis.cost_per_transaction
        return OrderedDict(
            service=item["service"].title,
            **{"from": self.start, "to": self.end},
            started=kpis.started,
            digital_completions=kpis.digital_completions,
            phone=kpis.phone,
            face_to_face=kpis.face_to_face,
            post=kpis.post,
            completion_rate=share(kpis.completion_rate),
            satisfaction=share(kpis.satisfaction.score),
            satisfaction_responses=kpis.satisfaction.responses,
            digital_take_up=share(kpis.digital_take_up),
            cost_per_transaction="" if cost is None else half_up(cost, "0.01"),
        )

    def get_filename(self) -> str:
        return f"service-kpis-{self.start:%Y-%m}-to-{self.end:%Y-%m}"
