from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlacesConfig(AppConfig):
    """The council's address list: properties by postcode, with their bin days."""

    name = "forms.places"
    label = "places"
    verbose_name = _("Places")
