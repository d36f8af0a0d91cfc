"""Editors keep synonyms in the admin (Search > Synonyms), and a saved synonym applies to the
very next search: "pcn" finds the penalty charge notice page as soon as the rule is saved."""

from __future__ import annotations

from bs4 import BeautifulSoup
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.test import TestCase
from wagtail.test.utils import WagtailTestUtils

from search.models import Synonym
from tests.factories import CategoryPageFactory, ServicePageFactory, make_site
from tests.inbox.test_inbox import team_group

SYNONYMS = "/admin/search/synonyms/"


class SynonymAdminTests(WagtailTestUtils, TestCase):
    @classmethod
    def setUpTestData(cls):
        home = make_site()
        roads = CategoryPageFactory(parent=home, slug="roads", title="Roads and parking")
        ServicePageFactory(
            parent=roads,
            title="Challenge a fine",
            slug="challenge-a-fine",
            summary="Tell us why you should not pay.",
            keywords="penalty charge notice",
        )
        ServicePageFactory(parent=roads, title="Report a pothole", slug="pothole")
        users = get_user_model().objects
        cls.web_editor = users.create_user("web", "web@example.com", "password")
        group = Group.objects.create(name="Web team")
        group.permissions.add(
            Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin"),
            *Permission.objects.filter(
                content_type__app_label="search",
                codename__in=["add_synonym", "change_synonym", "delete_synonym"],
            ),
            Permission.objects.get(
                content_type__app_label="wagtailsearchpromotions", codename="add_searchpromotion"
            ),
        )
        cls.web_editor.groups.add(group)
        cls.service_editor = users.create_user("roads", "roads@example.com", "password")
        cls.service_editor.groups.add(team_group("Roads", roads))

    def setUp(self):
        self.client.force_login(self.web_editor)

    def found(self, query: str) -> list[str]:
        response = self.client.get("/search/", {"q": query})
        self.assertEqual(response.status_code, 200)
        return [item.title for item in response.context.get("items") or []]

    def add(self, **fields):
        data = {"terms": "", "also_find": "", "language": "en-gb", "note": "", **fields}
        return self.client.post(f"{SYNONYMS}new/", data)

    def test_a_one_way_synonym_works_from_the_very_next_search(self):
        self.assertNotIn("Challenge a fine", self.found("pcn"))
        response = self.add(terms="PCN", also_find="penalty charge notice", note="From 0-results")
        self.assertRedirects(response, SYNONYMS)
        self.assertEqual(self.found("pcn"), ["Challenge a fine"])
        # One-way: the council's words do not find what "pcn" alone would.
        self.assertEqual(Synonym.objects.get().also_find_list, ["penalty charge notice"])

    def test_editing_and_deleting_a_synonym_take_effect_at_once(self):
        self.add(terms="pcn", also_find="penalty charge notice")
        synonym = Synonym.objects.get()
        self.assertEqual(self.found("ticket"), [])
        response = self.client.post(
            f"{SYNONYMS}edit/{synonym.pk}/",
            {"terms": "pcn, ticket", "also_find": "penalty charge notice", "language": "en-gb"},
        )
        self.assertRedirects(response, SYNONYMS)
        self.assertEqual(self.found("ticket"), ["Challenge a fine"])
        response = self.client.post(f"{SYNONYMS}delete/{synonym.pk}/")
        self.assertRedirects(response, SYNONYMS)
        self.assertEqual(self.found("ticket"), [])

    def test_the_list_shows_each_rule_and_can_be_searched(self):
        self.add(terms="pcn", also_find="penalty charge notice")
        self.add(terms="tip, dump, household waste recycling centre")
        response = self.client.get(SYNONYMS)
        self.assertContains(response, "pcn → penalty charge notice")
        self.assertContains(response, "tip ⇄ dump ⇄ household waste recycling centre")
        self.assertContains(response, "English")
        soup = BeautifulSoup(self.client.get(SYNONYMS, {"q": "dump"}).content, "html.parser")
        rows = [row.get_text(" ", strip=True) for row in soup.select("table tbody tr")]
        self.assertEqual(len(rows), 1)
        self.assertIn("tip ⇄ dump", rows[0])

    def test_the_models_own_checks_are_shown_on_the_form(self):
        response = self.add(terms="pcn")
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Enter at least 2 words or phrases separated by commas")
        response = self.add(terms="pcn", also_find="PCN")
        self.assertContains(response, "must not repeat the words residents use")
        self.assertFalse(Synonym.objects.exists())
        self.assertEqual(self.found("pcn"), [])

    def test_the_search_menu_offers_synonyms_and_promoted_results(self):
        menu = self.client.get("/admin/").content.decode()
        self.assertIn(SYNONYMS, menu)
        self.assertIn("/admin/searchpicks/", menu)
        self.assertNotIn("/admin/reports/search-terms/", menu)  # no report permission

    def test_a_service_editor_cannot_change_synonyms(self):
        self.client.force_login(self.service_editor)
        response = self.add(terms="pcn", also_find="penalty charge notice")
        self.assertEqual(response.status_code, 302)
        self.assertEqual(response["Location"], "/admin/")
        self.assertFalse(Synonym.objects.exists())
        self.assertNotIn(SYNONYMS, self.client.get("/admin/").content.decode())
