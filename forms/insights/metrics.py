"""The figures the reports show (CONTRACT: the roll-up engineer implements these functions;
the report and dashboard engineers build on the dataclasses as they are here).

Dates are inclusive local dates. Days already rolled up are read from FlowDay, FlowStepDay
and FlowErrorDay; days not rolled up yet (today) are computed from the raw FlowEvent rows
the same way, so the figures never lag.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any


@dataclass
class StepMetrics:
    step: str  # the page's name in the flow ("check-your-answers" and "payment" included)
    label: str  # what the web team reads: the page's heading or first question
    position: int
    reached: int = 0
    completed: int = 0
    failed: int = 0  # journeys with at least one error on the page
    abandoned: int = 0  # journeys whose last page this was, idle 30 minutes or more
    median_seconds: float | None = None

    @property
    def drop_off_rate(self) -> float | None:
        return self.abandoned / self.reached if self.reached else None


@dataclass
class ErrorMetrics:
    step: str
    field: str
    error: str
    count: int
    label: str = ""  # the question as asked, when it still exists


@dataclass
class SatisfactionSummary:
    responses: int = 0
    by_rating: dict[int, int] = field(default_factory=dict)  # 5 (very satisfied) .. 1

    @property
    def score(self) -> float | None:
        """Share satisfied or very satisfied (GOV.UK's user satisfaction), 0-1."""
        if not self.responses:
            return None
        return (self.by_rating.get(5, 0) + self.by_rating.get(4, 0)) / self.responses


@dataclass
class FlowMetrics:
    flow: Any
    start: datetime.date
    end: datetime.date
    started: int = 0
    submitted: int = 0
    end_points: int = 0
    abandoned: int = 0
    payment_started: int = 0
    payment_succeeded: int = 0
    payment_failed: int = 0
    payment_cancelled: int = 0
    steps: list[StepMetrics] = field(default_factory=list)
    errors: list[ErrorMetrics] = field(default_factory=list)  # most frequent first, top 10
    satisfaction: SatisfactionSummary = field(default_factory=SatisfactionSummary)
    by_source: dict[str, int] = field(default_factory=dict)
    by_device: dict[str, int] = field(default_factory=dict)

    @property
    def completed(self) -> int:
        """Completed journeys: sent, or stopped at an end point (which counts as done)."""
        return self.submitted + self.end_points

    @property
    def completion_rate(self) -> float | None:
        return self.completed / self.started if self.started else None

    @property
    def payment_abandonment(self) -> float | None:
        """Share of payments started that were not completed."""
        if not self.payment_started:
            return None
        return 1 - self.payment_succeeded / self.payment_started


@dataclass
class ServiceKPIs:
    service: Any
    start: datetime.date
    end: datetime.date
    started: int = 0
    digital_completions: int = 0
    phone: int = 0
    face_to_face: int = 0
    post: int = 0
    satisfaction: SatisfactionSummary = field(default_factory=SatisfactionSummary)
    costs: dict[str, Any] = field(default_factory=dict)  # unit cost (Decimal) per channel

    @property
    def completion_rate(self) -> float | None:
        return self.digital_completions / self.started if self.started else None

    @property
    def all_channels(self) -> int:
        return self.digital_completions + self.phone + self.face_to_face + self.post

    @property
    def digital_take_up(self) -> float | None:
        return self.digital_completions / self.all_channels if self.all_channels else None

    @property
    def cost_per_transaction(self):
        """Total cost over all channels / transactions in all channels (Decimal, pounds)."""
        if not self.all_channels or not self.costs:
            return None
        total = (
            self.costs["online"] * self.digital_completions
            + self.costs["phone"] * self.phone
            + self.costs["face_to_face"] * self.face_to_face
            + self.costs["post"] * self.post
        )
        return total / self.all_channels


def flow_metrics(flow, start: datetime.date, end: datetime.date) -> FlowMetrics:
    raise NotImplementedError


def service_kpis(service, start: datetime.date, end: datetime.date, site=None) -> ServiceKPIs:
    raise NotImplementedError


def kpi_trend(service, months: int = 6, site=None) -> list[ServiceKPIs]:
    """One ServiceKPIs per calendar month, oldest first, the current month last."""
    raise NotImplementedError
