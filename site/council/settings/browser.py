"""The browser accessibility suite's server (tests/browser/): the test settings, served for real
by `manage.py runserver` to chromium, with DEBUG off so the real 404 and 500 pages show.

The database comes from BROWSER_DATABASE_URL (a file of the suite's own, made fresh for each run),
never DATABASE_URL, so the suite cannot touch the development or PostgreSQL test database."""

from .environment import env
from .test import *  # noqa: F403

DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
DATABASES = {"default": env.db("BROWSER_DATABASE_URL")}
# The same SQLite options as `make run` (immediate transactions, a busy timeout, WAL).
DATABASES["default"]["OPTIONS"] = {**SQLITE_OPTIONS, **DATABASES["default"].get("OPTIONS", {})}  # noqa: F405
# The site's URLs, and one that raises an exception so the real 500 page can be checked.
ROOT_URLCONF = "tests.browser.urls"
# Email goes to memory (from the test settings); payments to the sandbox page on the site.
PAYMENT_PROVIDER = "sandbox"
# Staticfiles are found straight in site/static by whitenoise (WHITENOISE_USE_FINDERS in base).
# Security: a real browser signs in with a request, so the admin lockout (django-axes) is on,
# as in production (the unit-test settings turn it off for the test client's login()).
AXES_ENABLED = True
