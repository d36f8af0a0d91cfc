"""The base layout every page shares: skip link, language, landmarks, no inline code."""

from bs4 import BeautifulSoup
from django.test import TestCase

from home.models import StandardPage
from tests.factories import CategoryPageFactory, ServicePageFactory, make_site


class BaseLayoutTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.home = make_site()
        category = CategoryPageFactory(parent=cls.home, title="Parking", slug="parking")
        cls.service = ServicePageFactory(parent=category, title="Pay a parking fine", slug="pcn")
        for title, slug in [
            ("Accessibility statement", "accessibility-statement"),
            ("Privacy notice", "privacy-notice"),
            ("Cookies", "cookies"),
            ("Contact us", "contact"),
        ]:
            cls.home.add_child(instance=StandardPage(title=title, slug=slug, show_in_menus=True))

    def soup(self, url: str) -> BeautifulSoup:
        response = self.client.get(url)
        self.assertEqual(response.status_code, 200, url)
        return BeautifulSoup(response.content, "html.parser")

    def test_skip_link_is_the_first_link_and_targets_main(self):
        for url in ["/", "/parking/", "/parking/pcn/", "/cookies/", "/search/?q=fine"]:
            with self.subTest(url=url):
                soup = self.soup(url)
                first_link = soup.body.find("a")
                self.assertIn("govuk-skip-link", first_link["class"])
                self.assertEqual(first_link.get_text(strip=True), "Skip to main content")
                self.assertEqual(soup.find("main")["id"], first_link["href"].lstrip("#"))

    def test_page_declares_its_language(self):
        self.assertEqual(self.soup("/parking/pcn/").html["lang"], "en-gb")

    def test_landmarks_header_main_footer_and_one_h1(self):
        soup = self.soup("/parking/pcn/")
        self.assertEqual(len(soup.find_all("header", class_="govuk-template__header")), 1)
        self.assertEqual(len(soup.find_all("main")), 1)
        self.assertEqual(len(soup.find_all("footer")), 1)
        self.assertEqual(len(soup.find_all("h1")), 1)
        self.assertEqual(soup.find("nav", class_="govuk-breadcrumbs")["aria-label"], "Breadcrumb")

    def test_header_names_the_council_and_has_a_phase_banner(self):
        soup = self.soup("/")
        self.assertEqual(
            soup.select_one(".govuk-generic-header__homepage-link").get_text(strip=True),
            "Fernbridge City Council",
        )
        self.assertIn("new website", soup.select_one(".govuk-phase-banner").get_text())

    def test_breadcrumbs_lead_from_home_to_the_category(self):
        soup = self.soup("/parking/pcn/")
        crumbs = [(a.get_text(strip=True), a["href"]) for a in soup.select(".govuk-breadcrumbs a")]
        self.assertEqual(crumbs, [("Home", "/"), ("Parking", "/parking/")])

    def test_footer_links_the_standard_pages(self):
        soup = self.soup("/parking/pcn/")
        links = {a.get_text(strip=True): a["href"] for a in soup.select("footer ul a")}
        self.assertEqual(
            links,
            {
                "Accessibility statement": "/accessibility-statement/",
                "Privacy notice": "/privacy-notice/",
                "Cookies": "/cookies/",
                "Contact us": "/contact/",
                "Track your request": "/track/",
                "Your requests": "/your-requests/",
            },
        )

    def test_no_inline_script_or_style(self):
        for url in ["/", "/parking/", "/parking/pcn/", "/search/?q=fine", "/no-such-page/"]:
            with self.subTest(url=url):
                response = self.client.get(url)
                soup = BeautifulSoup(response.content, "html.parser")
                for script in soup.find_all("script"):
                    self.assertTrue(script.get("src"), f"inline script on {url}")
                    self.assertFalse(script.get_text(strip=True))
                self.assertEqual(soup.find_all("style"), [])
                self.assertEqual(soup.select("[style]"), [])
                on_attributes = [
                    (tag.name, attr)
                    for tag in soup.find_all(True)
                    for attr in tag.attrs
                    if attr.startswith("on")
                ]
                self.assertEqual(on_attributes, [])

    def test_missing_page_gets_the_styled_404_with_a_search_box(self):
        response = self.client.get("/no-such-page/")
        self.assertEqual(response.status_code, 404)
        soup = BeautifulSoup(response.content, "html.parser")
        self.assertEqual(soup.h1.get_text(strip=True), "Page not found")
        self.assertIsNotNone(soup.find("input", attrs={"name": "q"}))
