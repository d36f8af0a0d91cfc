"""SMTP: email through Django's mail backend (EMAIL_BACKEND, EMAIL_HOST...), as the site always
sent it. A mail server that is down or slow is "try again later". It has no text messages."""

from __future__ import annotations

import smtplib
from email.utils import make_msgid

from django.conf import settings
from django.core.mail import EmailMessage
from django.core.mail.utils import DNS_NAME
from django.utils.translation import gettext_lazy as _

from .base import BaseMessageProvider, NotSentError, SendLaterError
from .constants import Channel
from .providers import providers


def describe_error(error: BaseException) -> str:
    """The error's class and SMTP code, for staff and the logs: never its text, which can quote
    the address (SMTPRecipientsRefused does)."""
    code = getattr(error, "smtp_code", None) or getattr(error, "errno", None)
    return f"{type(error).__name__}{f' {code}' if code else ''}"


@providers.register("smtp")
class SmtpProvider(BaseMessageProvider):
    id = "smtp"
    title = _("Email through the council's mail server (SMTP)")

    def send(
        self,
        *,
        channel: str,
        to: str,
        template: str,
        personalisation: dict[str, str],
        reference: str,
    ) -> str:
        if channel != Channel.EMAIL:
            raise NotSentError("Text messages need GOV.UK Notify: SMTP sends email only")
        # A subject with a line break is refused by Django (header injection), and a service
        # title is typed by editors.
        subject = " ".join(personalisation.get("subject", "").split())
        # The email's own Message-ID, as Django would make it, kept as the provider's id: what
        # a bounce or a mail server's log names it by.
        message_id = make_msgid(domain=str(DNS_NAME))
        email = EmailMessage(
            subject,
            personalisation.get("body", ""),
            settings.DEFAULT_FROM_EMAIL,
            [to],
            headers={"Message-ID": message_id},
        )
        try:
            email.send()
        except (smtplib.SMTPException, OSError) as error:
            raise SendLaterError(describe_error(error)) from error
        return message_id
