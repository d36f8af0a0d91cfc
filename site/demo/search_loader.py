"""Demo search tuning: editors' synonyms and promoted results, from `search.toml`."""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.conf import settings
from wagtail.contrib.search_promotions.models import Query, SearchPromotion
from wagtail.models import Locale

CONTENT = Path(__file__).with_name("search.toml")


def read_content() -> dict[str, Any]:
    with CONTENT.open("rb") as handle:
        return tomllib.load(handle)


def load_demo_search(report: Any, reset: bool = False, log: Callable[[str], None] | None = None):
    """Add the demo synonyms and promoted results that are missing; with `reset`, put back
    the demo's own wording on those that an editor changed."""
    from search.models import Synonym
    from services.models import ServicePage

    log = log or (lambda message: None)
    content = read_content()
    language = settings.LANGUAGE_CODE
    for item in content.get("synonym", []):
        synonym, created = Synonym.objects.get_or_create(
            terms=item["terms"],
            language=item.get("language", language),
            defaults={"also_find": item.get("also_find", ""), "note": item.get("note", "")},
        )
        if created:
            report.created.append(f"synonym {synonym}")
        elif reset and (synonym.also_find, synonym.note) != (
            item.get("also_find", ""),
            item.get("note", ""),
        ):
            synonym.also_find = item.get("also_find", "")
            synonym.note = item.get("note", "")
            synonym.save()
            report.updated.append(f"synonym {synonym}")
    locale = Locale.objects.get(language_code=language)
    for item in content.get("promotion", []):
        page = ServicePage.objects.filter(slug=item["page"], locale=locale).first()
        if page is None:
            log(f"Promoted result skipped: no service {item['page']!r}")
            continue
        query = Query.get(item["query"])
        promotion, created = SearchPromotion.objects.get_or_create(
            query=query,
            page=page,
            defaults={"description": item.get("description", ""), "sort_order": 0},
        )
        if created:
            report.created.append(f"promoted result {promotion}")
        elif reset and promotion.description != item.get("description", ""):
            promotion.description = item.get("description", "")
            promotion.save()
            report.updated.append(f"promoted result {promotion}")
