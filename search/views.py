"""The site search page: the council's live pages in the resident's language, best match first."""

from __future__ import annotations

import unicodedata

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from wagtail.contrib.search_promotions.models import Query
from wagtail.models import Locale, Page

RESULTS_PER_PAGE = 10
MAX_QUERY_LENGTH = 200


def clean_query(raw: str) -> str:
    """What the resident typed, without control characters (a NUL breaks SQLite's full-text
    search), with runs of spaces made one, cut to a sensible length."""
    printable = "".join(ch if unicodedata.category(ch)[0] != "C" else " " for ch in raw)
    return " ".join(printable.split())[:MAX_QUERY_LENGTH]


def search(request: HttpRequest) -> HttpResponse:
    """Show pages that match `q`; an empty or odd query gets the form again, never an error."""
    query = clean_query(request.GET.get("q", ""))
    results = None
    promotions = []
    if query:
        pages = (
            Page.objects.live().public().filter(locale=Locale.get_active(), depth__gt=2).specific()
        )
        found = Paginator(pages.search(query), RESULTS_PER_PAGE).get_page(request.GET.get("page"))
        results = found
        logged = Query.get(query)
        logged.add_hit()
        promotions = [p.page.specific for p in logged.editors_picks.select_related("page")]
    return TemplateResponse(
        request,
        "search/search.html",
        {
            "query": query,
            "results": results,
            "promotions": promotions,
            "max_length": MAX_QUERY_LENGTH,
        },
    )
