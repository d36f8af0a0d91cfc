from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FlowsConfig(AppConfig):
    """Online flows: FlowPage, its question types, the runtime, submissions and their emails.

    The label is "flows", not "forms": django.forms already holds that label, and a label
    names database tables, so it is fixed from the first migration on.
    """

    name = "forms.flows"
    label = "flows"
    verbose_name = _("Online flows")
