"""`manage.py simulate_searches`: made-up searches for the last N days (default 60), so every
search report has something to show on a demo site (`make db` runs it after
`simulate_flow_journeys`).

Searches are in the site's four languages (mostly English), more on weekdays and in the day
than at night. Popular services are searched for far more than the rest; some terms are
misspelt (a few of those still find something) and a few find nothing at all (services the
council does not run, a redacted postcode). About two thirds of the searches that find
something have a result chosen, mostly the first; some of those lead to the service's online
flow being started, and most of those to a request sent.

Simulated rows are recognisable without a column of their own: every one is stamped at the
same microsecond of its second (`MARKER_MICROSECOND`). Each run removes exactly those rows
(their clicks and flows go with them) and simulates again with the same seed, so running it
twice leaves the same rows, and searches people really made on the demo are kept.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from wagtail.models import Page

from forms.flows.models import FlowPage
from search.analytics import redact
from search.models import FlowFromSearch, SearchClick, SearchLog

# A real search lands on this microsecond about once in a million searches.
MARKER_MICROSECOND = 511_170
DELETE_BATCH = 900  # under SQLite's limit on query parameters

# Searches per hour of the day (local time).
HOURS = [1, 1, 0, 0, 0, 1, 2, 4, 7, 9, 10, 10, 11, 10, 9, 9, 8, 8, 9, 10, 9, 7, 4, 2]
# Searches on a usual weekday; weekends see fewer.
WEEKDAY_SEARCHES = 120
WEEKEND_SHARE = 0.6
# Language codes as the search page logs them (Django's active language).
LANGUAGE_SHARES = {"en-gb": 84, "cy": 8, "pl": 5, "ar": 3}

# (term, the service slug it is looking for or "" when the site has nothing, weight, kind)
# kind: "" a well-spelt term, "typo" a misspelling the search still matches, "miss" a term that
# finds nothing.
TERMS: dict[str, list[tuple[str, str, int, str]]] = {
    "en-gb": [
        ("bin collection", "bin-collection-day", 120, ""),
        ("bin day", "bin-collection-day", 90, ""),
        ("council tax", "pay-council-tax", 110, ""),
        ("pay council tax", "pay-council-tax", 60, ""),
        ("parking fine", "pay-parking-fine", 70, ""),
        ("pcn", "pay-parking-fine", 25, ""),
        ("bulky waste", "bulky-waste-collection", 50, ""),
        ("garden waste", "garden-waste-subscription", 45, ""),
        ("tip", "household-waste-recycling-centres", 55, ""),
        ("recycling centre", "household-waste-recycling-centres", 35, ""),
        ("missed bin", "report-missed-bin", 40, ""),
        ("new bin", "order-new-bin", 25, ""),
        ("blue badge", "blue-badge", 40, ""),
        ("parking permit", "resident-parking-permit", 30, ""),
        ("pothole", "report-pothole", 30, ""),
        ("street light", "report-street-light", 15, ""),
        ("fly tipping", "report-fly-tipping", 20, ""),
        ("noise complaint", "report-noise", 15, ""),
        ("housing benefit", "housing-benefit", 30, ""),
        ("single person discount", "council-tax-single-person-discount", 20, ""),
        ("moving house", "council-tax-moving-home", 15, ""),
        ("birth certificate", "replacement-certificate", 20, ""),
        ("register a death", "register-death", 12, ""),
        ("school admissions", "school-admissions", 18, ""),
        ("free school meals", "free-school-meals", 12, ""),
        ("term dates", "school-term-dates", 20, ""),
        ("planning application", "planning-applications", 25, ""),
        ("skip permit", "skip-permit", 8, ""),
        ("pest control", "pest-control", 10, ""),
        ("library", "join-library", 12, ""),
        ("jobs", "jobs", 25, ""),
        ("complaint", "complaints", 12, ""),
        ("register to vote", "register-to-vote", 10, ""),
        ("business rates", "business-rates", 8, ""),
        ("taxi licence", "taxi-licence", 5, ""),
        ("bin colection", "bin-collection-day", 12, "typo"),
        ("councel tax", "pay-council-tax", 10, "typo"),
        ("parkin fine", "pay-parking-fine", 6, "typo"),
        ("bulkey waste", "bulky-waste-collection", 5, "typo"),
        ("potholes", "report-pothole", 6, "typo"),
        ("recyling", "household-waste-recycling-centres", 6, "miss"),
        ("flytipping", "report-fly-tipping", 5, "miss"),
        ("swimming pool", "", 8, "miss"),
        ("bus pass", "", 7, "miss"),
        ("passport", "", 4, "miss"),
        ("[postcode]", "", 6, "miss"),
    ],
    "cy": [
        ("casglu biniau", "bin-collection-day", 20, ""),
        ("treth gyngor", "pay-council-tax", 18, ""),
        ("dirwy parcio", "pay-parking-fine", 8, ""),
        ("bathodyn glas", "blue-badge", 6, ""),
        ("gwastraff gardd", "garden-waste-subscription", 6, ""),
        ("swyddi", "jobs", 5, ""),
        ("trath gyngor", "pay-council-tax", 3, "typo"),
        ("pwll nofio", "", 2, "miss"),
    ],
    "pl": [
        ("odbiór śmieci", "bin-collection-day", 15, ""),
        ("podatek lokalny", "pay-council-tax", 12, ""),
        ("mandat za parkowanie", "pay-parking-fine", 8, ""),
        ("zasiłek mieszkaniowy", "housing-benefit", 6, ""),
        ("odpady wielkogabarytowe", "bulky-waste-collection", 5, ""),
        ("smieci", "bin-collection-day", 4, "typo"),
        ("basen", "", 2, "miss"),
    ],
    "ar": [
        ("جمع النفايات", "bin-collection-day", 10, ""),
        ("ضريبة المجلس", "pay-council-tax", 8, ""),
        ("مخالفة وقوف", "pay-parking-fine", 5, ""),
        ("إعانة السكن", "housing-benefit", 5, ""),
        ("الشارة الزرقاء", "blue-badge", 3, ""),
        ("حمام السباحة", "", 2, "miss"),
    ],
}
# Which position a resident chooses: mostly the first result.
POSITIONS = ([1, 2, 3, 4, 5, 6], [62, 18, 9, 5, 4, 2])
CLICK_CHANCE = {"": 0.68, "typo": 0.45}
FLOW_START_CHANCE = 0.4  # after choosing the service, of those with an online flow
FLOW_FINISH_CHANCE = 0.72  # of those started


@dataclass
class Term:
    query: str
    language: str
    kind: str
    results: int  # results found, typically
    pages: list[int]  # page ids in result order
    flow: tuple[int, int] | None  # (flow id, service id) of the first result, when it has one


def simulated_log_ids() -> list[int]:
    """The simulated searches: those stamped at the marker microsecond (read in Python, as
    databases do not agree on extracting microseconds)."""
    return [
        pk
        for pk, created_at in SearchLog.objects.values_list("pk", "created_at").iterator()
        if created_at.microsecond == MARKER_MICROSECOND
    ]


def delete_simulated() -> int:
    ids = simulated_log_ids()
    for start in range(0, len(ids), DELETE_BATCH):
        batch = ids[start : start + DELETE_BATCH]
        # Clicks and flows go with their search (on_delete=CASCADE), deleted here directly so
        # that Django's collector does not load them one search at a time.
        SearchClick.objects.filter(log_id__in=batch).delete()
        FlowFromSearch.objects.filter(log_id__in=batch).delete()
        SearchLog.objects.filter(pk__in=batch).delete()
    return len(ids)


def stamp(moment: datetime.datetime) -> datetime.datetime:
    return moment.replace(microsecond=MARKER_MICROSECOND)


class Catalogue:
    """The demo's live service pages and flows, by slug and language (falling back to the
    English page where a page is not translated)."""

    def __init__(self) -> None:
        self.pages: dict[tuple[str, str], Page] = {}
        for page in Page.objects.live().select_related("locale").specific(defer=True):
            self.pages.setdefault((page.slug, page.locale.language_code), page)
        self.flows: dict[int, int] = {}  # service page id -> its flow's id
        for flow in FlowPage.objects.live().order_by("path"):
            parent = flow.get_parent()
            if parent is not None:
                self.flows.setdefault(parent.pk, flow.pk)
        self.siblings: dict[int, list[int]] = {}

    def page(self, slug: str, language: str) -> Page | None:
        return self.pages.get((slug, language)) or self.pages.get((slug, "en-gb"))

    def results(self, page: Page, rng: random.Random) -> list[int]:
        """The page first, then others from its category, as the search would list them."""
        if page.pk not in self.siblings:
            others = [sibling.pk for sibling in page.get_siblings(inclusive=False).live()]
            self.siblings[page.pk] = others
        others = list(self.siblings[page.pk])
        rng.shuffle(others)
        return [page.pk, *others]


def terms(catalogue: Catalogue, rng: random.Random) -> tuple[list[Term], list[int]]:
    chosen, weights = [], []
    for language, rows in TERMS.items():
        # A language's share of the searches, spread over its terms by their weights.
        scale = LANGUAGE_SHARES[language] / sum(row[2] for row in rows)
        for query, slug, weight, kind in rows:
            page = catalogue.page(slug, language) if slug else None
            if kind == "miss" or page is None:
                term = Term(redact(query), language, "miss", 0, [], None)
            else:
                pages = catalogue.results(page, rng)
                found = rng.randint(1, 3) if kind == "typo" else rng.randint(4, 18)
                pages = pages[:found]
                flow_id = catalogue.flows.get(page.pk)
                flow = (flow_id, page.pk) if flow_id else None
                term = Term(redact(query), language, kind, len(pages), pages, flow)
            chosen.append(term)
            weights.append(weight * scale)
    return chosen, weights


class Command(BaseCommand):
    help = (
        "Simulate searches (terms in the four languages, results chosen, flows started and "
        "finished) over the last days, replacing earlier simulated searches, for the demo."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--days", type=int, default=60, help="Days to simulate (to today).")
        parser.add_argument("--seed", type=int, default=2026, help="Random seed.")
        parser.add_argument(
            "--delete", action="store_true", help="Only remove the simulated searches."
        )

    def handle(self, *args, **options) -> None:
        if options["days"] < 1:
            raise CommandError("--days must be 1 or more.")
        with transaction.atomic():
            removed = delete_simulated()
            if options["delete"]:
                self.stdout.write(f"Removed {removed} simulated searches.")
                return
            logs, clicks, flows = self.simulate(options["days"], options["seed"])
        self.stdout.write(
            self.style.SUCCESS(
                f"Simulated {logs} searches over {options['days']} days: {clicks} results "
                f"chosen, {flows} flows started or finished (replacing {removed})."
            )
        )

    def simulate(self, days: int, seed: int) -> tuple[int, int, int]:
        rng = random.Random(seed)
        catalogue = Catalogue()
        choices, weights = terms(catalogue, rng)
        now = timezone.now()
        today = timezone.localdate(now)
        searches: list[tuple[SearchLog, Term]] = []
        for back in range(days - 1, -1, -1):
            day = today - datetime.timedelta(days=back)
            volume = WEEKDAY_SEARCHES * (WEEKEND_SHARE if day.weekday() >= 5 else 1)
            count = max(0, round(rng.gauss(volume, volume * 0.15)))
            midnight = timezone.make_aware(datetime.datetime.combine(day, datetime.time()))
            for term in rng.choices(choices, weights, k=count):
                hour = rng.choices(range(24), HOURS)[0]
                at = stamp(midnight + datetime.timedelta(hours=hour, seconds=rng.randrange(3600)))
                if at > now:
                    continue  # later today: not searched yet
                results = term.results
                if results:
                    results = max(1, results + rng.randint(-1, 1))  # the site changes a little
                log = SearchLog(
                    query=term.query, language=term.language, result_count=results, created_at=at
                )
                searches.append((log, term))
        created = SearchLog.objects.bulk_create([log for log, _ in searches], batch_size=2000)
        clicks, flows = [], []
        for log, (_, term) in zip(created, searches, strict=True):
            if not term.pages or rng.random() > CLICK_CHANCE[term.kind]:
                continue
            # Now and then a resident comes back to the results and chooses a second one.
            for _ in range(2 if rng.random() < 0.1 else 1):
                position = rng.choices(*POSITIONS)[0]
                if position > len(term.pages):
                    position = 1
                at = min(
                    now, stamp(log.created_at + datetime.timedelta(seconds=rng.randint(4, 90)))
                )
                clicks.append(
                    SearchClick(
                        log_id=log.pk,
                        position=position,
                        page_id=term.pages[position - 1],
                        created_at=at,
                    )
                )
            if term.flow and position == 1 and rng.random() < FLOW_START_CHANCE:
                flow_id, service_id = term.flow
                kinds = [FlowFromSearch.Kind.STARTED]
                if rng.random() < FLOW_FINISH_CHANCE:
                    kinds.append(FlowFromSearch.Kind.FINISHED)
                for minutes, kind in enumerate(kinds, start=1):
                    flows.append(
                        FlowFromSearch(
                            log_id=log.pk,
                            flow_id=flow_id,
                            service_id=service_id,
                            kind=kind,
                            created_at=min(
                                now, stamp(at + datetime.timedelta(minutes=minutes * 4))
                            ),
                        )
                    )
        SearchClick.objects.bulk_create(clicks, batch_size=2000)
        FlowFromSearch.objects.bulk_create(flows, batch_size=2000)
        return len(created), len(clicks), len(flows)
