"""The site's URLs: admin, search, sitemap, then Wagtail's page tree (per language)."""

from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.contrib.sitemaps.views import sitemap
from wagtail.documents import urls as wagtaildocs_urls

from forms.payments.urls import resident_urlpatterns, webhook_urlpatterns
from search import analytics as search_analytics
from search import views as search_views

urlpatterns = [
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("sitemap.xml", sitemap),
    *webhook_urlpatterns,
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

urlpatterns += i18n_patterns(
    path("search/", search_views.search, name="search"),
    path("search/suggest/", search_views.suggest, name="search_suggest"),
    path("search/click/", search_analytics.click, name="search_click"),
    path("", include("forms.inbox.urls")),
    path("", include("forms.insights.urls")),
    path("", include(resident_urlpatterns)),
    path("", include(wagtail_urls)),
    prefix_default_language=False,
)

# Reliability: error pages rendered without the request, so they need no database (a 500 caused
# by the database being down is the 503 "service unavailable" page). See council/outage.py.
handler400 = "council.outage.bad_request"
handler403 = "council.outage.permission_denied"
handler500 = "council.outage.server_error"
