"""Query analytics for the web team (contract; the implementation fills these in).

Nothing personal is stored: queries are normalised and anything that looks like an email
address, a phone number or a postcode is redacted before it is saved.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse


def redact(query: str) -> str:
    """The query as stored: normalised, with emails, phone numbers and postcodes redacted."""
    raise NotImplementedError


def log_search(request: HttpRequest, query: str, result_count: int) -> int | None:
    """Record one search (the first results page only); return its log id for click links."""
    raise NotImplementedError


def click_url(log_id: int | None, result) -> str:
    """The link for a result: a signed click-through URL, or the result's own URL."""
    raise NotImplementedError


def click(request: HttpRequest) -> HttpResponse:
    """Record which position was chosen for which query, then redirect to the result."""
    raise NotImplementedError
