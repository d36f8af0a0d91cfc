"""The pages a resident sees when something underneath the site fails, and the error views.

- The database cannot be reached (PostgreSQL restarting, a dropped connection): a 503 "Sorry,
  the service is unavailable" page with `Retry-After`, instead of a 500. A flow's earlier answers
  are in the session, which was saved by the previous request, so the resident goes back and
  selects Continue again once the database is back.
- 400, 403, 500 and a refused CSRF check: the site's own GOV.UK pages.

Every page here is rendered without the request, so no context processor and no template tag
can touch the database (base.html's tags read ContactSettings and the Wagtail site only when
they are given a request): they render while the database is down, and for a request whose
Host header Django refuses.
"""

from __future__ import annotations

import logging
import sys
from typing import Any

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.template import loader
from django.utils.cache import add_never_cache_headers

logger = logging.getLogger(__name__)

DATABASE_ERRORS = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 120
FALLBACK = (
    "<!DOCTYPE html><html lang='en-gb'><head><meta charset='utf-8'><title>{title}</title></head>"
    "<body><h1>{title}</h1></body></html>"
)


def render_standalone(
    template_name: str, status: int, context: dict[str, Any] | None = None, fallback: str = ""
) -> HttpResponse:
    """`template_name` rendered without the request (see above), never cached. Should the
    template itself fail, a bare page with the same status still goes out."""
    body: str
    try:
        body = loader.render_to_string(template_name, context or {})
    except Exception:
        logger.exception("The %s page could not be rendered", status)
        body = FALLBACK.format(title=fallback or str(status))
    response = HttpResponse(body, status=status)
    add_never_cache_headers(response)
    return response


def service_unavailable() -> HttpResponse:
    response = render_standalone("503.html", 503, fallback="Sorry, the service is unavailable")
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


class DatabaseOutageMiddleware:
    """A database error raised by a view becomes the 503 page (placed last in MIDDLEWARE, so
    it is the first to see the view's exception)."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, DATABASE_ERRORS):
            return None
        # The class only: a driver's message can quote the query and its parameters.
        logger.error(
            "Database unavailable (%s): answered 503 to %s %s",
            type(exception).__name__,
            request.method,
            request.path,
        )
        return service_unavailable()


def server_error(request: HttpRequest, template_name: str = "500.html") -> HttpResponse:
    """handler500. A database error raised outside a view (saving the session, a middleware)
    is still the outage page, not a 500."""
    error = sys.exc_info()[1]
    if isinstance(error, DATABASE_ERRORS):
        return service_unavailable()
    return render_standalone(template_name, 500, fallback="Sorry, there is a problem")


def bad_request(request: HttpRequest, exception: Exception, template_name: str = "400.html"):
    """handler400: a request Django cannot read (a bad Host header, too many fields, a body
    too large for memory, a broken multipart body)."""
    return render_standalone(template_name, 400, fallback="Sorry, we could not read that")


def permission_denied(request: HttpRequest, exception: Exception, template_name: str = "403.html"):
    """handler403."""
    return render_standalone(template_name, 403, fallback="You cannot see this page")


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW: most often a form left open past the session's end, or a browser that
    refuses cookies. The answers already saved are kept; going back and trying again works."""
    return render_standalone("csrf_failure.html", 403, fallback="Sorry, we could not send that")
