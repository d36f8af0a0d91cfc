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
        # The providers register themselves; the task needs TASKS' "messages" backend, so a
        # setting without it stops the site here rather than at a resident's first message.
        from . import notify, sandbox, smtp, tasks  # noqa: F401
