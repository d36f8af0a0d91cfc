"""The site search page and its suggestions as you type."""

from __future__ import annotations

import unicodedata
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_GET, require_safe

from core import ratelimits
from core.pagecache import share_site_fragments
from core.text_analysis import normalise
from search import analytics, generation
from search.popularity import popular_services
from search.service import (
    RESULTS_PER_PAGE,
    active_locale,
    resolve,
    run_search,
)
from search.service import suggestions as offered

MAX_QUERY_LENGTH = 200
SUGGESTIONS = 6


def clean_query(raw: str) -> str:
    """What the resident typed, without control characters (a NUL breaks SQLite's full-text
    search), with runs of spaces made one, cut to a sensible length."""
    printable = "".join(ch if unicodedata.category(ch)[0] != "C" else " " for ch in raw)
    return " ".join(printable.split())[:MAX_QUERY_LENGTH]


def search_url(query: str) -> str:
    return f"{reverse('search')}?{urlencode({'q': query})}"


@require_safe  # a page: HEAD as well as GET
def search(request: HttpRequest) -> HttpResponse:
    """Results for `q`, best first, 10 to a page; an empty or odd query gets the form again,
    never an error. The first page of each search is logged for the web team."""
    query = clean_query(request.GET.get("q", ""))
    share_site_fragments(request)
    context = {
        "query": query,
        "max_length": MAX_QUERY_LENGTH,
        "results_per_page": RESULTS_PER_PAGE,
    }
    if query and ratelimits.over_limit(request, "search"):
        # Too many searches from this address: "wait a minute", the query still in the box.
        return ratelimits.too_many_requests(
            TemplateResponse(request, "search/too_many_searches.html", context)
        )
    if query:
        # One generation for the whole page: results, their pages and the locale agree.
        with generation.one_generation():
            outcome = run_search(query)
            results = outcome.page(request.GET.get("page"))
            log_id = None
            if results.number == 1:
                log_id = analytics.log_search(request, query, outcome.total)
            items = resolve(results.object_list)
            popular = [] if outcome.total else popular_services(active_locale())
        for item in items:
            item.click_url = analytics.click_url(log_id, item)
        context.update(
            outcome=outcome,
            results=results,
            items=items,
            total=outcome.total,
            suggestion=outcome.suggestion,
            suggestion_url=search_url(outcome.suggestion) if outcome.suggestion else "",
            popular=popular,
        )
    return TemplateResponse(request, "search/search.html", context)


@require_GET
def suggest(request: HttpRequest) -> JsonResponse:
    """Up to 6 pages for what the resident has typed so far, as JSON, for the search box's
    suggestions (the search box works the same without them)."""
    query = clean_query(request.GET.get("q", ""))
    suggestions = []
    if ratelimits.over_limit(request, "search.suggest"):
        # No suggestions for a minute (the search box quietly carries on without them).
        response = JsonResponse({"query": query, "suggestions": []})
        return ratelimits.too_many_requests(response)
    if len(normalise(query).replace(" ", "")) >= 2:  # 2 letters or digits at least
        suggestions = [
            {
                "title": card.title,
                "url": card.url,
                "description": card.description,
                "category": card.category,
            }
            for card in offered(query, active_locale(), SUGGESTIONS)
        ]
    response = JsonResponse({"query": query, "suggestions": suggestions})
    response["Cache-Control"] = "max-age=60"
    return response
