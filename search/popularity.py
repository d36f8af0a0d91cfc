"""How often residents choose each page, 0-1, for ranking and for 'popular services'."""

from __future__ import annotations


def popularity_scores(page_ids) -> dict[int, float]:
    return {}
