"""The site's own project-level app: connects the page cache's invalidation and CDN purge,
and registers the site's deployment checks (council/checks.py)."""

from django.apps import AppConfig


class CouncilConfig(AppConfig):
    name = "council"
    verbose_name = "Council site"

    def ready(self) -> None:
        from core import pagecache

        from . import checks  # noqa: F401 - registers the checks

        pagecache.connect_signals()
        pagecache.connect_purge_signals()
