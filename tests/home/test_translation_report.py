"""Editors see which translations are out of date: the "Translation status" report lists each
page translated with wagtail-localize per language, the ones needing attention first, with how
many pages in each language are not translated yet; and only people who edit pages see it."""

from __future__ import annotations

import csv
import datetime
import io

from bs4 import BeautifulSoup
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test import SimpleTestCase, TestCase
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook
from wagtail.models import Locale, Page
from wagtail.test.utils import WagtailTestUtils
from wagtail_localize.models import StringSegment, StringTranslation, Translation, TranslationSource

from demo.translate import ensure_locales
from home.translation_status import (
    TranslationStatus,
    filter_by_status,
    page_translations,
    status_of,
    translation_status,
)
from tests.factories import CategoryPageFactory, ServicePageFactory, make_site
from tests.inbox.test_inbox import team_group

REPORT = "/admin/reports/translation-status/"
RESULTS = "/admin/reports/translation-status/results/"

NOW = timezone.make_aware(datetime.datetime(2026, 3, 2, 12, 0))
HOUR = datetime.timedelta(hours=1)


class TranslationStatusRuleTests(SimpleTestCase):
    """The status of one translation, case by case."""

    def status(self, **changes) -> str:
        facts = {
            "english_published_at": NOW - 2 * HOUR,
            "synced_at": NOW - HOUR,
            "progress": (12, 12),
            "has_unpublished_changes": False,
        }
        return translation_status(**{**facts, **changes})

    def test_up_to_date(self):
        self.assertEqual(self.status(), TranslationStatus.UP_TO_DATE)

    def test_english_published_after_the_last_sync(self):
        self.assertEqual(self.status(english_published_at=NOW), TranslationStatus.ENGLISH_CHANGED)

    def test_fewer_strings_translated_than_there_are(self):
        self.assertEqual(self.status(progress=(12, 11)), TranslationStatus.MISSING)

    def test_translated_page_has_draft_changes(self):
        self.assertEqual(self.status(has_unpublished_changes=True), TranslationStatus.DRAFT)

    def test_english_never_published_is_not_a_change(self):
        self.assertEqual(self.status(english_published_at=None), TranslationStatus.UP_TO_DATE)

    def test_the_most_urgent_status_wins(self):
        everything = {
            "english_published_at": NOW,
            "progress": (12, 11),
            "has_unpublished_changes": True,
        }
        self.assertEqual(self.status(**everything), TranslationStatus.ENGLISH_CHANGED)
        del everything["english_published_at"]
        self.assertEqual(self.status(**everything), TranslationStatus.MISSING)

    def test_every_status_has_a_label(self):
        self.assertEqual(
            [str(label) for _code, label in TranslationStatus.choices()],
            [
                "English page changed since",
                "Missing translations",
                "Draft changes not published",
                "Up to date",
            ],
        )


def translate(page: Page, locale: Locale) -> Translation:
    """Translate every string of `page` into `locale` with wagtail-localize, and publish it."""
    source, _created = TranslationSource.get_or_create_from_instance(page)
    translation, _created = Translation.objects.get_or_create(source=source, target_locale=locale)
    fill_in(translation)
    translation.save_target(publish=True)
    return translation


def fill_in(translation: Translation) -> None:
    """A translator translates the strings not translated yet."""
    locale = translation.target_locale
    for segment in StringSegment.objects.filter(source=translation.source).select_related(
        "string", "context"
    ):
        StringTranslation.objects.get_or_create(
            translation_of=segment.string,
            locale=locale,
            context=segment.context,
            defaults={"data": f"[{locale.language_code}] {segment.string.data}"},
        )


class TranslationReportTestCase(WagtailTestUtils, TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.home = make_site()
        cls.bins = CategoryPageFactory(parent=cls.home, slug="bins", title="Bins")
        cls.bin_day = ServicePageFactory(parent=cls.bins, slug="bin-day", title="Bin day")
        cls.bulky = ServicePageFactory(parent=cls.bins, slug="bulky", title="Bulky waste")
        ServicePageFactory(parent=cls.bins, slug="skips", title="Skip permits")
        with cls.captureOnCommitCallbacks(execute=True):
            locales = {locale.language_code: locale for locale in ensure_locales()}
            cls.welsh, cls.polish = locales["cy"], locales["pl"]
            cls.translations = {
                (page.slug, locale.language_code): translate(page, locale)
                for page in (cls.home, cls.bins, cls.bin_day, cls.bulky)
                for locale in (cls.welsh,)
            }
            cls.translations["bin-day", "pl"] = translate(cls.bin_day, cls.polish)
        # Yesterday the English pages were published, then their translations synced.
        cls.synced_at = timezone.now().replace(second=0, microsecond=0) - datetime.timedelta(days=1)
        Page.objects.filter(locale=Locale.get_default()).update(
            last_published_at=cls.synced_at - HOUR
        )
        TranslationSource.objects.update(last_updated_at=cls.synced_at)

        users = get_user_model().objects
        cls.superuser = users.create_superuser("admin", "admin@example.com", "password")
        cls.editor = users.create_user("waste", "waste@example.com", "password")
        cls.editor.groups.add(team_group("Waste and streets", cls.bins))
        cls.no_pages = users.create_user("finance", "finance@example.com", "password")
        finance = Group.objects.create(name="Finance")
        finance.permissions.add(
            Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin")
        )
        cls.no_pages.groups.add(finance)

    def setUp(self):
        self.client.force_login(self.editor)

    def table(self, url: str = REPORT) -> list[list[str]]:
        response = self.client.get(url)
        self.assertEqual(response.status_code, 200)
        soup = BeautifulSoup(response.content, "html.parser")
        return [
            [cell.get_text(" ", strip=True) for cell in row.select("td")]
            for row in soup.select("table tbody tr")
        ]

    def rows(self, url: str = REPORT) -> dict[tuple[str, str], list[str]]:
        """(page, language) -> status, strings translated."""
        return {(row[0], row[1]): [row[2], row[5]] for row in self.table(url)}

    def strings(self, slug: str, code: str) -> int:
        return StringSegment.objects.filter(source=self.translations[slug, code].source).count()

    def edit_and_republish(self, page: Page, **changes) -> None:
        page = page.specific
        revision = page.get_latest_revision_as_object()
        for name, value in changes.items():
            setattr(revision, name, value)
        revision.save_revision().publish()


class ReportListsTranslationsTests(TranslationReportTestCase):
    def test_a_translated_page_is_up_to_date(self):
        rows = self.rows()
        self.assertEqual(len(rows), 5)  # four pages in Welsh, one in Polish
        total = self.strings("bin-day", "cy")
        self.assertEqual(rows["Bin day", "Welsh"], ["Up to date", f"{total} of {total}"])
        self.assertEqual(rows["Bin day", "Polish"][0], "Up to date")

    def test_the_page_links_to_its_translation_editor(self):
        self.client.force_login(self.superuser)
        soup = BeautifulSoup(self.client.get(REPORT).content, "html.parser")
        welsh = Page.objects.get(translation_key=self.bin_day.translation_key, locale=self.welsh)
        link = next(
            a for a in soup.select("tbody td.title a") if a.get_text(strip=True) == "Bin day"
        )
        self.assertEqual(link["href"], f"/admin/pages/{welsh.pk}/edit/")
        # wagtail-localize's editor, not Wagtail's, is what that address shows
        response = self.client.get(link["href"])
        self.assertEqual(response.status_code, 200)
        self.assertTemplateUsed(response, "wagtail_localize/admin/edit_translation.html")

    def test_no_link_to_a_translation_the_user_may_not_edit(self):
        # The waste team edit the English bins pages only, not the Welsh ones.
        soup = BeautifulSoup(self.client.get(REPORT).content, "html.parser")
        self.assertEqual(soup.select("tbody td.title a"), [])
        self.assertIn("Bin day", [row[0] for row in self.table()])

    def test_english_page_changed_since_until_the_translation_is_synced(self):
        self.edit_and_republish(self.bin_day, summary="Find out which bin goes out, and when.")
        rows = self.rows()
        self.assertEqual(rows["Bin day", "Welsh"][0], "English page changed since")
        self.assertEqual(rows["Bin day", "Polish"][0], "English page changed since")
        self.assertEqual(rows["Bulky waste", "Welsh"][0], "Up to date")
        # out-of-date rows come first
        self.assertEqual(
            [row[:3] for row in self.table()[:2]],
            [
                ["Bin day", "Welsh", "English page changed since"],
                ["Bin day", "Polish", "English page changed since"],
            ],
        )
        # those who may sync translations (wagtail-localize's permission) are offered it
        self.client.force_login(self.superuser)
        self.assertEqual(self.table()[0][2], "English page changed since Sync translated pages")
        soup = BeautifulSoup(self.client.get(REPORT).content, "html.parser")
        source = self.translations["bin-day", "cy"].source
        sync = soup.find("a", string="Sync translated pages")
        self.assertTrue(sync["href"].startswith(f"/admin/localize/update/{source.pk}/?next="))

    def test_synced_with_a_new_english_string_it_has_missing_translations(self):
        self.edit_and_republish(self.bin_day, summary="Find out which bin goes out, and when.")
        source = self.translations["bin-day", "cy"].source
        source.update_from_db()
        total = self.strings("bin-day", "cy")
        rows = self.rows()
        self.assertEqual(
            rows["Bin day", "Welsh"], ["Missing translations", f"{total - 1} of {total}"]
        )
        # the translator translates it and publishes: up to date again
        translation = self.translations["bin-day", "cy"]
        fill_in(translation)
        with self.captureOnCommitCallbacks(execute=True):
            translation.save_target(publish=True)
        self.assertEqual(self.rows()["Bin day", "Welsh"], ["Up to date", f"{total} of {total}"])

    def test_unpublished_changes_to_a_translated_page(self):
        translation = self.translations["bulky", "cy"]
        # the translator saves a draft in wagtail-localize's editor
        with self.captureOnCommitCallbacks(execute=True):
            translation.save_target(publish=False)
        self.assertEqual(self.rows()["Bulky waste", "Welsh"][0], "Draft changes not published")

    def test_the_counts_are_those_of_wagtail_localize(self):
        self.edit_and_republish(self.bin_day, summary="Something new.")
        self.translations["bin-day", "cy"].source.update_from_db()
        for translation in page_translations():
            with self.subTest(translation=translation):
                self.assertEqual(
                    (translation.total_strings, translation.translated_strings),
                    translation.get_progress(),
                )

    def test_the_database_and_python_agree_on_each_status(self):
        self.edit_and_republish(self.bulky, summary="Something new.")  # English changed
        self.edit_and_republish(self.bin_day, summary="Something else.")
        self.translations["bin-day", "cy"].source.update_from_db()  # missing, in both languages
        welsh_bins = Page.objects.get(translation_key=self.bins.translation_key, locale=self.welsh)
        welsh_bins.specific.save_revision()  # draft
        seen = set()
        for code in TranslationStatus.ORDER:
            rows = filter_by_status(page_translations(), code)
            for row in rows:
                self.assertEqual(status_of(row), code)
            seen |= {row.pk for row in rows}
            self.assertTrue(rows, code)
        self.assertEqual(seen, set(page_translations().values_list("pk", flat=True)))

    def test_pages_not_translated_yet_are_counted_per_language(self):
        response = self.client.get(REPORT)
        soup = BeautifulSoup(response.content, "html.parser")
        summary = soup.select_one("[data-translation-summary]")
        lines = [li.get_text(" ", strip=True) for li in summary.select("li")]
        # home, bins, bin day and bulky waste are in Welsh; skip permits is not
        self.assertEqual(
            lines,
            [
                "Welsh: 4 translated, 1 not translated yet",
                "Polish: 1 translated, 4 not translated yet",
                "Arabic: 0 translated, 5 not translated yet",
            ],
        )
        # the aliases are not rows
        self.assertNotIn("Skip permits", [row[0] for row in self.table()])


class FiltersAndExportTests(TranslationReportTestCase):
    def test_filter_by_language_and_status(self):
        self.edit_and_republish(self.bin_day, summary="New.")
        self.assertEqual(
            set(self.rows(f"{REPORT}?language=pl")),
            {("Bin day", "Polish")},
        )
        self.assertEqual(
            set(self.rows(f"{REPORT}?status=english-changed&language=cy")),
            {("Bin day", "Welsh")},
        )
        self.assertEqual(len(self.rows(f"{RESULTS}?status=up-to-date")), 3)
        self.assertEqual(self.table(f"{REPORT}?status=draft"), [])

    def test_bad_filter_values_do_not_break_the_report(self):
        for query in (
            "status=nonsense",
            "language=xx",
            "language=cy&status=",
            "ordering=nope",
            "ordering=-status_rank",
            "p=999",
            "p=abc",
            "status=<script>",
        ):
            for url in (f"{REPORT}?{query}", f"{RESULTS}?{query}", f"{REPORT}?{query}&export=csv"):
                with self.subTest(url=url):
                    self.assertEqual(self.client.get(url).status_code, 200)

    def csv_rows(self, url: str) -> list[dict[str, str]]:
        response = self.client.get(url)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "text/csv")
        text = b"".join(response.streaming_content).decode("utf-8").removeprefix("\ufeff")
        return list(csv.DictReader(io.StringIO(text)))

    def test_csv_export_has_every_row(self):
        self.edit_and_republish(self.bin_day, summary="New.")
        rows = self.csv_rows(f"{REPORT}?export=csv")
        self.assertEqual(len(rows), 5)
        total = str(self.strings("bin-day", "cy"))
        self.assertEqual(
            rows[0],
            {
                "Page": "Bin day",
                "Language": "Welsh",
                "Status": "English page changed since",
                "English last changed": rows[0]["English last changed"],
                "Translation last synced": timezone.localtime(self.synced_at).strftime(
                    "%Y-%m-%d %H:%M"
                ),
                "Strings translated": total,
                "Strings to translate": total,
            },
        )
        self.assertTrue(rows[0]["English last changed"] > rows[0]["Translation last synced"])
        welsh = self.csv_rows(f"{REPORT}?export=csv&language=cy&status=up-to-date")
        self.assertEqual(
            sorted(row["Page"] for row in welsh), ["Bins", "Bulky waste", "Fernbridge City Council"]
        )

    def test_xlsx_export(self):
        response = self.client.get(f"{REPORT}?export=xlsx")
        self.assertEqual(response.status_code, 200)
        sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
        rows = list(sheet.iter_rows(values_only=True))
        self.assertEqual(rows[0][:3], ("Page", "Language", "Status"))
        self.assertEqual(len(rows), 6)
        self.assertIsInstance(rows[1][5], int)

    def test_queries_do_not_grow_with_rows(self):
        def count() -> int:
            with CaptureQueriesContext(connection) as queries:
                self.assertEqual(self.client.get(RESULTS).status_code, 200)
            return len(queries)

        self.client.get(RESULTS)  # warm caches (content types, locales)
        few = count()
        with self.captureOnCommitCallbacks(execute=True):
            translate(self.bulky, self.polish)
            translate(self.bins, self.polish)
        self.assertEqual(len(self.table(RESULTS)), 7)
        self.assertEqual(count(), few)


class WhoSeesTheReportTests(TranslationReportTestCase):
    def test_page_editors_see_it_in_the_reports_menu(self):
        response = self.client.get("/admin/")
        self.assertContains(response, REPORT)
        self.assertEqual(self.client.get(REPORT).status_code, 200)

    def test_superusers_see_it(self):
        self.client.force_login(self.superuser)
        self.assertContains(self.client.get("/admin/"), REPORT)
        self.assertEqual(self.client.get(REPORT).status_code, 200)

    def test_someone_who_cannot_edit_pages_is_kept_out(self):
        self.client.force_login(self.no_pages)
        for url in (REPORT, RESULTS, f"{REPORT}?export=csv"):
            with self.subTest(url=url):
                response = self.client.get(url)
                self.assertEqual(response.status_code, 302)
                self.assertEqual(response["Location"], "/admin/")
        self.assertNotContains(self.client.get("/admin/"), REPORT)

    def test_anonymous_visitors_are_sent_to_log_in(self):
        self.client.logout()
        response = self.client.get(REPORT)
        self.assertEqual(response.status_code, 302)
        self.assertIn("/admin/login/", response["Location"])
