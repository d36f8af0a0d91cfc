"""Measure search relevance: `manage.py search_eval FILE`.

FILE is a TSV with a header line; each row is a query, then the acceptable service slugs
separated by `|`. Each query runs through exactly the search page's code (promoted results
and all), without being logged. One line per query gives the rank of the first acceptable
result (or `-`), and the last line the totals:
`mrr=0.XXX success@1=0.XXX success@3=0.XXX zero_results=N queries=N`.
"""

from __future__ import annotations

import csv
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from wagtail.models import Locale, Page

from search.service import run_search


def read_cases(path: Path) -> list[tuple[str, set[str]]]:
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            rows = list(csv.reader(handle, delimiter="\t"))
    except OSError as error:
        raise CommandError(f"Cannot read {path}: {error.strerror}") from error
    cases = []
    for number, row in enumerate(rows[1:], start=2):
        if not row or not row[0].strip() or row[0].startswith("#"):
            continue
        if len(row) < 2 or not row[1].strip():
            raise CommandError(f"{path}, line {number}: expected a query, a tab, then slugs")
        slugs = {slug.strip() for slug in row[1].split("|") if slug.strip()}
        cases.append((row[0].strip(), slugs))
    if not cases:
        raise CommandError(f"{path} has no queries after its header line")
    return cases


class Command(BaseCommand):
    help = "Rank each query of a TSV file and report MRR, success@1 and success@3."

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--language",
            default=settings.LANGUAGE_CODE,
            help="The locale the queries are asked in (default: the site's main language).",
        )

    def handle(self, *args, file: Path, language: str, **options) -> None:
        cases = read_cases(file)
        try:
            locale = Locale.objects.get(language_code=language)
        except Locale.DoesNotExist as error:
            raise CommandError(f"No locale {language!r}") from error
        reciprocal = at1 = at3 = zero = 0.0
        for query, acceptable in cases:
            outcome = run_search(query, locale=locale)
            ids = [r.page_id for r in outcome.results]
            slugs = dict(
                Page.objects.filter(pk__in=[i for i in ids if i]).values_list("pk", "slug")
            )
            rank = next(
                (n for n, pk in enumerate(ids, 1) if pk and slugs.get(pk) in acceptable), None
            )
            if not ids:
                zero += 1
            if rank:
                reciprocal += 1 / rank
                at1 += rank == 1
                at3 += rank <= 3
            self.stdout.write(f"{rank or '-'}\t{query}")
        n = len(cases)
        self.stdout.write(
            f"mrr={reciprocal / n:.3f} success@1={at1 / n:.3f} success@3={at3 / n:.3f} "
            f"zero_results={int(zero)} queries={n}"
        )
