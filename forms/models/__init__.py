"""The flows app's models: flows, submissions and the address list."""

from .address import Property, Weekday, normalise_postcode
from .flow import FlowPage
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
    "FlowEvent",
    "FlowPage",
    "Payment",
    "PaymentEvent",
    "Property",
    "Refund",
    "Submission",
    "SubmissionEvent",
    "SubmissionFile",
    "Weekday",
    "new_reference",
    "normalise_postcode",
    "normalise_reference",
]
