from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InsightsConfig(AppConfig):
    """Flow tracking, its daily roll-ups, drop-off and KPI reports, and satisfaction."""

    name = "forms.insights"
    label = "insights"
    verbose_name = _("Flow insights")

    def ready(self) -> None:
        from . import tracking

        tracking.connect()
