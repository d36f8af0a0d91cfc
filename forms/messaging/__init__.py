"""Messages to residents through one interface, as payments have: a registry of providers
(`notify`: GOV.UK Notify, email and text messages; `smtp`: email through Django; `sandbox`: kept
on the demo's outbox page), chosen by MESSAGE_PROVIDER. `forms.messaging.sending.send` records a
message (models.Message) and has a task send it; delivery receipts come back at the Notify
callback; `manage.py send_pending_messages` retries what could not be sent.
"""

from __future__ import annotations

from .base import BaseMessageProvider, NotSentError, SendLaterError
from .constants import Channel, Kind, State
from .providers import get_provider, providers

__all__ = [
    "BaseMessageProvider",
    "Channel",
    "Kind",
    "NotSentError",
    "SendLaterError",
    "State",
    "get_provider",
    "providers",
]
