"""The one typed helper through which settings read the environment.

It wraps django-environ's ``Env`` (which parses booleans, lists and URLs such as
``DATABASE_URL``) and adds ``require``, which refuses a missing *or empty* value with a
message that names the variable.
"""

from __future__ import annotations

from typing import Any

import environ
from django.core.exceptions import ImproperlyConfigured

env = environ.Env()


def require(name: str, cast: Any = str) -> Any:
    """Return the environment variable ``name`` cast by ``cast``; refuse it missing or empty."""
    raw = env.str(name, default="").strip()
    if not raw:
        raise ImproperlyConfigured(
            f"Set the {name} environment variable: production settings will not start without it."
        )
    return env.get_value(name, cast=cast)
