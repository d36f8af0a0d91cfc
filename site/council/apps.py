"""The site's own project-level app: connects the page cache's invalidation and CDN purge."""

from django.apps import AppConfig


class CouncilConfig(AppConfig):
    name = "council"
    verbose_name = "Council site"

    def ready(self) -> None:
        from core import pagecache

        pagecache.connect_signals()
        pagecache.connect_purge_signals()
