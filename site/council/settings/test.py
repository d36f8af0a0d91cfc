"""Settings for the test suite: fast hashing, in-memory email, no network."""

from pathlib import Path

from .base import *  # noqa: F403
from .environment import env

DEBUG = False
SECRET_KEY = "test-only-insecure-key-0123456789abcdefghijklmnopqrstuvwxyz"
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Messages go through Django's mail backend (to memory), so tests read them in mail.outbox; the
# sandbox and GOV.UK Notify have tests of their own (tests/messaging/).
MESSAGE_PROVIDER = "smtp"
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Each pytest-xdist worker ("gw0", "gw1") has folders of its own, as it has a database of its
# own: one worker's retention purge or clean-up never deletes another's files.
_WORKER = env.str("PYTEST_XDIST_WORKER", default="")
MEDIA_ROOT = Path(env.str("TEST_MEDIA_ROOT", default=f"/tmp/council-test-media{_WORKER}"))
PRIVATE_MEDIA_ROOT = Path(
    env.str("TEST_PRIVATE_MEDIA_ROOT", default=f"/tmp/council-test-private{_WORKER}")
)
STORAGES = {
    **STORAGES,  # noqa: F405
    "private": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(PRIVATE_MEDIA_ROOT), "base_url": None},
    },
}

# Security: the admin sign-in lockout (django-axes) is off for the suite, because the test
# client's login() authenticates without a request, which axes refuses; the lockout's own
# tests (tests/council/test_admin_lockout.py) turn it on with override_settings.
AXES_ENABLED = False
# Security: the suite (and the browser suite, which walks every demo flow from one address)
# sends far more answers and searches a minute than a resident could; the rate limits' own
# tests (tests/council/test_rate_limits.py) put back the real RATELIMIT_RATES from base.py.
RATELIMIT_RATES = dict.fromkeys(RATELIMIT_RATES, "100000/m")  # noqa: F405

# The Fernbridge demo (pages, flows, fake council records, simulated journeys) and the benchmark
# commands: here and in the test suite, never in production.
INSTALLED_APPS = [*INSTALLED_APPS, "demo", "benchmarks"]  # noqa: F405
