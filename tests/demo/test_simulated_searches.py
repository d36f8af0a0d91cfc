"""`manage.py simulate_searches`: made-up searches on the demo, so every search report has
something to show after `make run`; in the four languages, popular services searched for
most, some misspelt, a few finding nothing; run again, it replaces exactly its own rows."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

from bs4 import BeautifulSoup
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db.models import Count
from django.test import TestCase
from django.utils import timezone

from demo.loader import DemoLoader
from search.models import FlowFromSearch, SearchClick, SearchLog

REPORTS = [
    "/admin/reports/search-terms/",
    "/admin/reports/searches-with-no-results/",
    "/admin/reports/search-click-through/",
    "/admin/reports/searches-that-led-to-a-request/",
]


def simulate(*args: str) -> str:
    out = StringIO()
    call_command("simulate_searches", "--days", "14", *args, stdout=out)
    return out.getvalue()


def snapshot() -> list[tuple]:
    return list(
        SearchLog.objects.order_by("created_at", "query").values_list(
            "query", "language", "result_count", "created_at"
        )
    )


class SimulatedSearchesTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        DemoLoader().load()
        # A search someone really made on the demo: never removed by the simulation.
        cls.real = SearchLog.objects.create(query="allotments", language="en-gb", result_count=2)
        simulate()
        cls.admin = get_user_model().objects.create_superuser("admin", "a@example.com", "pw")

    def test_every_search_report_has_rows_to_show(self):
        self.client.force_login(self.admin)
        for url in REPORTS:
            with self.subTest(url=url):
                response = self.client.get(url)
                self.assertEqual(response.status_code, 200)
                rows = BeautifulSoup(response.content, "html.parser").select("table tbody tr")
                self.assertGreater(len(rows), 3)

    def test_searches_are_in_all_four_languages_mostly_english(self):
        languages = dict(
            SearchLog.objects.values_list("language").annotate(n=Count("pk")).order_by()
        )
        self.assertEqual(set(languages), {"en-gb", "cy", "pl", "ar"})
        self.assertGreater(languages["en-gb"], sum(languages.values()) / 2)

    def test_popular_services_are_searched_for_most(self):
        counts = dict(SearchLog.objects.values_list("query").annotate(n=Count("pk")).order_by())
        self.assertGreater(counts["bin collection"], 5 * counts.get("taxi licence", 0))

    def test_some_terms_are_misspelt_and_a_few_find_nothing(self):
        nothing = set(SearchLog.objects.filter(result_count=0).values_list("query", flat=True))
        self.assertIn("swimming pool", nothing)
        self.assertIn("[postcode]", nothing)
        self.assertTrue({"pwll nofio", "basen", "حمام السباحة"} & nothing)
        found = set(SearchLog.objects.filter(result_count__gt=0).values_list("query", flat=True))
        self.assertTrue({"bin colection", "councel tax"} & found)
        self.assertLess(len(nothing), len(found))

    def test_chosen_results_are_real_pages_and_lead_to_real_flows(self):
        clicks = SearchClick.objects.all()
        self.assertTrue(clicks.exists())
        self.assertFalse(clicks.filter(page__isnull=True).exists())
        self.assertFalse(clicks.filter(log__result_count=0).exists())
        flows = FlowFromSearch.objects.all()
        self.assertTrue(flows.filter(kind="started").exists())
        self.assertLessEqual(
            flows.filter(kind="finished").count(), flows.filter(kind="started").count()
        )
        self.assertFalse(flows.filter(flow__isnull=True).exists())
        self.assertFalse(SearchLog.objects.filter(created_at__gt=timezone.now()).exists())

    def test_running_again_replaces_its_own_rows_with_the_same_and_keeps_real_searches(self):
        before = snapshot()
        clicks = SearchClick.objects.count()
        output = simulate()
        self.assertIn("replacing", output)
        self.assertEqual(snapshot(), before)
        self.assertEqual(SearchClick.objects.count(), clicks)
        self.assertTrue(SearchLog.objects.filter(pk=self.real.pk).exists())

    def test_delete_removes_only_the_simulated_searches(self):
        simulate("--delete")
        self.assertEqual(list(SearchLog.objects.values_list("pk", flat=True)), [self.real.pk])
        self.assertFalse(SearchClick.objects.exists())


class MakeSetupTests(TestCase):
    def test_make_db_simulates_searches_after_the_journeys(self):
        makefile = (Path(settings.BASE_DIR) / "Makefile").read_text(encoding="utf-8")
        recipe = makefile.split("\ndb: ")[1].split("\n\n")[0]
        self.assertIn("simulate_searches", recipe)
        self.assertLess(recipe.index("simulate_flow_journeys"), recipe.index("simulate_searches"))
