"""Query analytics for the web team: each search logged once, without personal data; which
result was chosen; and whether the search led the resident to start and to send a request."""

from __future__ import annotations

import datetime
from unittest import mock

from bs4 import BeautifulSoup
from django.conf import settings
from django.core import signing
from django.db import DatabaseError
from django.test import SimpleTestCase, TestCase
from django.utils import timezone
from wagtail.contrib.search_promotions.models import Query, SearchPromotion

from demo.walker import FlowWalker
from forms.flows.models import Submission
from home.models import HomePageTopTask
from search.analytics import ATTRIBUTION_KEY, CLICK_SALT, redact
from search.models import FlowFromSearch, SearchClick, SearchLog
from search.popularity import popular_services, popularity_scores
from tests.factories import CategoryPageFactory, ServicePageFactory, make_site
from tests.flows.factories import make_flow, page, question


class RedactionTests(SimpleTestCase):
    def test_personal_details_are_replaced_and_the_rest_stays_readable(self):
        cases = {
            "Bin day for FE1 1AA?": "bin day for [postcode]",
            "bin day fe11aa": "bin day [postcode]",
            "parking permit SW1A": "parking permit [postcode]",
            "EC1A 1BB noise": "[postcode] noise",
            "jo.bloggs+bins@example.co.uk missed bin": "[email] missed bin",
            "call me on 07700 900123 about my bin": "call me on [phone] about my bin",
            "07700900123": "[phone]",
            "+44 (0)20 7946 0958 complaint": "[phone] complaint",
            "0044 7700-900-123": "[phone]",
            "(01632) 960 001 Council Tax": "[phone] council tax",
            "refund 4111 1111 1111 1111": "refund [number]",
            "4111-1111-1111-1111": "[number]",
            "council tax account 123456789": "council tax account [number]",
            "  Council   TAX  ": "council tax",
            "neighbour's hedge": "neighbours hedge",
            "A1 roadworks": "a1 roadworks",
            "P60 form": "p60 form",
            "bins 2025": "bins 2025",
        }
        for query, stored in cases.items():
            with self.subTest(query=query):
                self.assertEqual(redact(query), stored)

    def test_nothing_personal_survives_inside_a_longer_query(self):
        stored = redact("Hi my email is Sam.Jones@gmail.com phone 01632 960001, I live at FE2 3BD")
        self.assertEqual(stored, "hi my email is [email] phone [phone] i live at [postcode]")
        for detail in ("sam", "gmail", "01632", "960001", "fe2", "3bd"):
            self.assertNotIn(detail, stored)

    def test_stored_queries_are_never_too_long(self):
        self.assertLessEqual(len(redact("council tax " * 100)), 255)


class AnalyticsTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.home = make_site()
        bins = CategoryPageFactory(parent=cls.home, slug="bins", title="Bins")
        cls.hwrc = ServicePageFactory(
            parent=bins,
            title="Household waste recycling centres",
            slug="hwrc",
            summary="Take rubbish and recycling to our two sites.",
            keywords="tip, dump, recycling centre",
        )
        cls.bulky = ServicePageFactory(
            parent=bins,
            title="Book a bulky waste collection",
            slug="bulky-waste",
            keywords="sofa, fridge, large items",
        )
        cls.town_hall = ServicePageFactory(
            parent=bins, title="Visit the town hall", slug="town-hall", keywords="FE1 1AA"
        )
        cls.flow = make_flow(
            [
                page("items", question("short_text", "items", "What do you want collected?")),
                page("contact", question("email", "email", "Email address")),
            ],
            service=cls.bulky,
            slug="book",
        )

    def search(self, query: str, **params):
        response = self.client.get("/search/", {"q": query, **params})
        self.assertEqual(response.status_code, 200)
        return response

    def result_links(self, response) -> list[tuple[str, str]]:
        soup = BeautifulSoup(response.content, "html.parser")
        main = soup.find("main") or soup
        return [
            (a.get_text(strip=True), a["href"])
            for a in main.select("a[href]")
            if a["href"].startswith("/search/click/")
        ]

    def click(self, response, title: str):
        href = dict(self.result_links(response))[title]
        return self.client.get(href)


class SearchLogTests(AnalyticsTestCase):
    def test_a_search_is_logged_once_with_its_result_count(self):
        self.search("tip")
        log = SearchLog.objects.get()
        self.assertEqual(log.query, "tip")
        self.assertEqual(log.result_count, 1)
        self.assertEqual(log.language, "en-gb")
        self.assertLess(timezone.now() - log.created_at, datetime.timedelta(minutes=1))

    def test_the_resident_is_searched_for_with_their_real_words_but_stored_redacted(self):
        response = self.search("FE1 1AA")
        self.assertIn("Visit the town hall", dict(self.result_links(response)))
        self.assertEqual(list(SearchLog.objects.values_list("query", flat=True)), ["[postcode]"])
        self.search("sam.jones@example.com")
        self.assertEqual(SearchLog.objects.filter(query="[email]").count(), 1)
        self.assertFalse(Query.objects.filter(query_string__contains="example").exists())
        self.assertEqual(Query.get("[email]").hits, 1)

    def test_only_the_first_results_page_is_a_search(self):
        category = CategoryPageFactory(parent=self.home, slug="parking", title="Parking")
        for n in range(12):
            ServicePageFactory(parent=category, title=f"Parking permit {n}", slug=f"permit-{n}")
        first = self.search("parking permit")
        self.assertEqual(len(self.result_links(first)), 10)
        second = self.search("parking permit", page=2)
        self.assertEqual(SearchLog.objects.count(), 1)
        self.assertEqual(SearchLog.objects.get().result_count, 13)
        # Later pages link straight to their results: there is no search to credit.
        items = second.context["items"]
        self.assertTrue(items)
        self.assertEqual([item.click_url for item in items], [item.url for item in items])

    def test_a_search_alone_sets_no_cookie(self):
        response = self.search("tip")
        self.assertNotIn(settings.SESSION_COOKIE_NAME, response.cookies)

    def test_a_database_failure_never_breaks_the_search_page(self):
        with (
            mock.patch.object(SearchLog, "save", side_effect=DatabaseError("disk full")),
            self.assertLogs("search.analytics", level="WARNING") as logs,
        ):
            response = self.search("tip dump")
        self.assertContains(response, "Household waste recycling centres")
        self.assertEqual(SearchLog.objects.count(), 0)
        self.assertNotIn("tip", "\n".join(logs.output))
        self.assertNotIn("dump", "\n".join(logs.output))
        # Without a log the results still work, as plain links.
        self.assertEqual(response.context["items"][0].click_url, self.hwrc.url)


class ClickThroughTests(AnalyticsTestCase):
    def test_a_click_is_recorded_with_its_position_and_page_then_goes_to_the_page(self):
        response = self.search("recycling")
        links = self.result_links(response)
        self.assertEqual(links[0][0], "Household waste recycling centres")
        went = self.click(response, "Household waste recycling centres")
        self.assertRedirects(went, "/bins/hwrc/", fetch_redirect_response=False)
        click = SearchClick.objects.get()
        self.assertEqual(
            (click.log.query, click.position, click.page_id), ("recycling", 1, self.hwrc.pk)
        )
        self.assertEqual(self.client.session[ATTRIBUTION_KEY]["log"], click.log_id)

    def test_going_back_and_clicking_again_counts_once(self):
        response = self.search("tip")
        self.click(response, "Household waste recycling centres")
        self.click(response, "Household waste recycling centres")
        self.assertEqual(SearchClick.objects.count(), 1)

    def test_the_link_goes_where_the_page_is_now(self):
        response = self.search("tip")
        self.hwrc.slug = "tips"
        self.hwrc.save_revision().publish()
        went = self.click(response, "Household waste recycling centres")
        self.assertRedirects(went, "/bins/tips/", fetch_redirect_response=False)

    def test_a_page_unpublished_since_leads_back_to_search(self):
        response = self.search("tip")
        self.hwrc.unpublish()
        went = self.click(response, "Household waste recycling centres")
        self.assertRedirects(went, "/search/", fetch_redirect_response=False)

    def test_a_promoted_link_is_counted_and_followed(self):
        promotion = SearchPromotion.objects.create(
            query=Query.get("tip"),
            external_link_url="https://www.gov.uk/recycling",
            external_link_text="Recycling on GOV.UK",
            sort_order=0,
        )
        response = self.search("tip")
        links = self.result_links(response)
        self.assertEqual(links[0][0], "Recycling on GOV.UK")
        self.assertNotIn("gov.uk", links[0][1])
        went = self.click(response, "Recycling on GOV.UK")
        self.assertEqual(went.status_code, 302)
        self.assertEqual(went["Location"], "https://www.gov.uk/recycling")
        click = SearchClick.objects.get()
        self.assertEqual(
            (click.position, click.promotion_id, click.page_id), (1, promotion.pk, None)
        )

    def test_a_bad_token_leads_to_the_search_page_not_an_error(self):
        response = self.search("tip")
        href = dict(self.result_links(response))["Household waste recycling centres"]
        token = href.split("t=", 1)[1]
        forged = signing.dumps({"l": 1, "p": 1, "g": self.hwrc.pk}, salt="another.salt")
        not_a_dict = signing.dumps([1, 2, 3], salt=CLICK_SALT)
        for url in [
            "/search/click/",
            "/search/click/?t=",
            "/search/click/?t=rubbish",
            f"/search/click/?t={token[:-3]}abc",
            f"/search/click/?t={forged}",
            f"/search/click/?t={not_a_dict}",
        ]:
            with self.subTest(url=url):
                went = self.client.get(url)
                self.assertRedirects(went, "/search/", fetch_redirect_response=False)
        self.assertEqual(SearchClick.objects.count(), 0)

    def test_an_old_results_page_still_works_but_does_not_count(self):
        response = self.search("tip")
        later = timezone.now() + datetime.timedelta(days=2)
        with mock.patch("django.core.signing.time.time", return_value=later.timestamp()):
            went = self.click(response, "Household waste recycling centres")
        self.assertRedirects(went, "/bins/hwrc/", fetch_redirect_response=False)
        self.assertEqual(SearchClick.objects.count(), 0)


class FlowAttributionTests(AnalyticsTestCase):
    def start_and_send(self) -> None:
        url = FlowWalker(self.client, self.flow).walk()
        check = self.client.get(url)
        token = BeautifulSoup(check.content, "html.parser").find("input", attrs={"name": "token"})
        sent = self.client.post(url, {"token": token["value"]})
        self.assertRedirects(sent, f"{self.flow.url}confirmation/", fetch_redirect_response=False)

    def test_a_search_that_led_to_a_request_is_credited_with_its_start_and_finish(self):
        response = self.search("sofa")
        self.click(response, "Book a bulky waste collection")
        self.start_and_send()
        rows = FlowFromSearch.objects.order_by("kind")
        self.assertEqual(
            [(r.kind, r.log.query, r.flow_id, r.service_id) for r in rows],
            [
                ("finished", "sofa", self.flow.pk, self.bulky.pk),
                ("started", "sofa", self.flow.pk, self.bulky.pk),
            ],
        )

    def test_starting_again_is_still_one_start(self):
        self.click(self.search("sofa"), "Book a bulky waste collection")
        self.client.get(self.flow.url)
        self.client.get(f"{self.flow.url}?reset=1")
        self.assertEqual(FlowFromSearch.objects.filter(kind="started").count(), 1)

    def test_a_flow_without_a_search_is_not_credited(self):
        self.search("sofa")  # searched, but came to the flow another way
        self.start_and_send()
        self.assertEqual(FlowFromSearch.objects.count(), 0)
        self.assertEqual(Submission.objects.count(), 1)

    def test_a_search_more_than_two_hours_ago_is_not_credited(self):
        self.click(self.search("sofa"), "Book a bulky waste collection")
        session = self.client.session
        attribution = session[ATTRIBUTION_KEY]
        attribution["at"] = (timezone.now() - datetime.timedelta(hours=2, minutes=1)).isoformat()
        session[ATTRIBUTION_KEY] = attribution
        session.save()
        self.start_and_send()
        self.assertEqual(FlowFromSearch.objects.count(), 0)

    def test_a_failure_to_record_never_breaks_the_flow(self):
        self.click(self.search("sofa"), "Book a bulky waste collection")
        with (
            mock.patch.object(
                FlowFromSearch.objects, "get_or_create", side_effect=DatabaseError("locked")
            ),
            self.assertLogs("search.analytics", level="WARNING"),
        ):
            self.start_and_send()
        self.assertEqual(Submission.objects.count(), 1)
        self.assertEqual(FlowFromSearch.objects.count(), 0)


class PopularityTests(AnalyticsTestCase):
    def log_clicks(self, page, times: int, days_ago: int = 1) -> None:
        log = SearchLog.objects.create(query="q", result_count=3)
        when = timezone.now() - datetime.timedelta(days=days_ago)
        for _ in range(times):
            SearchClick.objects.create(log=log, position=1, page=page, created_at=when)

    def test_scores_are_relative_to_the_most_chosen_page_and_cheap(self):
        self.log_clicks(self.hwrc, 4)
        self.log_clicks(self.town_hall, 1)
        FlowFromSearch.objects.create(
            log=SearchLog.objects.first(), flow=self.flow, service=self.bulky, kind="started"
        )
        ids = [self.hwrc.pk, self.bulky.pk, self.town_hall.pk, self.home.pk]
        with self.assertNumQueries(1):
            scores = popularity_scores(ids)
        self.assertEqual(scores, {self.hwrc.pk: 1.0, self.bulky.pk: 0.5, self.town_hall.pk: 0.25})
        with self.assertNumQueries(0):
            popularity_scores(ids)

    def test_choices_older_than_90_days_are_forgotten(self):
        self.log_clicks(self.hwrc, 2, days_ago=91)
        self.assertEqual(popularity_scores([self.hwrc.pk]), {})

    def test_popular_services_start_from_the_top_tasks_and_follow_residents(self):
        HomePageTopTask.objects.create(home=self.home, page=self.town_hall, sort_order=0)
        HomePageTopTask.objects.create(home=self.home, page=self.hwrc, sort_order=1)
        locale = self.home.locale
        self.assertEqual(popular_services(locale), [self.town_hall, self.hwrc])
        self.log_clicks(self.bulky, 2)
        self.log_clicks(self.hwrc, 1)
        self.log_clicks(self.hwrc, 5, days_ago=40)  # not this month
        from django.core.cache import cache

        cache.clear()
        self.assertEqual(popular_services(locale), [self.bulky, self.hwrc, self.town_hall])
        self.assertEqual(popular_services(locale, limit=1), [self.bulky])
