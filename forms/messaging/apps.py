from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MessagingConfig(AppConfig):
    """Messages to residents (email and text message) through one provider interface:
    GOV.UK Notify, SMTP, or the demo's sandbox outbox.

    The label is "messaging": django.contrib.messages already holds "messages"."""

    name = "forms.messaging"
    label = "messaging"
    verbose_name = _("Messages to residents")

    def ready(self) -> None:
        from . import notify, sandbox, smtp  # noqa: F401 - the providers register themselves
