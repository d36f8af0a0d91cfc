"""Local development: the embedded defaults `make run` uses (SQLite, database search,
local-memory cache, console email). Never use these settings on a public server."""

from .base import *  # noqa: F403
from .environment import env

DEBUG = env.bool("DEBUG", default=True)
SECRET_KEY = env.str(
    "SECRET_KEY", default="dev-only-insecure-key-never-used-in-production-0123456789abcdef"
)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
INTERNAL_IPS = ["127.0.0.1"]

# The Fernbridge demo (pages, flows, fake council records, simulated journeys) and the benchmark
# commands: here and in the test suite, never in production.
INSTALLED_APPS = [*INSTALLED_APPS, "demo", "benchmarks"]  # noqa: F405
