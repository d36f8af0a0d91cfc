"""How often residents choose each page, 0-1, for ranking and for 'popular services'
(contract; the analytics implementation fills these in)."""

from __future__ import annotations


def popularity_scores(page_ids) -> dict[int, float]:
    """Page id -> 0-1: how often residents chose the page lately, relative to the most chosen."""
    return {}


def popular_services(locale, limit: int = 6) -> list:
    """The services residents choose most, for a search with no results."""
    return []
