from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SearchConfig(AppConfig):
    """Site search: the results page over the council's services and pages."""

    name = "search"
    verbose_name = _("Search")
