"""Ids that work as keys kept out of the logs: a path segment that looks like a UUID or a long
random token is written as "[id]" ("/payments/[id]/return/").

A payment's UUID, a Stripe checkout session's id, a password-reset token: whoever holds one of
these addresses can open the page it leads to, and logs are read by more people, and kept
longer, than the pages are. Numeric database ids and slugs stay: they open nothing by themselves
and an operator needs them.

Used in two places: `RedactingLogger`, gunicorn's access log (`logger_class` in
council/gunicorn.conf.py), and `council.logging.redact`, the filter on every handler of Django's
logging (runserver's `django.server` lines, `django.request`'s "Not Found: /path"). Plain regular
expressions and no Django: gunicorn loads this before the site.
"""

from __future__ import annotations

import re
from typing import Any

from gunicorn.glogging import Logger

ID_REMOVED = "[id]"

# A path segment: what follows a "/" up to the next "/", space, quote, query or fragment.
SEGMENT = re.compile(r"(?<=/)[^/\s\"'?#]+")
# A UUID, with or without its hyphens.
UUID = re.compile(
    r"[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}", re.IGNORECASE
)
# A long run of letters and digits (base64 and hex tokens, "cs_test_a1B2..." session ids). With
# a digit in it: a long slug ("bulky-waste-collection") is words, not a key.
LONG_RUN = re.compile(r"[A-Za-z0-9_+=]{16,}")


def looks_like_id(segment: str) -> bool:
    if UUID.search(segment):
        return True
    return any(any(c.isdigit() for c in run) for run in LONG_RUN.findall(segment))


def redact_ids(text: str) -> str:
    """`text` (a path, a URL or a log line) with every id-like path segment replaced."""
    return SEGMENT.sub(lambda match: ID_REMOVED if looks_like_id(match[0]) else match[0], text)


class RedactingLogger(Logger):
    """gunicorn's logger, with ids redacted from the path (%(U)s) and the request line (%(r)s)
    of each access-log line."""

    def atoms(self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any) -> Any:
        atoms = super().atoms(resp, req, environ, request_time)
        for key in ("U", "r"):
            if isinstance(atoms.get(key), str):
                atoms[key] = redact_ids(atoms[key])
        return atoms
