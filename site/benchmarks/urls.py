"""The site's URLs plus `/bench/plain/`, a view that does nothing but answer: the yardstick
for `make bench` (council/settings/bench.py only, never in the real URLconf)."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from council.urls import *  # noqa: F403 (handler400 and the rest, as the real site)
from council.urls import urlpatterns as site_urlpatterns


def plain(request: HttpRequest) -> HttpResponse:
    return HttpResponse("Plain Django view.\n", content_type="text/plain")


urlpatterns = [path("bench/plain/", plain, name="bench_plain"), *site_urlpatterns]
