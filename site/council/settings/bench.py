"""Production settings for `make bench`, plus one plain Django view (`/bench/plain/`) that the
benchmark compares each page with: served by the same gunicorn, through the same middleware.
Never used by the real site."""

from council.headers import content_security_policy

from .production import *  # noqa: F403

ROOT_URLCONF = "benchmarks.urls"
# The demo's flows name its fee and look-up handlers, which the demo app registers.
INSTALLED_APPS = [*INSTALLED_APPS, "demo"]  # noqa: F405

# The benchmark's resident surge pays for a paid flow as residents do, and no money may move:
# payments go to the sandbox's test page on the site (forms/payments/sandbox.py), which takes
# none. production.py refuses PAYMENT_PROVIDER=sandbox from the environment, and still does for
# the real site; the benchmark's server starts with stripe there (and Stripe's keys, never
# called) and is switched to the sandbox here, after production's checks have run. The policy's
# form-action follows the provider, as production's does.
PAYMENT_PROVIDER = "sandbox"
CONTENT_SECURITY_POLICY = content_security_policy(PAYMENT_PROVIDER, upgrade_insecure_requests=True)
