"""Redis down: pages are served uncached and flows keep working.

A real redis-server is started on a loopback port of its own and the site's cache is pointed at
it through django-redis with the production options (short timeouts, IGNORE_EXCEPTIONS). The
server is then killed with SIGKILL, as a crash would, and started again."""

import os

import pytest
import redis
from django.core.cache import caches
from django.test import TestCase, override_settings

from demo.loader import DemoLoader
from forms.flows.models import Submission
from services.models import ServicePage
from tests.council.servers import REDIS_SERVER, RedisServer, complete_flow, first_flow_with_email

pytestmark = pytest.mark.skipif(
    not os.access(REDIS_SERVER, os.X_OK), reason="redis-server is not installed"
)

SERVER = RedisServer()


def redis_caches(url: str) -> dict:
    """The production CACHES (site/council/settings/production.py) for `url`."""
    return {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": url,
            "OPTIONS": {
                "CLIENT_CLASS": "django_redis.client.DefaultClient",
                "SOCKET_CONNECT_TIMEOUT": 0.25,
                "SOCKET_TIMEOUT": 0.25,
                "IGNORE_EXCEPTIONS": True,
            },
        }
    }


@override_settings(
    CACHES=redis_caches(SERVER.url),
    DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS=True,
    DJANGO_REDIS_LOGGER="council.cache",
    RATELIMIT_FAIL_OPEN=True,
)
class RedisDownTests(TestCase):
    @classmethod
    def setUpClass(cls):
        SERVER.start()
        super().setUpClass()

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        SERVER.kill()

    @classmethod
    def setUpTestData(cls):
        DemoLoader().load()

    def setUp(self):
        if SERVER.process is None:
            SERVER.start()
        self.direct = redis.Redis(port=SERVER.port, socket_timeout=2)
        self.direct.flushall()

    def tearDown(self):
        caches["default"].close()

    def keys(self) -> int:
        return self.direct.dbsize()

    def visit_everything(self, flow) -> Submission:
        service = ServicePage.objects.live().order_by("path").first()
        self.assertEqual(self.client.get(service.url).status_code, 200)
        self.assertEqual(self.client.get("/").status_code, 200)
        search = self.client.get("/search/", {"q": "bins"})
        self.assertEqual(search.status_code, 200)
        self.client.cookies.clear()
        submission = complete_flow(self.client, flow)
        track = self.client.post(
            "/track/",
            {"reference": submission.reference, "email": submission.contact_email},
            REMOTE_ADDR="192.0.2.10",
        )
        self.assertEqual(track.status_code, 200)
        self.assertContains(track, submission.reference)
        return submission

    def test_the_site_works_with_redis_up_then_down_then_up_again(self):
        flow = first_flow_with_email()

        # Up: the cache is Redis (search and the rate limits write to it)
        first = self.visit_everything(flow)
        self.assertGreater(self.keys(), 0)

        # Down: SIGKILL, every connection refused
        SERVER.kill()
        with self.assertLogs("council.cache", "ERROR") as logs:
            second = self.visit_everything(flow)
        self.assertNotEqual(first.reference, second.reference)
        self.assertEqual(Submission.objects.filter(flow=flow).count(), 2)
        self.assertTrue(logs.output, "an ignored Redis error is logged")
        # the rate limit fails open: many tries from one client are all answered
        for _ in range(12):
            response = self.client.post(
                "/track/",
                {"reference": second.reference, "email": second.contact_email},
                REMOTE_ADDR="192.0.2.11",
            )
            self.assertEqual(response.status_code, 200)

        # Up again on the same port: caching resumes without a restart of the site
        SERVER.start()
        self.assertEqual(self.keys(), 0)
        self.visit_everything(flow)
        self.assertGreater(self.keys(), 0)

    def test_the_rate_limit_counts_in_redis_while_it_is_up(self):
        submission_ip = "192.0.2.12"
        for n in range(10):
            response = self.client.post(
                "/track/",
                {"reference": f"FCC-2222-{n}AAA", "email": "x@example.com"},
                REMOTE_ADDR=submission_ip,
            )
            self.assertEqual(response.status_code, 200, n)
        response = self.client.post(
            "/track/",
            {"reference": "FCC-2222-AAAA", "email": "x@example.com"},
            REMOTE_ADDR=submission_ip,
        )
        self.assertEqual(response.status_code, 429)
        self.assertGreater(self.keys(), 0)
