"""The home page: search box, top tasks chosen by editors, categories and the alert banner."""

from bs4 import BeautifulSoup
from django.test import TestCase

from home.models import HomePageTopTask
from tests.factories import CategoryPageFactory, ServicePageFactory, make_site


class HomePageTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.home = make_site()
        cls.bins = CategoryPageFactory(
            parent=cls.home, title="Bins", slug="bins", intro="Collections and recycling."
        )
        cls.roads = CategoryPageFactory(parent=cls.home, title="Roads", slug="roads")
        cls.bin_day = ServicePageFactory(parent=cls.bins, title="Find your bin day")
        cls.pothole = ServicePageFactory(parent=cls.roads, title="Report a pothole")
        cls.home.top_tasks = [
            HomePageTopTask(page=cls.pothole),
            HomePageTopTask(page=cls.bin_day),
        ]
        cls.home.save_revision().publish()

    def soup(self) -> BeautifulSoup:
        return BeautifulSoup(self.client.get("/").content, "html.parser")

    def test_search_box_submits_to_the_search_page(self):
        form = self.soup().find("form", attrs={"role": "search"})
        self.assertEqual(form["action"], "/search/")
        self.assertEqual(form["method"], "get")
        label = form.find("label")
        self.assertEqual(form.find("input", attrs={"name": "q"})["id"], label["for"])

    def test_top_tasks_in_the_order_editors_chose(self):
        titles = [
            a.get_text(strip=True) for a in self.soup().select(".council-card-list")[0].select("a")
        ]
        self.assertEqual(titles, ["Report a pothole", "Find your bin day"])

    def test_unpublished_top_task_is_not_shown(self):
        self.pothole.unpublish()
        self.assertNotIn("Report a pothole", self.soup().get_text())

    def test_categories_are_listed_with_their_intro(self):
        text = self.soup().get_text()
        self.assertIn("Bins", text)
        self.assertIn("Collections and recycling.", text)
        self.assertIn("Roads", text)

    def test_alert_banner_shows_only_when_switched_on(self):
        self.home.alert_title = "Bin collections delayed by snow"
        self.home.alert_text = "We will collect as soon as it is safe."
        self.home.save_revision().publish()
        self.assertIsNone(self.soup().select_one(".govuk-notification-banner"))

        self.home.alert_enabled = True
        self.home.save_revision().publish()
        banner = self.soup().select_one(".govuk-notification-banner")
        self.assertIn("Bin collections delayed by snow", banner.get_text())
        self.assertEqual(banner["role"], "region")
