"""The demo content: every catalogue service is a page under its category, in plain English."""

import re

from bs4 import BeautifulSoup
from django.conf import settings
from django.test import TestCase
from wagtail.models import PageLogEntry, Revision

from demo.loader import DemoLoader, read_catalogue, read_categories, read_services
from services.models import CategoryPage, ServicePage


def words(text: str) -> int:
    return len(re.findall(r"[\w£'\u2019-]+", text))


class DemoContentTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.first_report = DemoLoader().load()

    def test_every_catalogue_service_renders_under_its_category_with_its_title(self):
        catalogue = read_catalogue()
        self.assertEqual(len(catalogue), 58)
        for row in catalogue:
            with self.subTest(slug=row["slug"]):
                response = self.client.get(f"/{row['category']}/{row['slug']}/")
                self.assertEqual(response.status_code, 200)
                soup = BeautifulSoup(response.content, "html.parser")
                self.assertEqual(soup.h1.get_text(strip=True), row["title"])
                crumbs = [a["href"] for a in soup.select(".govuk-breadcrumbs__link")]
                self.assertEqual(crumbs, ["/", f"/{row['category']}/"])
                self.assertTrue(soup.find(id="other-ways-heading"), "no 'Other ways to do this'")

    def test_each_category_lists_exactly_its_services(self):
        catalogue = read_catalogue()
        for category in read_categories():
            with self.subTest(category=category["slug"]):
                response = self.client.get(f"/{category['slug']}/")
                self.assertEqual(response.status_code, 200)
                soup = BeautifulSoup(response.content, "html.parser")
                self.assertEqual(soup.h1.get_text(strip=True), category["title"])
                listed = {a.get_text(strip=True) for a in soup.select("main h2 a")}
                expected = {r["title"] for r in catalogue if r["category"] == category["slug"]}
                self.assertEqual(listed, expected)

    def test_service_bodies_are_80_to_250_words(self):
        for service in ServicePage.objects.all():
            with self.subTest(slug=service.slug):
                body = BeautifulSoup(service.body.render_as_block(), "html.parser")
                self.assertTrue(80 <= words(body.get_text(" ")) <= 250, words(body.get_text(" ")))

    def test_fees_on_paid_service_pages_match_the_catalogue(self):
        pages = {p.slug: p for p in ServicePage.objects.all()}
        self.assertIn("£25", pages["bulky-waste-collection"].cost)
        self.assertIn("£8", pages["bulky-waste-collection"].cost)
        self.assertIn("£50", pages["garden-waste-subscription"].cost)
        self.assertIn("£12.50", pages["replacement-certificate"].cost)
        self.assertIn("£35", pages["pay-parking-fine"].cost)
        self.assertIn("£70", pages["pay-parking-fine"].cost)
        for slug in ("report-missed-bin", "report-pothole", "report-noise"):
            self.assertIn("free", pages[slug].cost.lower())

    def test_content_files_match_the_catalogue_kinds(self):
        catalogue = {r["slug"]: r for r in read_catalogue()}
        services = read_services()
        self.assertEqual(sorted(s["slug"] for s in services), sorted(catalogue))
        for s in services:
            self.assertEqual(
                (s["title"], s["kind"], s["category"]),
                (
                    catalogue[s["slug"]]["title"],
                    catalogue[s["slug"]]["kind"],
                    catalogue[s["slug"]]["category"],
                ),
            )

    def test_every_service_has_words_for_search_in_every_language(self):
        languages = [code for code, _name in settings.LANGUAGES]
        for page in ServicePage.objects.filter(locale__language_code=settings.LANGUAGE_CODE):
            with self.subTest(service=page.slug):
                rows = {row.language: row for row in page.search_terms.all()}
                self.assertEqual(sorted(rows), sorted(languages))
                self.assertGreaterEqual(len(rows[settings.LANGUAGE_CODE].phrase_list()), 4)
                for code in languages[1:]:
                    self.assertTrue(rows[code].title and rows[code].summary, code)
                    self.assertGreaterEqual(len(rows[code].phrase_list()), 6, code)

    def test_words_for_search_added_to_an_existing_demo_leave_editors_rows_alone(self):
        page = ServicePage.objects.get(slug="report-pothole", locale__language_code="en-gb")
        kept = page.search_terms.get(language="pl")
        kept.phrases = "dziura w jezdni"
        page.search_terms = [kept]  # an editor kept only their own Polish words
        page.save_revision().publish()
        DemoLoader().load()
        page = ServicePage.objects.get(pk=page.pk)
        rows = {row.language: row.phrases for row in page.search_terms.all()}
        self.assertEqual(rows["pl"], "dziura w jezdni")
        self.assertEqual(sorted(rows), sorted(code for code, _name in settings.LANGUAGES))

    def test_loading_twice_changes_nothing(self):
        self.assertTrue(self.first_report.changed)
        revisions, logs = Revision.objects.count(), PageLogEntry.objects.count()
        pages = {p.pk: p.latest_revision_id for p in ServicePage.objects.all()}
        second = DemoLoader().load()
        self.assertFalse(second.changed, second)
        self.assertEqual(Revision.objects.count(), revisions)
        self.assertEqual(PageLogEntry.objects.count(), logs)
        self.assertEqual({p.pk: p.latest_revision_id for p in ServicePage.objects.all()}, pages)
        self.assertEqual(CategoryPage.objects.count(), 15)

    def test_an_editors_change_survives_a_reload_and_reset_puts_the_demo_text_back(self):
        page = ServicePage.objects.get(slug="report-pothole")
        page.summary = "Changed by an editor"
        page.save_revision().publish()

        self.assertFalse(DemoLoader().load().changed)
        page.refresh_from_db()
        self.assertEqual(page.summary, "Changed by an editor")

        report = DemoLoader(reset=True).load()
        self.assertEqual(report.updated, ["/home/roads-transport/report-pothole/"])
        page.refresh_from_db()
        self.assertNotEqual(page.summary, "Changed by an editor")
        self.assertFalse(DemoLoader(reset=True).load().changed)

    def test_a_deleted_service_page_is_recreated(self):
        ServicePage.objects.get(slug="skip-permit").delete()
        report = DemoLoader().load()
        self.assertEqual(
            report.created,
            ["/home/roads-transport/skip-permit/", "/home/roads-transport/skip-permit/apply/"],
        )
        self.assertEqual(self.client.get("/roads-transport/skip-permit/").status_code, 200)
