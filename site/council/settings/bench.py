"""Production settings for `make bench`, plus one plain Django view (`/bench/plain/`) that the
benchmark compares each page with: served by the same gunicorn, through the same middleware.
Never used by the real site."""

from .production import *  # noqa: F403

ROOT_URLCONF = "benchmarks.urls"
# The demo's flows name its fee and look-up handlers, which the demo app registers.
INSTALLED_APPS = [*INSTALLED_APPS, "demo"]  # noqa: F405
