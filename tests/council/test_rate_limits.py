"""Rate limits on answers, searches, suggestions and feedback: counted per client address, with
the limits the site really uses, and a resident over one loses nothing they typed."""

import json
from unittest import mock

import pytest
from bs4 import BeautifulSoup
from django.core.cache import cache
from django.test import Client, TestCase, override_settings

from core.ratelimits import client_ip
from council.settings.base import RATELIMIT_RATES as REAL_RATES
from forms.insights.models import SatisfactionResponse
from tests.factories import CategoryPageFactory, ServicePageFactory, make_site
from tests.flows.factories import assert_goes_to
from tests.flows.test_runtime import FlowTestCase, crime_number_flow

WAIT_FOR_ANSWERS = (
    "You have sent too many answers in a short time. Wait a minute, then select Continue again."
)
WAIT_FOR_FEEDBACK = (
    "You have sent too many answers in a short time. Wait a minute, then select Send feedback "
    "again."
)
RESIDENT = "203.0.113.7"
NEIGHBOUR = "203.0.113.8"


@pytest.fixture(autouse=True)
def one_minute():
    """Every request of a test falls in the same one-minute window, so a test that sends 300
    requests on a slow machine cannot see its count start again half-way."""
    with mock.patch("django_ratelimit.core._get_window", return_value=0):
        yield


def soup(response) -> BeautifulSoup:
    return BeautifulSoup(response.content, "html.parser")


def test_the_real_limits_are_generous_per_minute_limits():
    assert REAL_RATES == {
        "flows.step": "60/m",
        "flows.satisfaction": "30/m",
        "search": "60/m",
        "search.suggest": "300/m",
    }


@override_settings(RATELIMIT_RATES=REAL_RATES)
class FlowStepLimitTests(FlowTestCase):
    @classmethod
    def setUpTestData(cls):
        cls.flow = crime_number_flow()

    def setUp(self):
        self.client = Client(REMOTE_ADDR=RESIDENT)
        self.client.get(self.base)
        self.answer("stolen", {"stolen-stolen": "yes"})  # 1 answer

    def use_up_the_limit(self):
        for _ in range(59):  # answers 2 to 60 in this minute: each a normal error page
            response = self.answer("crime-number", {"crime-number-crime_number": ""})
            assert_goes_to(self, response, f"{self.base}crime-number/")
            response = self.client.get(response["Location"])
            self.assertEqual(response.status_code, 200)
            self.assertContains(response, "Enter the crime number")

    def test_over_the_limit_the_page_comes_back_with_the_answer_kept_and_not_saved(self):
        self.use_up_the_limit()
        response = self.answer("crime-number", {"crime-number-crime_number": "AB/123/26"})

        self.assertEqual(response.status_code, 429)
        self.assertEqual(response["Retry-After"], "60")
        page = soup(response)
        self.assertTrue(page.title.get_text().startswith("Error: "))
        summary = page.select_one(".govuk-error-summary")
        self.assertEqual(summary.select_one("li").get_text(strip=True), WAIT_FOR_ANSWERS)
        self.assertEqual(
            page.find("input", attrs={"name": "crime-number-crime_number"})["value"], "AB/123/26"
        )
        self.assertNotIn("Enter the crime number", page.get_text())  # no other error with it
        self.assertEqual(page.select_one("main form button").get_text(strip=True), "Continue")

        # Nothing was saved: the page is still the one to answer, and empty.
        response = self.client.get(f"{self.base}crime-number/")
        self.assertEqual(
            soup(response).find("input", attrs={"name": "crime-number-crime_number"}).get("value"),
            None,
        )

    def test_another_address_is_not_limited(self):
        self.use_up_the_limit()
        self.assertEqual(
            self.answer("crime-number", {"crime-number-crime_number": "AB/123/26"}).status_code,
            429,
        )
        neighbour = Client(REMOTE_ADDR=NEIGHBOUR)
        neighbour.get(self.base)
        response = neighbour.post(
            f"{self.base}stolen/",
            {f"flow-{self.flow.pk}-current_step": "stolen", "stolen-stolen": "yes"},
        )
        assert_goes_to(self, response, f"{self.base}crime-number/")


@override_settings(RATELIMIT_RATES=REAL_RATES)
class SatisfactionLimitTests(FlowTestCase):
    @classmethod
    def setUpTestData(cls):
        cls.flow = crime_number_flow()
        cls.url = f"/feedback/{cls.flow.pk}/"

    def test_over_the_limit_the_answer_and_comment_are_kept_and_not_saved(self):
        self.client = Client(REMOTE_ADDR=RESIDENT)
        token = self.token(self.go_to_check_answers())
        self.client.post(f"{self.base}check-your-answers/", {"token": token})
        for _ in range(30):  # 30 in a minute: each a normal "select an answer" error
            response = self.client.post(self.url, {"asked_at": "confirmation"})
            self.assertEqual(response.status_code, 200)

        data = {"rating": "2", "comment": "Too many questions", "asked_at": "confirmation"}
        response = self.client.post(self.url, data)
        self.assertEqual(response.status_code, 429)
        self.assertEqual(response["Retry-After"], "60")
        page = soup(response)
        self.assertEqual(
            page.select_one(".govuk-error-summary li").get_text(strip=True), WAIT_FOR_FEEDBACK
        )
        self.assertTrue(
            page.find("input", attrs={"name": "rating", "value": "2"}).has_attr("checked")
        )
        self.assertEqual(
            page.find("textarea", attrs={"name": "comment"}).get_text().strip(),
            "Too many questions",
        )
        self.assertFalse(SatisfactionResponse.objects.exists())

        # The same resident's session from another address is counted on its own.
        response = self.client.post(self.url, data, REMOTE_ADDR=NEIGHBOUR)
        self.assertEqual(response.status_code, 302)
        self.assertEqual(SatisfactionResponse.objects.get().comment, "Too many questions")


@override_settings(RATELIMIT_RATES=REAL_RATES)
class SearchLimitTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        home = make_site()
        bins = CategoryPageFactory(parent=home, slug="bins", title="Bins")
        ServicePageFactory(parent=bins, title="Report a missed bin", slug="missed-bin")

    def test_over_the_limit_a_wait_page_keeps_the_query(self):
        client = Client(REMOTE_ADDR=RESIDENT)
        for _ in range(60):
            self.assertEqual(client.get("/search/", {"q": "bin"}).status_code, 200)

        response = client.get("/search/", {"q": "missed bin"})
        self.assertEqual(response.status_code, 429)
        self.assertEqual(response["Retry-After"], "60")
        page = soup(response)
        self.assertEqual(page.h1.get_text(strip=True), "Wait a minute before you search again")
        self.assertEqual(page.find("input", attrs={"name": "q"})["value"], "missed bin")
        self.assertEqual(page.find("form", attrs={"role": "search"})["method"], "get")
        self.assertNotIn("Report a missed bin", page.get_text())  # no results were run

        # The empty search form is not counted, and another address still searches.
        self.assertEqual(client.get("/search/").status_code, 200)
        response = Client(REMOTE_ADDR=NEIGHBOUR).get("/search/", {"q": "missed bin"})
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Report a missed bin")

    def test_suggestions_over_the_limit_are_an_empty_429_the_box_ignores(self):
        client = Client(REMOTE_ADDR=RESIDENT)
        for _ in range(300):
            self.assertEqual(client.get("/search/suggest/", {"q": "bi"}).status_code, 200)

        response = client.get("/search/suggest/", {"q": "missed"})
        self.assertEqual(response.status_code, 429)
        self.assertEqual(response["Retry-After"], "60")
        self.assertEqual(json.loads(response.content), {"query": "missed", "suggestions": []})

        response = Client(REMOTE_ADDR=NEIGHBOUR).get("/search/suggest/", {"q": "missed"})
        self.assertEqual(response.status_code, 200)
        titles = [s["title"] for s in json.loads(response.content)["suggestions"]]
        self.assertEqual(titles, ["Report a missed bin"])


@pytest.mark.django_db
def test_when_the_cache_is_down_nobody_is_limited(client):
    """Redis down (django-redis ignoring its errors, as production.py configures it): the count
    cannot be kept, so residents are served rather than refused (RATELIMIT_FAIL_OPEN)."""
    pytest.importorskip("django_redis")
    dead_redis = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens on port 1
            "OPTIONS": {"IGNORE_EXCEPTIONS": True, "SOCKET_CONNECT_TIMEOUT": 0.25},
        }
    }
    # "0/m" refuses every search whenever the count can be kept.
    with override_settings(RATELIMIT_RATES={**REAL_RATES, "search": "0/m"}):
        assert client.get("/search/", {"q": "bin"}).status_code == 429
        with override_settings(CACHES=dead_redis):
            assert client.get("/search/", {"q": "bin"}).status_code == 200


PROXY = "10.0.0.2"  # our proxy, in TRUSTED_PROXIES below
OTHER_PROXY = "10.0.1.5"  # a second hop of ours (a load balancer in front of PROXY)
STRANGER = "198.51.100.9"  # anyone else on the internet


@pytest.mark.parametrize(
    ("meta", "expected"),
    [
        # From our proxy, its header names the client.
        ({"REMOTE_ADDR": PROXY, "HTTP_X_REAL_IP": RESIDENT}, RESIDENT),
        # X-Forwarded-For: the rightmost address that is not ours; what the client put to its
        # left ("198.51.100.1") is its own word.
        ({"REMOTE_ADDR": PROXY, "HTTP_X_REAL_IP": f"198.51.100.1, {RESIDENT}"}, RESIDENT),
        ({"REMOTE_ADDR": PROXY, "HTTP_X_REAL_IP": f"1.2.3.4, {RESIDENT}, {OTHER_PROXY}"}, RESIDENT),
        ({"REMOTE_ADDR": f"::ffff:{PROXY}", "HTTP_X_REAL_IP": RESIDENT}, RESIDENT),
        ({"REMOTE_ADDR": PROXY, "HTTP_X_REAL_IP": OTHER_PROXY}, OTHER_PROXY),  # from inside
        ({"REMOTE_ADDR": PROXY}, PROXY),  # the proxy forgot the header
        ({"REMOTE_ADDR": PROXY, "HTTP_X_REAL_IP": "<script>"}, PROXY),
        ({"REMOTE_ADDR": PROXY, "HTTP_X_REAL_IP": f"{RESIDENT}, nonsense"}, PROXY),
        # From anyone else, the header is ignored: they would choose their own address.
        ({"REMOTE_ADDR": STRANGER, "HTTP_X_REAL_IP": RESIDENT}, STRANGER),
        ({"REMOTE_ADDR": STRANGER, "HTTP_X_REAL_IP": f"{RESIDENT}, {PROXY}"}, STRANGER),
        ({"REMOTE_ADDR": "", "HTTP_X_REAL_IP": "nonsense"}, "0.0.0.0"),
        ({"REMOTE_ADDR": "", "HTTP_X_REAL_IP": RESIDENT}, "0.0.0.0"),
    ],
)
def test_the_client_address_behind_the_proxy(rf, meta, expected):
    request = rf.get("/")
    request.META.clear()
    request.META.update(meta)
    with override_settings(
        CLIENT_IP_META_KEY="HTTP_X_REAL_IP", TRUSTED_PROXIES=["10.0.0.0/24", OTHER_PROXY]
    ):
        assert client_ip(request) == expected


@pytest.mark.django_db
@pytest.mark.parametrize(("peer", "believed"), [(STRANGER, False), (PROXY, True)])
def test_a_changing_client_address_header_sheds_the_limit_only_through_our_proxy(peer, believed):
    """Track your request allows 10 tries per 10 minutes per client. A client that sends a new
    X-Real-IP with each try is still one client, unless the header comes from our proxy (then
    the tries really are from 11 residents)."""
    cache.clear()  # the counts live in the cache
    with override_settings(CLIENT_IP_META_KEY="HTTP_X_REAL_IP", TRUSTED_PROXIES=[PROXY]):
        statuses = [
            Client(REMOTE_ADDR=peer, HTTP_X_REAL_IP=f"203.0.113.{n}")
            .post("/track/", {"reference": "", "email": ""})
            .status_code
            for n in range(1, 12)
        ]
    assert statuses[:10] == [200] * 10
    assert statuses[10] == (200 if believed else 429)


@override_settings(
    CLIENT_IP_META_KEY="HTTP_X_REAL_IP", TRUSTED_PROXIES=[RESIDENT], RATELIMIT_RATES=REAL_RATES
)
class MissingProxyHeaderTests(FlowTestCase):
    """A proxy that does not send the configured header, or a client that sends nonsense in it,
    still gets its answers taken (counted under REMOTE_ADDR), never a server error."""

    @classmethod
    def setUpTestData(cls):
        cls.flow = crime_number_flow()

    def test_answers_and_searches_are_served(self):
        for headers in ({}, {"HTTP_X_REAL_IP": "not an address"}):
            self.client = Client(REMOTE_ADDR=RESIDENT, **headers)
            self.client.get(self.base)
            response = self.answer("stolen", {"stolen-stolen": "yes"})
            self.assertEqual(response.status_code, 302)
            self.assertEqual(self.client.get("/search/", {"q": "bin"}).status_code, 200)
            self.assertEqual(self.client.post("/track/", {"reference": "x"}).status_code, 200)
