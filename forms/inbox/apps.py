from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InboxConfig(AppConfig):
    """The staff inbox for residents' requests, and "track your request" for residents."""

    name = "forms.inbox"
    label = "inbox"
    verbose_name = _("Requests inbox")
