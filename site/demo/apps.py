from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The Fernbridge demo: its pages, flows, search words, fake council records, service teams
    and simulated journeys. Installed by the development and test settings only: production
    runs without it, and no product module imports it."""

    name = "demo"
    label = "demo"
    verbose_name = "Fernbridge demo"

    def ready(self) -> None:
        from . import handlers  # noqa: F401 - registers the demo flows' fees, look-ups and results
