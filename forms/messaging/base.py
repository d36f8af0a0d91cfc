"""The one interface every message provider implements: send an email or a text message with a
template key, personalisation and our reference, and return the provider's id for it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

from .constants import State

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class SendLaterError(Exception):
    """Not sent, but it may pass (the service down, a rate limit, a key being fixed): the
    message waits and is tried again. The argument is a short reason for staff and the logs,
    never the address."""


class NotSentError(Exception):
    """Not sent, and trying again would not help (an address the provider refuses, a channel the
    provider does not have). `state` says which failure it is."""

    def __init__(self, reason: str, state: State = State.TECHNICAL_FAILURE) -> None:
        super().__init__(reason)
        self.state = state


class BaseMessageProvider:
    """A message provider. Subclasses register with `@providers.register("id")`."""

    id: str = ""
    title: StrOrPromise = _("Message provider")
    # The sandbox: a message is "delivered" as soon as it is kept, and keeps its words so that
    # the demo's outbox page can show them.
    delivered_on_send = False
    keeps_contents = False

    def send(
        self,
        *,
        channel: str,
        to: str,
        template: str,
        personalisation: dict[str, str],
        reference: str,
    ) -> str:
        """Send one message and return the provider's id for it.

        `channel` is "email" or "sms"; `template` the message's kind (a provider with templates
        of its own picks one by it); `personalisation` holds "subject" (email) and "body", both
        already written in the resident's language; `reference` is our message's uuid.
        Raise SendLaterError or NotSentError when it is not sent."""
        raise NotImplementedError
