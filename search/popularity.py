"""How often residents choose each page, 0-1, for ranking and for 'popular services'.

A choice is a click on a search result, and (counting double) starting a page's online flow
after a search. Counts come from one query over the analytics tables, kept in the Django cache
for a few minutes: ranking reads them on every search.
"""

from __future__ import annotations

import datetime
import logging
from typing import TYPE_CHECKING

from django.core.cache import cache
from django.db import DatabaseError
from django.db.models import Count, QuerySet
from django.utils import timezone

from home.models import HomePage, HomePageTopTask
from search.models import FlowFromSearch, SearchClick
from services.models import ServicePage

if TYPE_CHECKING:
    from wagtail.models import Locale

logger = logging.getLogger(__name__)

CACHE_KEY = "search:popularity:v1:{days}"
CACHE_SECONDS = 5 * 60
SCORE_DAYS = 90  # ranking: the last three months
POPULAR_DAYS = 30  # "popular services": the last month
FLOW_WEIGHT = 2  # starting a service's flow says more than a click on it


def choice_counts(days: int) -> dict[int, int]:
    """Page id -> how often residents chose it in the last `days` days (cached)."""
    key = CACHE_KEY.format(days=days)
    cached = cache.get(key)
    if cached is not None:
        return cached
    since = timezone.now() - datetime.timedelta(days=days)
    clicks = (
        SearchClick.objects.filter(created_at__gte=since, page__isnull=False)
        .order_by()
        .values_list("page_id")
        .annotate(n=Count("id"))
    )
    flows = (
        FlowFromSearch.objects.filter(
            kind=FlowFromSearch.Kind.STARTED, created_at__gte=since, service__isnull=False
        )
        .order_by()
        .values_list("service_id")
        .annotate(n=Count("id") * FLOW_WEIGHT)
    )
    counts: dict[int, int] = {}
    try:
        rows = list(clicks.union(flows, all=True))
    except DatabaseError as error:  # ranking goes on without popularity
        logger.warning("Popularity could not be read (%s)", error.__class__.__name__)
        return counts
    for page_id, n in rows:
        counts[page_id] = counts.get(page_id, 0) + n
    cache.set(key, counts, CACHE_SECONDS)
    return counts


def popularity_scores(page_ids) -> dict[int, float]:
    """Page id -> 0-1: how often residents chose the page lately, relative to the most chosen
    page. Pages nobody chose are left out (read them as 0)."""
    ids = list(page_ids)
    if not ids:
        return {}
    counts = choice_counts(SCORE_DAYS)
    if not counts:
        return {}
    most = max(counts.values())
    return {pk: counts[pk] / most for pk in ids if pk in counts}


def popular_services(locale: Locale, limit: int = 6) -> list[ServicePage]:
    """The live, public services in `locale` residents chose most in the last 30 days, topped
    up with the home page's top tasks (so a new site still offers the services most needed)."""
    services = ServicePage.objects.live().public().filter(locale=locale)
    counts = choice_counts(POPULAR_DAYS)
    chosen: list[ServicePage] = []
    if counts:
        chosen = sorted(
            services.filter(pk__in=list(counts)),
            key=lambda page: (-counts[page.pk], page.title),
        )[:limit]
    if len(chosen) < limit:
        have = {page.pk for page in chosen}
        for page in top_tasks(services, locale):
            if page.pk not in have:
                chosen.append(page)
                have.add(page.pk)
            if len(chosen) >= limit:
                break
    return chosen


def top_tasks(services: QuerySet[ServicePage], locale: Locale) -> list[ServicePage]:
    """The home page's top tasks in `locale` (the default site's home page in that language,
    or its tasks' translations where that language has no home page of its own)."""
    from wagtail.models import Site

    homes = HomePage.objects.live()
    site = Site.objects.filter(is_default_site=True).select_related("root_page").first()
    if site is not None:
        homes = homes.filter(translation_key=site.root_page.translation_key)
    home = homes.filter(locale=locale).first() or homes.first()
    if home is None:
        return []
    keys = list(
        HomePageTopTask.objects.filter(home=home)
        .order_by("sort_order", "pk")
        .values_list("page__translation_key", flat=True)
    )
    by_key = {page.translation_key: page for page in services.filter(translation_key__in=keys)}
    return [by_key[key] for key in keys if key in by_key]
