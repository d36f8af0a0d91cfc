from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FlowsConfig(AppConfig):
    """Online flows: question pages, submissions, payments and tracking.

    The label is "flows", not "forms": django.forms already holds that label, and a label
    names database tables, so it is fixed from the first migration on.
    """

    name = "forms"
    label = "flows"
    verbose_name = _("Online flows")

    def ready(self) -> None:
        from forms.handlers import load_handlers

        load_handlers()
