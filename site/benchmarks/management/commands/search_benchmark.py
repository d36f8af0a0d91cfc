"""Search latency at scale: `manage.py search_benchmark` (PostgreSQL; `make bench-search`).

Measures, for the evaluation queries, the search itself (the engine's ranking, promoted
results and the first page's results read from the database, as `run_search` and `resolve`
do) and the whole search page (with logging and the template) through Django's test client,
in process, each query as if asked for the first time (and the page once more with its answer
remembered, "asked again"): first with the content as it is, then with generated service
pages added until there are 5,000 and then 50,000 of them. Prints p50 and p95 latency per
size, the time to build the vocabulary after a change, and the relevance of the evaluation
queries at that size. Generated pages are live service pages under a "Benchmark pages"
category; they stay (use a throwaway database) and are reused by the next run.
"""

from __future__ import annotations

import random
import statistics
import time
import uuid
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.test import Client
from django.utils import timezone
from wagtail.models import Locale, Page
from wagtail.search.backends import get_search_backend

from search import corpus, generation
from search.management.commands.search_eval import read_cases
from search.service import resolve, run_search

EVAL_FILES = [
    Path(__file__).resolve().parents[4] / "search" / "eval" / "queries.tsv",
    Path(__file__).resolve().parents[4] / "search" / "eval" / "more_queries.tsv",
]
CATEGORY_SLUG = "benchmark-pages"

VERBS = ["Apply for", "Report", "Book", "Pay for", "Find", "Renew", "Check", "Request", "Cancel"]
NOUNS = str.split(
    "allotment market-stall street-trading-licence pavement-licence scaffold-permit hoarding "
    "licence tree-works hedge-complaint abandoned-vehicle burst-water-main drainage flooding "
    "sandbags gritting salt-bin bus-pass travel-card school-transport youth-club sports-pitch "
    "leisure-centre swimming-lessons tennis-court park-event wedding-venue registrar-appointment "
    "citizenship-ceremony nationality-check lasting-power-of-attorney adult-learning course "
    "apprenticeship volunteering grant community-fund small-business-grant trade-waste "
    "commercial-bin clinical-waste needle-collection asbestos-disposal air-quality bonfire "
    "smoke-complaint light-nuisance odour-complaint licensed-premises street-party road-sign "
    "bollard cycle-lane bike-hanger electric-vehicle-charging car-park season-ticket "
    "house-number street-name land-charges building-control dangerous-structure demolition "
    "listed-building conservation-area heritage-plaque mayor-event councillor-surgery petition "
    "consultation budget-survey open-data election-result polling-station postal-vote"
)
WORDS = str.split(
    "you can apply online by phone or in person we will check your details and reply within "
    "working days the council may charge a fee residents businesses landlords tenants must "
    "tell us if anything changes read the guidance before you start evidence proof of address "
    "photo identity bank statement letter email reference number decision appeal review "
    "renewal expiry deadline weekly monthly yearly area ward district city centre outskirts "
    "road street park school library office team service support advice help information"
)


def _title(rng: random.Random, n: int) -> str:
    return f"{rng.choice(VERBS)} {rng.choice(NOUNS).replace('-', ' ')} {n}"


def _sentence(rng: random.Random, size: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(size)).capitalize() + "."


def percentiles(timings: list[float]) -> str:
    timings = sorted(timings)
    p95 = timings[max(0, int(len(timings) * 0.95) - 1)]
    return f"p50={statistics.median(timings):.1f}ms p95={p95:.1f}ms max={timings[-1]:.1f}ms"


class Command(BaseCommand):
    help = "Print p50/p95 search latency with the content as is, then 5,000 and 50,000 pages."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--sizes",
            default="5000,50000",
            help="Numbers of generated pages to measure at (comma separated).",
        )
        parser.add_argument("--rounds", type=int, default=3, help="Passes over the queries.")

    def handle(self, *args, sizes: str, rounds: int, **options) -> None:
        if connection.vendor != "postgresql":
            self.stderr.write(
                f"Note: this database is {connection.vendor}; the goal is set for PostgreSQL."
            )
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
        settings.DEBUG = False  # no query log in memory, as in production
        queries = [query for path in EVAL_FILES for query, _ in read_cases(path)]
        cases = [case for path in EVAL_FILES for case in read_cases(path)]
        self.stdout.write(f"{len(queries)} queries x {rounds} rounds per size, via the page\n")
        self.measure("content as is", queries, cases, rounds)
        for size in [int(s) for s in sizes.split(",") if s.strip()]:
            started = time.perf_counter()
            added = self.generate(size)
            took = time.perf_counter() - started
            self.stdout.write(f"(generated and indexed {added} pages in {took:.0f} s)")
            self.measure(f"{size:,} generated pages", queries, cases, rounds)

    def measure(self, label: str, queries: list[str], cases, rounds: int) -> None:
        client = Client()
        locale = Locale.get_default()
        corpus.forget()
        started = time.perf_counter()
        corpus.vocabulary(locale)
        vocabulary_ms = (time.perf_counter() - started) * 1000
        client.get("/search/", {"q": queries[0]})  # warm the templates
        engine, page, again = [], [], []
        for round_ in range(rounds):
            for number, query in enumerate(queries):
                # Each query as if asked for the first time: the process's memory of answers
                # (search.service.run_search) is emptied before each timing; what it keeps of
                # the site (vocabulary, pages' words and results) stays, as in a server.
                generation.forget_here("outcome")
                started = time.perf_counter()
                resolve(run_search(query, locale=locale).page(1).object_list)
                engine.append((time.perf_counter() - started) * 1000)
                generation.forget_here("outcome")
                # Each search from an address of its own, as from many residents: one address
                # is held to the site's limit of 60 searches a minute.
                address = f"10.{round_}.{number // 256}.{number % 256}"
                started = time.perf_counter()
                response = client.get("/search/", {"q": query}, REMOTE_ADDR=address)
                page.append((time.perf_counter() - started) * 1000)
                if response.status_code != 200:
                    raise SystemExit(f"{query!r} answered {response.status_code}")
                # The same page again, its answer remembered.
                started = time.perf_counter()
                again_address = f"10.{round_ + 100}.{number // 256}.{number % 256}"
                client.get("/search/", {"q": query}, REMOTE_ADDR=again_address)
                again.append((time.perf_counter() - started) * 1000)
        pages = Page.objects.live().filter(depth__gt=2).count()
        self.stdout.write(
            f"{label}: live pages={pages} searches={len(page)} "
            f"search {percentiles(engine)} | whole page {percentiles(page)} | "
            f"asked again {percentiles(again)} | "
            f"vocabulary_build={vocabulary_ms:.0f}ms {self.relevance(cases, locale)}"
        )

    def relevance(self, cases, locale) -> str:
        reciprocal = at1 = 0.0
        for query, acceptable in cases:
            ids = [r.page_id for r in run_search(query, locale=locale).results[:10]]
            slugs = dict(
                Page.objects.filter(pk__in=[i for i in ids if i]).values_list("pk", "slug")
            )
            rank = next((n for n, pk in enumerate(ids, 1) if slugs.get(pk) in acceptable), None)
            if rank:
                reciprocal += 1 / rank
                at1 += rank == 1
        return f"mrr={reciprocal / len(cases):.3f} success@1={at1 / len(cases):.3f}"

    @transaction.atomic
    def generate(self, total: int) -> int:
        """Add generated service pages until the benchmark category holds `total`."""
        from services.models import CategoryPage, ServicePage

        locale = Locale.get_default()
        home = Page.objects.get(depth=2, locale=locale)
        category = CategoryPage.objects.filter(slug=CATEGORY_SLUG, locale=locale).first()
        if category is None:
            category = home.add_child(
                instance=CategoryPage(
                    title="Benchmark pages", slug=CATEGORY_SLUG, intro="Generated pages."
                )
            )
        category.refresh_from_db()
        have = category.numchild
        wanted = total - have
        if wanted <= 0:
            return 0
        rng = random.Random(total)
        now = timezone.now()
        from django.contrib.contenttypes.models import ContentType

        content_type_id = ContentType.objects.get_for_model(ServicePage).pk
        backend = get_search_backend()
        made = 0
        for start in range(have, total, 2000):
            batch = []
            for n in range(start, min(start + 2000, total)):
                slug = f"bench-{n}"
                page = ServicePage(
                    title=_title(rng, n),
                    draft_title="",
                    slug=slug,
                    path=Page._get_path(category.path, category.depth + 1, n + 1),
                    depth=category.depth + 1,
                    numchild=0,
                    url_path=f"{category.url_path}{slug}/",
                    content_type_id=content_type_id,
                    locale=locale,
                    translation_key=uuid.uuid4(),
                    live=True,
                    first_published_at=now,
                    last_published_at=now,
                    summary=_sentence(rng, 14)[:250],
                    keywords=", ".join(rng.sample(NOUNS, 3)).replace("-", " "),
                    body=[{"type": "paragraph", "value": f"<p>{_sentence(rng, 60)}</p>"}],
                )
                page.draft_title = page.title
                batch.append(page)
            Page.objects.bulk_create(batch)
            for page in batch:
                page.page_ptr_id = page.id
            ServicePage._base_manager._insert(
                batch, fields=ServicePage._meta.local_concrete_fields, using=connection.alias
            )
            backend.add_bulk(ServicePage, batch)
            made += len(batch)
        Page.objects.filter(pk=category.pk).update(numchild=total)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:  # fresh statistics, as autovacuum would give
                cursor.execute("ANALYZE")
        return made
