"""The site's URLs for the browser suite, and one page that fails, so the real 500 page (with
DEBUG off) can be checked in both directions of text."""

from django.conf.urls.i18n import i18n_patterns
from django.http import HttpRequest, HttpResponse
from django.urls import path

from council.urls import urlpatterns as site_urlpatterns

ERROR_PATH = "browser-tests/server-error/"


def server_error(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("A deliberate error: the browser suite checks the 500 page.")


urlpatterns = [
    *i18n_patterns(path(ERROR_PATH, server_error), prefix_default_language=False),
    *site_urlpatterns,
]
