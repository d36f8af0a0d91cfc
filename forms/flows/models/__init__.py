"""The flows app's models: flows, submissions and the emails waiting to be sent."""

from .flow import FlowPage
from .outbox import PendingEmail
from .submission import (
    Submission,
    SubmissionEvent,
    SubmissionFile,
    new_reference,
    normalise_reference,
)

__all__ = [
    "FlowPage",
    "PendingEmail",
    "Submission",
    "SubmissionEvent",
    "SubmissionFile",
    "new_reference",
    "normalise_reference",
]
