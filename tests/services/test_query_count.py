"""A service page costs a fixed number of queries, however many services the site has; built
again with its fragments cached (core/pagecache.py), none at all."""

from django.core.cache import cache
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from wagtail.models import Site

from services.models import ServicePageRelatedService
from tests.factories import CategoryPageFactory, ServicePageFactory, make_site


class ServicePageQueryCountTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.home = make_site()
        cls.category = CategoryPageFactory(parent=cls.home, slug="bins")
        cls.service = ServicePageFactory(parent=cls.category, slug="bulky-waste")

    def count_queries(self, url: str, fragments_cached: bool = False) -> int:
        """Queries to build the page (never from the whole-page cache: the request asks for a
        fresh copy), with an empty cache but for the site root paths, as a running site has
        them, or with the page's fragments and route cached too."""
        self.client.get(url)  # the site's settings are made on first use, as on a running site
        cache.clear()
        Site.get_site_root_paths()
        if fragments_cached:
            self.client.get(url, HTTP_CACHE_CONTROL="no-cache")
        with CaptureQueriesContext(connection) as queries:
            response = self.client.get(url, HTTP_CACHE_CONTROL="no-cache")
        self.assertEqual(response.status_code, 200)
        self.assertNotEqual(response.get("X-Cache"), "hit")
        return len(queries)

    def add_services(self, count: int, related: bool) -> None:
        for _ in range(count):
            other = ServicePageFactory(parent=self.category)
            if related:
                ServicePageRelatedService.objects.create(page=self.service, service=other)
        self.service.save_revision().publish()

    def test_service_page_queries_do_not_grow_with_services_or_related_links(self):
        self.add_services(2, related=True)
        few = self.count_queries("/bins/bulky-waste/")
        self.add_services(20, related=False)
        self.add_services(4, related=True)
        many = self.count_queries("/bins/bulky-waste/")
        self.assertEqual(few, many)
        # Built from scratch (an empty cache); with its fragments cached it costs none (below).
        self.assertLessEqual(many, 17)  # one of them: the page's translations, for the switcher

    def test_a_service_page_built_from_cached_fragments_costs_no_query(self):
        self.add_services(3, related=True)
        self.assertEqual(self.count_queries("/bins/bulky-waste/", fragments_cached=True), 0)
        self.assertEqual(self.count_queries("/bins/", fragments_cached=True), 0)

    def test_category_page_queries_do_not_grow_with_its_services(self):
        self.add_services(2, related=False)
        few = self.count_queries("/bins/")
        self.add_services(25, related=False)
        self.assertEqual(self.count_queries("/bins/"), few)
