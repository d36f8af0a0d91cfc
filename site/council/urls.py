"""The site's URLs: admin, search, sitemap, then Wagtail's page tree (per language)."""

from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.urls import include, path, re_path
from django.views.decorators.http import require_http_methods, require_safe
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.contrib.sitemaps.views import sitemap
from wagtail.documents.views import serve as documents

from forms.messaging.urls import callback_urlpatterns
from forms.messaging.urls import resident_urlpatterns as message_urlpatterns
from forms.payments.urls import resident_urlpatterns, webhook_urlpatterns
from search import analytics as search_analytics
from search import views as search_views

# Wagtail's document URLs (wagtail.documents.urls), with the methods each view answers: as
# Wagtail ships them they answer any method, PUT and DELETE included. Pages refuse the methods
# they do not answer in core/methods.py; the site's own views say theirs with decorators.
documents_urlpatterns = [
    re_path(r"^(\d+)/(.*)$", require_safe(documents.serve), name="wagtaildocs_serve"),
    path(
        "authenticate_with_password/<int:restriction_id>/",
        require_http_methods(["GET", "HEAD", "POST"])(documents.authenticate_with_password),
        name="wagtaildocs_authenticate_with_password",
    ),
]

urlpatterns = [
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(documents_urlpatterns)),
    path("sitemap.xml", require_safe(sitemap)),
    *webhook_urlpatterns,
    *callback_urlpatterns,
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

urlpatterns += i18n_patterns(
    path("search/", search_views.search, name="search"),
    path("search/suggest/", search_views.suggest, name="search_suggest"),
    path("search/click/", search_analytics.click, name="search_click"),
    path("", include("forms.inbox.urls")),
    path("", include("forms.residents.urls")),
    path("", include("forms.insights.urls")),
    path("", include(resident_urlpatterns)),
    path("", include(message_urlpatterns)),
    path("", include(wagtail_urls)),
    prefix_default_language=False,
)

# Reliability: error pages rendered without the request, so they need no database (a 500 caused
# by the database being down is the 503 "service unavailable" page). See council/outage.py.
handler400 = "council.outage.bad_request"
handler403 = "council.outage.permission_denied"
handler500 = "council.outage.server_error"
