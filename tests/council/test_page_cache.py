"""The page cache (core/pagecache.py): content pages served to anonymous readers from the
cache, at once up to date after an editor's change, and nothing personal ever cached.

Runs against the test settings' local-memory cache (cleared before each test by conftest),
a django-redis cache pointed at a closed port, and, for the CDN purge, a real HTTP server on
loopback that records the PURGE requests Wagtail sends it."""

from __future__ import annotations

import http.server
import re
import threading

from django.contrib.auth import get_user_model
from django.test import TestCase, override_settings
from wagtail.models import Locale, PageViewRestriction

from demo.loader import DemoLoader
from services.models import ContactSettings, ServicePage, ServicePageRelatedService
from tests.council.servers import free_port
from tests.factories import CategoryPageFactory, ServicePageFactory, make_site

SERVICE = "/bins/bulky-waste/"


def is_private(response) -> bool:
    cache_control = response.get("Cache-Control", "")
    return "private" in cache_control and "no-cache" in cache_control


class ContentPageTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.home = make_site()
        cls.category = CategoryPageFactory(parent=cls.home, slug="bins", title="Bins")
        cls.service = ServicePageFactory(
            parent=cls.category, slug="bulky-waste", title="Bulky waste collection"
        )


class PageCacheTests(ContentPageTestCase):
    def test_second_anonymous_get_is_served_from_the_cache_without_the_database(self):
        first = self.client.get(SERVICE)
        self.assertEqual(first["X-Cache"], "miss")
        with self.assertNumQueries(0):
            second = self.client.get(SERVICE)
        self.assertEqual(second.status_code, 200)
        self.assertEqual(second["X-Cache"], "hit")
        self.assertEqual(second.content, first.content)
        self.assertContains(second, "Bulky waste collection")

    def test_cacheable_page_headers(self):
        for response in (self.client.get(SERVICE), self.client.get(SERVICE)):
            cache_control = {d.strip() for d in response["Cache-Control"].split(",")}
            self.assertEqual(cache_control, {"public", "max-age=60", "s-maxage=300"})
            # The language is in the path: a CDN keeps one copy, whatever Accept-Language says.
            self.assertNotIn("accept-language", response.get("Vary", "").lower())
            self.assertFalse(response.cookies)
            self.assertNotContains(response, "csrfmiddlewaretoken")

    def test_home_and_category_pages_are_cached_too(self):
        for path in ("/", "/bins/"):
            self.client.get(path)
            self.assertEqual(self.client.get(path)["X-Cache"], "hit", path)

    def test_publishing_a_change_shows_on_the_next_request(self):
        self.client.get(SERVICE)
        self.client.get("/bins/")
        service = ServicePage.objects.get(pk=self.service.pk)
        service.title = "Large item collection"
        service.save_revision().publish()
        response = self.client.get(SERVICE)
        self.assertEqual(response["X-Cache"], "miss")
        self.assertContains(response, "Large item collection")
        # The category lists it under its new name at once too.
        self.assertContains(self.client.get("/bins/"), "Large item collection")

    def test_unpublishing_a_page_takes_it_off_at_once(self):
        self.client.get(SERVICE)
        ServicePage.objects.get(pk=self.service.pk).unpublish()
        self.assertEqual(self.client.get(SERVICE).status_code, 404)

    def test_changing_the_contact_settings_shows_on_the_next_request(self):
        self.client.get(SERVICE)
        settings = ContactSettings.for_site(self.home.get_site())
        settings.phone_number = "01632 960 999"
        settings.save()
        self.assertContains(self.client.get(SERVICE), "01632 960 999")

    def test_a_new_related_service_shows_once_the_page_is_published(self):
        self.client.get(SERVICE)
        other = ServicePageFactory(parent=self.category, title="Garden waste")
        ServicePageRelatedService.objects.create(page=self.service, service=other)
        self.assertContains(self.client.get(SERVICE), "Garden waste")

    def test_a_signed_in_editor_is_never_served_or_given_a_cached_page(self):
        self.client.get(SERVICE)  # cached for anonymous readers
        user = get_user_model().objects.create_user("editor", password="x" * 16)
        self.client.force_login(user)
        response = self.client.get(SERVICE)
        self.assertNotIn("X-Cache", response)
        self.assertTrue(is_private(response), response["Cache-Control"])

    def test_a_query_string_is_never_cached(self):
        response = self.client.get(SERVICE + "?utm_source=leaflet")
        self.assertEqual(response.status_code, 200)
        self.assertNotIn("X-Cache", response)
        self.assertTrue(is_private(response))
        self.assertEqual(self.client.get(SERVICE)["X-Cache"], "miss")

    def test_a_request_for_a_fresh_copy_is_built_again_the_same(self):
        cached = self.client.get(SERVICE)
        fresh = self.client.get(SERVICE, HTTP_CACHE_CONTROL="no-cache")
        self.assertEqual(fresh["X-Cache"], "miss")
        self.assertEqual(fresh.content, cached.content)

    def test_a_page_behind_a_password_is_never_cached(self):
        PageViewRestriction.objects.create(
            page=self.service, restriction_type=PageViewRestriction.PASSWORD, password="secret"
        )
        for _ in range(2):
            response = self.client.get(SERVICE)
            self.assertNotContains(response, "Bulky waste collection", status_code=200)
            self.assertNotIn("X-Cache", response)
            self.assertTrue(is_private(response))

    def test_a_page_restricted_after_it_was_cached_is_restricted_at_once(self):
        self.client.get(SERVICE)
        PageViewRestriction.objects.create(
            page=self.category, restriction_type=PageViewRestriction.LOGIN
        )
        response = self.client.get(SERVICE)
        self.assertEqual(response.status_code, 302)
        self.assertTrue(is_private(response))

    def test_not_found_is_not_cached(self):
        for _ in range(2):
            response = self.client.get("/bins/no-such-service/")
            self.assertEqual(response.status_code, 404)
            self.assertNotIn("X-Cache", response)
            self.assertTrue(is_private(response))

    def test_a_preview_shows_the_draft_not_the_cached_page(self):
        self.client.get(SERVICE)
        self.client.get(SERVICE)
        draft = ServicePage.objects.get(pk=self.service.pk)
        draft.title = "Draft title nobody has published"
        response = draft.make_preview_request()
        self.assertContains(response, "Draft title nobody has published")
        self.assertNotIn("X-Cache", response)
        self.assertNotIn("public", response.get("Cache-Control", ""))
        self.assertContains(self.client.get(SERVICE), "Bulky waste collection")


class TranslatedContentTestCase(ContentPageTestCase):
    """The service page in Welsh too, under the home page and category in Welsh."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        welsh = Locale.objects.create(language_code="cy")
        cls.welsh_service = cls.service.copy_for_translation(welsh, copy_parents=True)
        cls.welsh_service.title = "Casgliadau gwastraff swmpus"
        cls.welsh_service.save_revision().publish()
        for page in cls.welsh_service.get_ancestors().filter(depth__gt=1):
            if not page.live and not page.alias_of_id:
                page.specific.save_revision().publish()


class TranslatedPageCacheTests(TranslatedContentTestCase):
    def test_each_language_is_cached_on_its_own(self):
        english, welsh = self.client.get(SERVICE), self.client.get("/cy" + SERVICE)
        self.assertContains(welsh, "Casgliadau gwastraff swmpus")
        self.assertEqual(self.client.get("/cy" + SERVICE)["X-Cache"], "hit")
        self.assertEqual(self.client.get(SERVICE).content, english.content)
        self.assertContains(welsh, 'lang="cy"')


class PurgeRecorder(http.server.BaseHTTPRequestHandler):
    """A stand-in for Varnish: records each PURGE (path and Host) and says it is done."""

    purged: list[tuple[str, str]] = []

    def do_PURGE(self):
        self.purged.append((self.headers["Host"], self.path))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


class CdnPurgeTests(TranslatedContentTestCase):
    def setUp(self):
        PurgeRecorder.purged = []
        port = free_port()
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", port), PurgeRecorder)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.addCleanup(self.server.server_close)
        self.addCleanup(self.server.shutdown)
        backend = {
            "BACKEND": "wagtail.contrib.frontend_cache.backends.HTTPBackend",
            "LOCATION": f"http://127.0.0.1:{port}",
        }
        override = override_settings(WAGTAILFRONTENDCACHE={"varnish": backend})
        override.enable()
        self.addCleanup(override.disable)

    def test_publishing_purges_the_page_in_every_language_and_the_pages_that_list_it(self):
        ServicePage.objects.get(pk=self.service.pk).save_revision().publish()
        purged = set(PurgeRecorder.purged)
        expected = {
            ("localhost", path)
            for path in (SERVICE, "/cy" + SERVICE, "/bins/", "/cy/bins/", "/", "/cy/")
        }
        self.assertEqual(purged, expected)

    def test_unpublishing_purges_it_too(self):
        ServicePage.objects.get(pk=self.service.pk).unpublish()
        self.assertIn(("localhost", SERVICE), PurgeRecorder.purged)
        self.assertIn(("localhost", "/bins/"), PurgeRecorder.purged)

    def test_nothing_is_sent_without_a_cdn(self):
        with override_settings(WAGTAILFRONTENDCACHE=None):
            ServicePage.objects.get(pk=self.service.pk).save_revision().publish()
        self.assertEqual(PurgeRecorder.purged, [])


@override_settings(
    CACHES={
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{free_port()}/0",  # nobody listens there
            "OPTIONS": {
                "SOCKET_CONNECT_TIMEOUT": 0.25,
                "SOCKET_TIMEOUT": 0.25,
                "IGNORE_EXCEPTIONS": True,
            },
        }
    },
    DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS=False,
)
class CacheDownTests(ContentPageTestCase):
    def test_pages_are_served_uncached_when_redis_is_down(self):
        for _ in range(2):
            response = self.client.get(SERVICE)
            self.assertEqual(response.status_code, 200)
            self.assertContains(response, "Bulky waste collection")
            self.assertNotEqual(response.get("X-Cache"), "hit")

    def test_publishing_still_works(self):
        service = ServicePage.objects.get(pk=self.service.pk)
        service.title = "Renamed while Redis is down"
        service.save_revision().publish()
        self.assertContains(self.client.get(SERVICE), "Renamed while Redis is down")


class PersonalPagesNeverCachedTests(TestCase):
    """Form steps, search, track your request and the admin, on the demo content."""

    @classmethod
    def setUpTestData(cls):
        DemoLoader().load()

    def assert_never_cached(self, response) -> None:
        self.assertNotIn("X-Cache", response)
        self.assertTrue(is_private(response), response.get("Cache-Control"))
        self.assertNotIn("public", response.get("Cache-Control", ""))

    def test_form_steps_are_private(self):
        from forms.flows.models import FlowPage

        flow = FlowPage.objects.live().filter(locale__language_code="en-gb").first()
        start = self.client.get(flow.url)
        self.assert_never_cached(start)
        step_url = start["Location"]
        for _ in range(2):
            step = self.client.get(step_url)
            self.assertEqual(step.status_code, 200)
            self.assertContains(step, "csrfmiddlewaretoken")
            self.assert_never_cached(step)

    def test_search_track_and_admin_are_private(self):
        for path in ("/search/?q=bins", "/search/", "/track/", "/admin/", "/cy/search/?q=bins"):
            for _ in range(2):
                self.assert_never_cached(self.client.get(path))

    def test_no_cached_page_carries_a_csrf_token_or_a_cookie(self):
        for page in ServicePage.objects.live()[:10]:
            self.client.get(page.url)
            response = self.client.get(page.url)
            self.assertEqual(response["X-Cache"], "hit", page.url)
            self.assertNotContains(response, "csrfmiddlewaretoken")
            self.assertFalse(response.cookies)


class FlowStepRouteTests(TestCase):
    """A flow's steps are never cached whole (each is a resident's own), but which page their
    address is, and the footer and search box every page shares, come from the page cache's
    route and fragment caches, as a content page's do: and an editor's change shows at once."""

    @classmethod
    def setUpTestData(cls):
        DemoLoader().load()

    def setUp(self):
        from forms.flows.models import FlowPage

        self.flow = FlowPage.objects.live().get(
            slug="report", locale__language_code="en-gb", url_path__contains="missed-bin"
        )
        self.step_url = self.client.get(self.flow.url)["Location"]

    def test_a_step_is_routed_from_the_cache_and_keeps_its_own_form(self):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        first = self.client.get(self.step_url)
        with CaptureQueriesContext(connection) as queries:
            second = self.client.get(self.step_url)
        self.assertEqual(second.status_code, 200)
        looked_up = [
            q["sql"]
            for q in queries.captured_queries
            if any(t in q["sql"] for t in ("wagtailcore_page", "wagtailcore_locale", "settings"))
        ]
        self.assertEqual(looked_up, [], "pages, locales or settings looked up again")
        # The same page, footer and all, with this resident's own form and answers' journey.
        self.assertContains(second, "Which bins")
        self.assertContains(second, 'class="govuk-footer')
        self.assertContains(second, "csrfmiddlewaretoken")
        token = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]+"')
        self.assertEqual(token.sub(b"", second.content), token.sub(b"", first.content))
        self.assertNotIn("X-Cache", second)

        # Another resident is given a journey of their own, on the same page.
        other = self.client_class()
        other_url = other.get(self.flow.url)["Location"]
        self.assertNotEqual(other_url, self.step_url)
        self.assertContains(other.get(other_url), "Which bins")

    def test_publishing_a_change_to_the_flow_shows_on_the_next_step(self):
        self.client.get(self.step_url)
        raw = list(self.flow.steps.raw_data)
        raw[0] = {**raw[0], "value": {**raw[0]["value"], "heading": "Which bins were missed?"}}
        self.flow.steps = raw
        self.flow.save_revision().publish()
        self.assertContains(self.client.get(self.step_url), "Which bins were missed?")

    def test_unpublishing_the_flow_takes_its_steps_off_at_once(self):
        self.client.get(self.step_url)
        self.flow.unpublish()
        self.assertEqual(self.client.get(self.step_url).status_code, 404)

    def test_a_new_footer_link_shows_on_the_steps_at_once(self):
        from home.models import StandardPage

        self.client.get(self.step_url)
        page = StandardPage.objects.live().filter(locale__language_code="en-gb").first()
        page.title, page.show_in_menus = "Our new footer page", True
        page.save_revision().publish()
        self.assertContains(self.client.get(self.step_url), "Our new footer page")
