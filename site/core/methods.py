"""Which HTTP methods a page answers, and the "405 Method Not Allowed" page for the rest.

Wagtail pages answer every method by default (`Page.allowed_http_methods` lists DELETE, PATCH,
PUT...), so a content page would serve itself, 200, to a PUT. Here a page type that keeps that
default is read-only: GET, HEAD and OPTIONS. A page type that takes a form declares it, as
`FlowPage` does with `allowed_http_methods = FORM`. `refuse_other_methods` is Wagtail's
`before_serve_page` hook that applies this (registered in home/wagtail_hooks.py, ahead of
Wagtail's own check, which would read the permissive default), so a new page type is read-only
until it says otherwise. Django views say the same with `require_http_methods` / `require_safe`.

Every 405, a page's or a Django view's (whose `HttpResponseNotAllowed` has no body), is the
site's short GOV.UK page, with `Allow` (`MethodNotAllowedPageMiddleware`).

A method other than GET, HEAD, OPTIONS or TRACE is checked for a CSRF token before any view
runs, so a PUT or DELETE without one (any cross-site one) is refused 403 by CSRF first; with a
token (a same-site script) it gets the 405.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from http import HTTPMethod
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.template import loader
from django.utils.cache import add_never_cache_headers
from wagtail.models import Page

logger = logging.getLogger(__name__)

READ_ONLY: list[HTTPMethod | str] = [HTTPMethod.GET, HTTPMethod.HEAD, HTTPMethod.OPTIONS]
FORM: list[HTTPMethod | str] = [*READ_ONLY, HTTPMethod.POST]

TEMPLATE = "405.html"
FALLBACK = (
    "<!DOCTYPE html><html lang='en-gb'><head><meta charset='utf-8'><title>{title}</title>"
    "</head><body><h1>{title}</h1></body></html>"
)


def _names(methods: Sequence[HTTPMethod | str]) -> list[str]:
    return [m.value if isinstance(m, HTTPMethod) else str(m).upper() for m in methods]


def allowed_methods(page_class: type[Page]) -> list[str]:
    """The methods pages of this type answer: their own `allowed_http_methods`, or READ_ONLY
    for a type that keeps Wagtail's default of every method."""
    declared = page_class.allowed_http_methods
    return _names(READ_ONLY if declared is Page.allowed_http_methods else declared)


def method_not_allowed(allowed: Sequence[str]) -> HttpResponseNotAllowed:
    """A 405 with `Allow`, as the site's page. Rendered without the request, as the other
    error pages are (council/outage.py), so it reads no database."""
    response = HttpResponseNotAllowed(list(allowed))
    fill_in_page(response)
    return response


def fill_in_page(response: HttpResponse) -> None:
    body: str
    try:
        body = loader.render_to_string(TEMPLATE)
    except Exception:  # a bare page rather than a 500 in its place
        logger.exception("The 405 page could not be rendered")
        body = FALLBACK.format(title="Method Not Allowed")
    response.content = body.encode()
    response["Content-Type"] = "text/html; charset=utf-8"
    add_never_cache_headers(response)


def refuse_other_methods(page: Page, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
    """Wagtail's `before_serve_page` hook: a 405 for a method the page does not answer, and for
    OPTIONS the methods it does."""
    allowed = allowed_methods(type(page))
    if request.method not in allowed:
        return method_not_allowed(allowed)
    if request.method == HTTPMethod.OPTIONS.value:
        return HttpResponse(headers={"Allow": ", ".join(allowed)})
    return None


class MethodNotAllowedPageMiddleware:
    """Gives the 405 of a Django view (`require_http_methods`, class-based views: no body) the
    site's page, keeping its `Allow`."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code == 405 and not response.streaming and not response.content:
            fill_in_page(response)
        return response
