"""`manage.py demo_translations`: the demo's Welsh, Polish and Arabic catalogues."""

from django.core.management.base import BaseCommand

from demo.translate import CATALOGUE_DIR, export_catalogues


class Command(BaseCommand):
    help = (
        "Write the English strings of the translated demo pages into "
        "site/demo/translations/<language>.po, keeping the translations already there, and "
        "say how much of each language is translated."
    )

    def handle(self, *args, **options) -> None:
        for code, (total, translated) in export_catalogues().items():
            self.stdout.write(f"{CATALOGUE_DIR.name}/{code}.po: {translated} of {total} translated")
