from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResidentsConfig(AppConfig):
    """ "Your requests": residents' sign-in by link or code, their requests, added information
    and withdrawals."""

    name = "forms.residents"
    label = "residents"
    verbose_name = _("Your requests")
