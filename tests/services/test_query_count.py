"""A service page costs a fixed number of queries, however many services the site has."""

from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext

from services.models import ServicePageRelatedService
from tests.factories import CategoryPageFactory, ServicePageFactory, make_site


class ServicePageQueryCountTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.home = make_site()
        cls.category = CategoryPageFactory(parent=cls.home, slug="bins")
        cls.service = ServicePageFactory(parent=cls.category, slug="bulky-waste")

    def count_queries(self, url: str) -> int:
        self.client.get(url)  # warm the site root-path cache, as a running site has
        with CaptureQueriesContext(connection) as queries:
            response = self.client.get(url)
        self.assertEqual(response.status_code, 200)
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
        self.assertLessEqual(many, 17)  # one of them: the page's translations, for the switcher

    def test_category_page_queries_do_not_grow_with_its_services(self):
        self.add_services(2, related=False)
        few = self.count_queries("/bins/")
        self.add_services(25, related=False)
        self.assertEqual(self.count_queries("/bins/"), few)
