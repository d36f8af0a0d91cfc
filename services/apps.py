from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServicesConfig(AppConfig):
    """Category and service pages, the shared content blocks and the demo-content loader."""

    name = "services"
    verbose_name = _("Services")
