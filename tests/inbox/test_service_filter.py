"""The inbox knows a service by its English title, once, whatever languages its flow is
published in: the filter offers each service once, and a Welsh request is listed, shown,
exported and found under the English title, with the English requests of the same service."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib.auth import get_user_model
from wagtail.models import Locale, Page

from forms.flows.models import FlowPage, Submission
from tests.factories import CategoryPageFactory, ServicePageFactory, make_site
from tests.flows.factories import make_flow, page, question
from tests.inbox.test_inbox import INBOX, InboxTestCase, make_submission, team_group


def translate(original: Page, language: str, title: str = "", **changes: Any) -> Page:
    """`original` copied into `language` (as wagtail-localize does) and published."""
    locale = Locale.objects.get_or_create(language_code=language)[0]
    translated = original.specific.copy_for_translation(locale, copy_parents=False).specific
    if title:
        translated.title = title
    for name, value in changes.items():
        setattr(translated, name, value)
    translated.save_revision().publish()
    return translated


class ServiceFilterTests(InboxTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        home = Page.objects.get(pk=cls.bulky_flow.get_parent().get_parent().get_parent().pk)
        bins = cls.bulky_flow.get_parent().get_parent()
        births = cls.birth_flow.get_parent().get_parent()
        translate(home, "cy")
        translate(bins, "cy", title="Biniau")
        translate(births, "cy", title="Genedigaethau")
        translate(cls.bulky_flow.get_parent(), "cy", title="Gwastraff swmpus")
        translate(cls.birth_flow.get_parent(), "cy", title="Cofrestru genedigaeth")
        cls.welsh_bulky_flow = translate(cls.bulky_flow, "cy", title="Archebu casgliad")
        cls.welsh_birth_flow = translate(cls.birth_flow, "cy", title="Archebu")
        # As the runtime saves it: the English flow, the service's title in Welsh.
        cls.welsh = make_submission(
            cls.bulky_flow, "FCC-CYCY-2345", service_title="Gwastraff swmpus", language="cy"
        )
        # Saved against the Welsh flow itself (as requests once were).
        cls.welsh_old = make_submission(
            cls.welsh_bulky_flow, "FCC-CYCY-6789", service_title="Gwastraff swmpus", language="cy"
        )

    def options(self) -> list[str]:
        soup = self.soup(INBOX)
        return [o.get_text(strip=True) for o in soup.select("select[name=flow] option")]

    def test_each_service_is_offered_once_by_its_english_title_in_order(self):
        self.assertEqual(self.options(), ["All", "Bulky waste", "Register a birth"])

    def test_services_are_sorted_by_their_english_title(self):
        waste = self.bulky_flow.get_parent().get_parent()
        advice = ServicePageFactory(parent=waste, slug="abandoned-car", title="Abandoned car")
        make_flow([page("car", question("short_text", "where"))], service=advice, slug="report")
        self.assertEqual(
            self.options(), ["All", "Abandoned car", "Bulky waste", "Register a birth"]
        )

    def test_a_welsh_request_is_listed_under_the_english_title(self):
        soup = self.soup(INBOX)
        for reference in ("FCC-CYCY-2345", "FCC-CYCY-6789"):
            row = next(tr for tr in soup.select("table tbody tr") if reference in tr.get_text())
            text = " ".join(row.get_text(" ").split())
            self.assertIn("Bulky waste", text)
            self.assertNotIn("Gwastraff", text)

    def test_a_welsh_request_page_shows_the_english_title(self):
        soup = self.soup(f"{INBOX}{self.welsh.pk}/")
        section = soup.find(id="request-heading").find_parent("section")
        service = next(
            div.dd.get_text(strip=True)
            for div in section.select("dl > div")
            if div.dt.get_text(strip=True) == "Service"
        )
        self.assertEqual(service, "Bulky waste")

    def test_filtering_by_a_service_finds_its_requests_in_every_language(self):
        url = f"{INBOX}?flow={self.bulky_flow.pk}"
        self.assertEqual(
            self.listed_references(url), {"FCC-4K7Q-M2XD", "FCC-CYCY-2345", "FCC-CYCY-6789"}
        )
        url = f"{INBOX}?flow={self.birth_flow.pk}"
        self.assertEqual(self.listed_references(url), {"FCC-9ZZZ-8YYY"})

    def test_a_translated_flow_is_not_a_service_of_its_own(self):
        # An old link to the Welsh flow is an unknown choice: the list is not filtered by it,
        # and the page still loads.
        response = self.client.get(f"{INBOX}?flow={self.welsh_bulky_flow.pk}")
        self.assertEqual(response.status_code, 200)

    def test_the_export_names_the_service_in_english(self):
        rows = {row["Reference"]: row for row in self.export_rows()}
        self.assertEqual(rows["FCC-CYCY-2345"]["Service"], "Bulky waste")
        self.assertEqual(rows["FCC-CYCY-6789"]["Service"], "Bulky waste")

    def test_searching_for_the_english_title_finds_welsh_requests(self):
        found = self.listed_references(f"{INBOX}?{urlencode({'q': 'bulky'})}")
        self.assertEqual(found, {"FCC-4K7Q-M2XD", "FCC-CYCY-2345", "FCC-CYCY-6789"})

    def test_sorting_by_service_uses_the_english_title(self):
        # Sorted by the title it was sent under, "Ysbwriel" would come after "Register".
        Submission.objects.filter(language="cy").update(service_title="Ysbwriel swmpus")
        soup = self.soup(f"{INBOX}?ordering=english_service")
        references = [
            td.get_text(" ", strip=True).split()[0] for td in soup.select("tbody tr td.title")
        ]
        self.assertEqual(references[-1], "FCC-9ZZZ-8YYY")  # Bulky waste, then Register a birth

    def test_a_team_is_offered_its_own_services_once(self):
        editor = get_user_model().objects.create_user("w2", "w2@example.com", "password")
        editor.groups.add(team_group("Waste only", self.bulky_flow.get_parent().get_parent()))
        self.client.force_login(editor)
        self.assertEqual(self.options(), ["All", "Bulky waste"])
        self.assertEqual(
            self.listed_references(f"{INBOX}?flow={self.bulky_flow.pk}"),
            {"FCC-4K7Q-M2XD", "FCC-CYCY-2345"},
        )


def test_welsh_flows_share_the_english_translation_key(db):
    """The grouping rests on this: a translated flow keeps its source's translation key."""
    home = make_site()
    category = CategoryPageFactory(parent=home, slug="bins", title="Bins")
    service = ServicePageFactory(parent=category, slug="bulky-waste", title="Bulky waste")
    flow = make_flow([page("items", question("short_text", "items"))], service=service)
    for original in (home, category, service):
        translate(original, "cy")
    welsh = translate(flow, "cy")
    assert FlowPage.objects.get(pk=welsh.pk).translation_key == flow.translation_key
    assert FlowPage.objects.get(pk=welsh.pk).source_flow.pk == flow.pk
