"""The flows app's models: flows and submissions (their messages are forms.messaging's)."""

from .flow import FlowPage
from .submission import (
    Submission,
    SubmissionEvent,
    SubmissionFile,
    new_reference,
    normalise_reference,
)

__all__ = [
    "FlowPage",
    "Submission",
    "SubmissionEvent",
    "SubmissionFile",
    "new_reference",
    "normalise_reference",
]
