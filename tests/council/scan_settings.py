"""The settings of the site the web-vulnerability scan attacks (tests/council/test_scanner.py):
the test settings, with the database from DATABASE_URL and every rate limit off.

The scan is about injection, not limits: one scanner sends thousands of requests a minute from
one address, and 429 answers would hide the pages it is attacking. The test settings already
raise RATELIMIT_RATES; this also covers the limits that are not in it (track your request's
tries per client and per reference, forms/inbox/track.py). The limits have tests of their own
(tests/council/test_rate_limits.py)."""

from council.settings.test import *  # noqa: F403

RATELIMIT_ENABLE = False
