"""`manage.py load_demo_content`: the demo site's pages, settings and service teams."""

from django.core.management.base import BaseCommand

from demo.loader import DemoLoader


class Command(BaseCommand):
    help = (
        "Create or update the demo home page, categories, every catalogue service, the standard "
        "pages and the service teams. Safe to run again: pages that exist are left as editors "
        "left them, unless --reset is given."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--reset",
            action="store_true",
            help="Put the demo text back on pages editors have changed.",
        )
        parser.add_argument(
            "--english-only",
            action="store_true",
            help="Leave out the Welsh, Polish and Arabic pages and translations.",
        )

    def handle(self, *args, **options) -> None:
        verbose = options["verbosity"] > 1
        report = DemoLoader(
            log=self.stdout.write if verbose else None,
            reset=options["reset"],
            translate=not options["english_only"],
        ).load()
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo content: {len(report.created)} created, {len(report.updated)} updated."
            )
        )
