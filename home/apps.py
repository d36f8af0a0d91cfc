from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HomeConfig(AppConfig):
    """The home page and the site's standard pages (accessibility, privacy, cookies, contact)."""

    name = "home"
    verbose_name = _("Home")
