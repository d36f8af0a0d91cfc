"""Shared test set-up: pages are served from a Wagtail site rooted at a HomePage."""

import pytest
from django.core.cache import cache
from django.test import TestCase, TransactionTestCase

# What runs on SQLite as well as on PostgreSQL, production's database (`make test-sqlite`; the
# rest runs on PostgreSQL only): what differs between the two engines (the database search
# engine's SQL, the reports' date arithmetic, migrations, concurrent sends, payments' row locks)
# and what `make run`, which serves the demo from SQLite, relies on (loading the demo, its
# simulated journeys and searches, its sign-ins, and every demo flow walked). The browser suite
# also runs on SQLite: every page and every demo flow, in chromium.
SQLITE_ALSO = (
    "tests/search/",
    "tests/insights/",
    "tests/payments/",
    "tests/messaging/",
    "tests/demo/test_demo_content.py",
    "tests/demo/test_demo_flows.py",
    "tests/demo/test_demo_logins.py",
    "tests/demo/test_simulate_journeys.py",
    "tests/demo/test_simulated_searches.py",
    "tests/council/test_sqlite_concurrency.py",
    "tests/council/test_settings.py",
    "tests/flows/test_condition_migration.py",
    "tests/flows/test_migrations_moved_models.py",
)
# The Elasticsearch engine reads pages through the ORM alone, and Stripe's client and flows
# (through a fake of its HTTP) serve production only: nothing of them differs by database, and
# `make run` pays through the sandbox, whose tests, with refunds and webhooks', stay on SQLite.
# GOV.UK Notify likewise: `make run` keeps messages in the sandbox outbox, whose tests stay, with
# the receipts' and the retries' row locks.
SQLITE_NOT = (
    "tests/search/test_elasticsearch",
    "tests/payments/test_payments_stripe",
    "tests/messaging/test_notify",
)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if item.nodeid.startswith(SQLITE_ALSO) and not item.nodeid.startswith(SQLITE_NOT):
            item.add_marker(pytest.mark.sqlite)
        # A TransactionTestCase empties every table when it ends, the rows migrations made (the
        # root page, the default locale) included, which every TestCase after it in the same
        # process needs: under pytest-xdist these run apart, in a process of their own, after
        # the rest (see the Makefile), as Django's own runner runs them last.
        cls = getattr(item, "cls", None)
        if (
            isinstance(cls, type)
            and issubclass(cls, TransactionTestCase)
            and not issubclass(cls, TestCase)
        ):
            item.add_marker(pytest.mark.transactional)


@pytest.fixture(autouse=True)
def _site_language():
    """Each test starts in the site's main language. LocaleMiddleware activates the language of
    each page the test client asks for and nothing turns it off after the response, so a test
    that asked for a Welsh page would leave Welsh on for whichever test the process ran next:
    error messages and labels built outside a request would then come out in Welsh."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


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
