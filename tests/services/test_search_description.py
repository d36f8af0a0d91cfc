"""Search engines show a page's description from what the page says now: the promote tab's search
description if an editor wrote one, or else the page's own summary or introduction, so a changed
summary never leaves an old description behind."""

from __future__ import annotations

from bs4 import BeautifulSoup
from django.test import TestCase

from home.models import StandardPage
from tests.factories import CategoryPageFactory, ServicePageFactory, make_site
from tests.flows.factories import make_flow, page, question


class SearchDescriptionTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.home = make_site()
        cls.category = CategoryPageFactory(
            parent=cls.home, slug="bins", title="Bins", intro="Collections, recycling and tips."
        )
        cls.service = ServicePageFactory(
            parent=cls.category,
            slug="missed-bin",
            title="Report a missed bin collection",
            summary="Tell us if we did not empty your bin on your collection day.",
        )

    def description(self, url: str) -> str | None:
        response = self.client.get(url, follow=True)
        self.assertEqual(response.status_code, 200, url)
        tags = BeautifulSoup(response.content, "html.parser").select('meta[name="description"]')
        self.assertLessEqual(len(tags), 1, url)
        return tags[0]["content"] if tags else None

    def test_a_service_without_a_search_description_is_described_by_its_summary(self):
        self.assertEqual(
            self.description(self.service.url),
            "Tell us if we did not empty your bin on your collection day.",
        )

    def test_a_changed_summary_changes_the_description(self):
        self.service.summary = "Report a bin we missed, up to 2 working days after collection."
        self.service.save_revision().publish()
        self.assertEqual(
            self.description(self.service.url),
            "Report a bin we missed, up to 2 working days after collection.",
        )

    def test_an_editor_s_search_description_comes_first(self):
        self.service.search_description = "Missed bin? Report it online in 2 minutes."
        self.service.save_revision().publish()
        self.assertEqual(
            self.description(self.service.url), "Missed bin? Report it online in 2 minutes."
        )

    def test_pages_without_a_summary_are_described_by_their_introduction(self):
        accessibility = StandardPage(
            title="Accessibility statement",
            slug="accessibility",
            intro="How accessible this website is, and how to tell us about a problem.",
        )
        self.home.add_child(instance=accessibility)
        self.assertEqual(self.description(self.category.url), "Collections, recycling and tips.")
        self.assertEqual(
            self.description(accessibility.url),
            "How accessible this website is, and how to tell us about a problem.",
        )
        self.assertEqual(self.description(self.home.url), self.home.intro)

    def test_a_flow_s_pages_are_described_by_their_service_s_summary(self):
        flow = make_flow(
            [page("which-bins", question("short_text", "bins", "Which bins did we miss?"))],
            service=self.service,
            slug="report",
        )
        self.assertEqual(
            self.description(flow.url),
            "Tell us if we did not empty your bin on your collection day.",
        )

    def test_a_page_with_nothing_to_say_has_no_description(self):
        self.category.intro = ""
        self.category.save_revision().publish()
        self.assertIsNone(self.description(self.category.url))
