"""GOV.UK Notify, through its own client library (notifications-python-client).

Councils commonly give Notify one generic template per channel and write the words themselves:
an email template whose subject is `((subject))` and whose body is `((body))`, and a text
message template that is `((body))`. That is what this provider sends: the subject and body our
templates (forms/flows/templates/flows/email/) wrote in the resident's language, so the words stay
in this repository, are translated with the site and are the same whichever provider sends them.
A kind of message can still have a template of its own in Notify: NOTIFY_TEMPLATES names a
template id by "kind.channel" (e.g. "confirmation.email") before the channel's generic one.

The reference sent with each message is our Message's uuid; Notify gives it back in its delivery
receipts (receipts.py). Notify's answers: 400 is a message Notify will never send (an address or
number it refuses: "permanent failure", which staff see as "check the email address"; anything
else: "technical failure"); 403 (a key revoked, a clock wrong), 429 (rate or daily limit) and
5xx or no answer at all may pass, so the message waits and is tried again, for a day.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from notifications_python_client.errors import APIError, InvalidResponse
from notifications_python_client.notifications import NotificationsAPIClient

from core.redaction import redact_personal_data

from .base import BaseMessageProvider, NotSentError, SendLaterError
from .constants import Channel, State
from .providers import providers

# A 400 whose error is about the address or number: it will never be delivered there.
RECIPIENT_FIELDS = ("email_address", "phone_number")


def template_id(template: str, channel: str) -> str:
    """The Notify template for this kind of message on this channel, or the channel's generic
    one (NOTIFY_TEMPLATES: {"email": ..., "sms": ..., "confirmation.email": ...})."""
    templates: dict[str, str] = settings.NOTIFY_TEMPLATES
    return templates.get(f"{template}.{channel}") or templates.get(channel) or ""


def error_reason(error: APIError) -> str:
    """Notify's status code and first error, for staff: its messages name the field, never the
    value ("phone_number Not a UK mobile number"), and are redacted all the same."""
    detail: Any = error.message
    if isinstance(detail, list) and detail:
        first = detail[0] if isinstance(detail[0], dict) else {}
        detail = f"{first.get('error', '')}: {first.get('message', '')}".strip(": ")
    text = redact_personal_data(str(detail or ""))
    return f"GOV.UK Notify {error.status_code}{f' {text}' if text else ''}"


def about_the_recipient(error: APIError) -> bool:
    detail = error.message
    errors = detail if isinstance(detail, list) else [{"message": str(detail or "")}]
    return any(
        isinstance(item, dict) and str(item.get("message", "")).startswith(RECIPIENT_FIELDS)
        for item in errors
    )


@providers.register("notify")
class NotifyProvider(BaseMessageProvider):
    id = "notify"
    title = _("GOV.UK Notify (email and text messages)")

    def client(self) -> NotificationsAPIClient:
        try:
            return NotificationsAPIClient(
                settings.NOTIFY_API_KEY,
                base_url=settings.NOTIFY_BASE_URL,
                timeout=settings.NOTIFY_TIMEOUT,
            )
        except (AssertionError, TypeError) as error:
            # The client asserts that the key holds a service id and a secret.
            raise SendLaterError("NOTIFY_API_KEY is not a GOV.UK Notify API key") from error

    def send(
        self,
        *,
        channel: str,
        to: str,
        template: str,
        personalisation: dict[str, str],
        reference: str,
    ) -> str:
        template_id_ = template_id(template, channel)
        if not template_id_:
            setting = (
                "NOTIFY_SMS_TEMPLATE_ID" if channel == Channel.SMS else "NOTIFY_EMAIL_TEMPLATE_ID"
            )
            raise NotSentError(f"No GOV.UK Notify template for this message: set {setting}")
        client = self.client()
        try:
            if channel == Channel.SMS:
                response = client.send_sms_notification(
                    phone_number=to,
                    template_id=template_id_,
                    personalisation={"body": personalisation.get("body", "")},
                    reference=reference,
                    sms_sender_id=settings.NOTIFY_SMS_SENDER_ID or None,
                )
            else:
                response = client.send_email_notification(
                    email_address=to,
                    template_id=template_id_,
                    personalisation={
                        "subject": " ".join(personalisation.get("subject", "").split()),
                        "body": personalisation.get("body", ""),
                    },
                    reference=reference,
                    email_reply_to_id=settings.NOTIFY_EMAIL_REPLY_TO_ID or None,
                )
        except InvalidResponse:
            # Notify took it (a 2xx) but its answer could not be read: not sent again, which
            # could send it twice; its receipt still finds it by our reference.
            return ""
        except APIError as error:
            status = error.status_code
            reason = error_reason(error)
            if status == 400:
                state = (
                    State.PERMANENT_FAILURE
                    if about_the_recipient(error)
                    else State.TECHNICAL_FAILURE
                )
                raise NotSentError(reason, state) from error
            if status in (403, 429) or status >= 500:
                raise SendLaterError(reason) from error
            raise NotSentError(reason) from error
        notification_id = response.get("id") if isinstance(response, dict) else None
        return str(notification_id or "")
