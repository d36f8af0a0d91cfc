"""The sandbox: `make run`'s default. Nothing leaves the site: each message is kept whole in the
database and shown on the demo's outbox page (/demo/outbox/), email and text message alike, so
someone trying the demo can read the link or code they were sent. Production settings refuse
it."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from .base import BaseMessageProvider
from .providers import providers


@providers.register("sandbox")
class SandboxProvider(BaseMessageProvider):
    id = "sandbox"
    title = _("Sandbox (messages kept on the demo outbox page, nothing sent)")
    delivered_on_send = True
    keeps_contents = True

    def send(
        self,
        *,
        channel: str,
        to: str,
        template: str,
        personalisation: dict[str, str],
        reference: str,
    ) -> str:
        return f"sandbox-{reference}"
