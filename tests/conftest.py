"""Shared test set-up: pages are served from a Wagtail site rooted at a HomePage."""

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with an empty cache: compiled synonyms, the search vocabulary's
    version, rate-limit counters and what the page cache remembers in this process from another
    test's (rolled back) data never leak in."""
    from core.pagecache import forget_remembered
    from search import corpus

    cache.clear()
    corpus.forget()
    forget_remembered()
