"""A service page tells a resident what they need, what it costs, and every way to do it."""

import datetime

from bs4 import BeautifulSoup
from django.test import TestCase
from wagtail.models import Site

from services.models import ContactSettings, ServicePageRelatedService
from tests.factories import CategoryPageFactory, ServicePageFactory, make_site


class ServicePageTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.home = make_site()
        cls.category = CategoryPageFactory(parent=cls.home, title="Bins", slug="bins")
        cls.extra_help = ServicePageFactory(parent=cls.category, slug="extra-help")
        cls.library = ServicePageFactory(parent=cls.category, slug="digital-support")
        contact = ContactSettings.for_site(Site.objects.get(is_default_site=True))
        contact.phone_number = "01632 960 000"
        contact.phone_hours = "Monday to Friday, 8:30am to 5:30pm"
        contact.face_to_face = "Civic Centre, by appointment."
        contact.extra_help_page = cls.extra_help
        contact.digital_support_page = cls.library
        contact.save()
        cls.service = ServicePageFactory(
            parent=cls.category,
            title="Book a bulky waste collection",
            slug="bulky-waste",
            summary="We collect large items such as sofas.",
            who_can_use="<p>Anyone who lives in Fernbridge.</p>",
            before_you_start="<ul><li>a list of your items</li></ul>",
            cost="£25 for up to 3 items",
            time_to_complete="About 5 minutes",
            service_standard="We collect within 10 working days.",
            last_reviewed=datetime.date(2026, 11, 1),
            body=[{"type": "warning_text", "value": {"text": "Do not leave items out early."}}],
        )

    def soup(self, url="/bins/bulky-waste/") -> BeautifulSoup:
        response = self.client.get(url)
        self.assertEqual(response.status_code, 200)
        return BeautifulSoup(response.content, "html.parser")

    def test_the_facts_a_resident_needs_before_starting(self):
        soup = self.soup()
        text = " ".join(soup.main.get_text(" ").split())
        for expected in [
            "We collect large items such as sofas.",
            "Who can use this service",
            "Anyone who lives in Fernbridge.",
            "Before you start",
            "a list of your items",
            "Cost £25 for up to 3 items",
            "How long it takes About 5 minutes",
            "We collect within 10 working days.",
            "Last reviewed: 1 November 2026",
            "Warning Do not leave items out early.",
        ]:
            self.assertIn(expected, text)

    def test_other_ways_use_the_council_defaults(self):
        section = self.soup().find("section", class_="council-other-ways")
        text = " ".join(section.get_text(" ").split())
        self.assertIn("01632 960 000", text)
        self.assertIn("Monday to Friday, 8:30am to 5:30pm", text)
        self.assertIn("Civic Centre, by appointment.", text)
        self.assertEqual(section.find("a", href="tel:01632960000").get_text(), "01632 960 000")
        self.assertIsNotNone(section.find("a", href="/bins/extra-help/"))
        self.assertIsNotNone(section.find("a", href="/bins/digital-support/"))

    def test_a_service_can_have_its_own_phone_line_and_face_to_face_text(self):
        self.service.phone_number = "01632 960 100"
        self.service.face_to_face = "Bring your items to Colley Lane."
        self.service.save_revision().publish()
        text = self.soup().find("section", class_="council-other-ways").get_text()
        self.assertIn("01632 960 100", text)
        self.assertNotIn("01632 960 000", text)
        self.assertIn("Bring your items to Colley Lane.", text)

    def test_start_button_only_when_there_is_an_online_service(self):
        self.assertIsNone(self.soup().select_one(".govuk-button--start"))
        self.service.external_start_url = "https://www.gov.uk/register-to-vote"
        self.service.start_button_text = "Register on GOV.UK"
        self.service.save_revision().publish()
        button = self.soup().select_one(".govuk-button--start")
        self.assertEqual(button["href"], "https://www.gov.uk/register-to-vote")
        self.assertIn("Register on GOV.UK", button.get_text())

    def test_related_services_link_only_to_live_pages(self):
        live = ServicePageFactory(parent=self.category, title="Order a new bin")
        draft = ServicePageFactory(parent=self.category, title="Secret draft", live=False)
        self.service.related_services = [
            ServicePageRelatedService(service=live),
            ServicePageRelatedService(service=draft),
        ]
        self.service.save_revision().publish()
        aside = self.soup().find("aside")
        self.assertEqual([a.get_text() for a in aside.find_all("a")], ["Order a new bin"])
