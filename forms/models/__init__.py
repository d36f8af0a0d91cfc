"""The flows app's models: flows, submissions and the address list."""

from .address import Property, Weekday, normalise_postcode
from .flow import FlowPage
from .insights import (
    TIME_BUCKETS,
    ChannelCosts,
    ChannelVolume,
    FlowDay,
    FlowErrorDay,
    FlowStepDay,
    Satisfaction,
    SatisfactionResponse,
)
from .outbox import PendingEmail
from .payment import Payment, PaymentEvent, Refund
from .submission import (
    Submission,
    SubmissionEvent,
    SubmissionFile,
    new_reference,
    normalise_reference,
)
from .tracking import FlowEvent

__all__ = [
    "TIME_BUCKETS",
    "ChannelCosts",
    "ChannelVolume",
    "FlowDay",
    "FlowErrorDay",
    "FlowEvent",
    "FlowPage",
    "FlowStepDay",
    "Payment",
    "PaymentEvent",
    "PendingEmail",
    "Property",
    "Refund",
    "Satisfaction",
    "SatisfactionResponse",
    "Submission",
    "SubmissionEvent",
    "SubmissionFile",
    "Weekday",
    "new_reference",
    "normalise_postcode",
    "normalise_reference",
]
