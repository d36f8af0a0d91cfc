"""Security headers: a strict Content Security Policy on every page (the Wagtail admin gets only
what it needs on top), and, with the production settings, HSTS, secure cookies, the referrer,
permissions and opener policies."""

import json

from django.test import Client, TestCase

from tests.council.test_passwords import form_data
from tests.council.test_settings import PRODUCTION_ENV, manage
from tests.factories import CategoryPageFactory, ServicePageFactory, make_site
from tests.flows.test_runtime import FlowTestCase, crime_number_flow

SECURITY_SETTINGS = [
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SECURE_SSL_REDIRECT",
    "SECURE_PROXY_SSL_HEADER",
    "SECURE_REFERRER_POLICY",
    "SECURE_CROSS_ORIGIN_OPENER_POLICY",
    "SECURE_CONTENT_TYPE_NOSNIFF",
    "X_FRAME_OPTIONS",
    "SESSION_COOKIE_SECURE",
    "SESSION_COOKIE_HTTPONLY",
    "SESSION_COOKIE_SAMESITE",
    "CSRF_COOKIE_SECURE",
    "CSRF_COOKIE_HTTPONLY",
    "CSRF_COOKIE_SAMESITE",
    "CONTENT_SECURITY_POLICY",
    "PERMISSIONS_POLICY",
]
DENIED_FEATURES = ["camera", "microphone", "geolocation", "payment", "usb", "browsing-topics"]


def production_security_settings() -> dict:
    """The security settings as council.settings.production makes them, read in a process of
    its own with the environment production requires."""
    code = (
        "import json; from django.conf import settings; "
        f"print(json.dumps({{n: getattr(settings, n) for n in {SECURITY_SETTINGS!r}}}))"
    )
    result = manage("shell", "--no-imports", "-c", code, env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout.strip().splitlines()[-1])
    values["SECURE_PROXY_SSL_HEADER"] = tuple(values["SECURE_PROXY_SSL_HEADER"])
    return values


def directives(header: str) -> dict[str, list[str]]:
    parsed = {}
    for part in header.split(";"):
        name, *values = part.split()
        parsed[name] = values
    return parsed


class ContentSecurityPolicyTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        home = make_site()
        bins = CategoryPageFactory(parent=home, slug="bins", title="Bins")
        ServicePageFactory(parent=bins, title="Report a missed bin", slug="missed-bin")

    def test_public_pages_have_the_strict_policy(self):
        for url in ["/", "/bins/", "/bins/missed-bin/", "/search/?q=bin", "/no-such-page/"]:
            with self.subTest(url=url):
                response = self.client.get(url)
                header = response["Content-Security-Policy"]
                self.assertNotIn("unsafe-inline", header)
                self.assertNotIn("unsafe-eval", header)
                policy = directives(header)
                for name in [
                    "default-src",
                    "script-src",
                    "style-src",
                    "img-src",
                    "font-src",
                    "connect-src",
                ]:
                    self.assertEqual(policy[name], ["'self'"], name)
                self.assertEqual(policy["object-src"], ["'none'"])
                self.assertEqual(policy["base-uri"], ["'self'"])
                self.assertEqual(policy["frame-ancestors"], ["'none'"])
                self.assertEqual(policy["form-action"], ["'self'"])  # the sandbox is on the site
                self.assertNotIn("script-src-elem", policy)

    def test_the_admin_adds_only_inline_elements_and_image_previews(self):
        user = self._superuser()
        self.client.force_login(user)
        for url in ["/admin/login/", "/admin/", "/admin/pages/"]:
            with self.subTest(url=url):
                policy = directives(self.client.get(url)["Content-Security-Policy"])
                self.assertEqual(policy["script-src"], ["'self'"])
                self.assertEqual(policy["script-src-elem"], ["'self'", "'unsafe-inline'"])
                self.assertEqual(policy["style-src-elem"], ["'self'", "'unsafe-inline'"])
                self.assertEqual(policy["script-src-attr"], ["'none'"])
                self.assertEqual(policy["style-src-attr"], ["'none'"])
                self.assertEqual(policy["img-src"], ["'self'", "blob:"])
                self.assertEqual(policy["frame-ancestors"], ["'none'"])
                self.assertNotIn("unsafe-eval", self.client.get(url)["Content-Security-Policy"])

    def test_a_page_preview_may_be_framed_by_the_editor_only(self):
        from services.models import ServicePage

        self.client.force_login(self._superuser())
        page = ServicePage.objects.get(slug="missed-bin")
        edit = self.client.get(f"/admin/pages/{page.pk}/edit/")
        url = f"/admin/pages/{page.pk}/edit/preview/"
        data = {**form_data(edit, "form#page-edit-form"), "body-count": "0"}  # StreamField: JS
        self.assertEqual(
            self.client.post(url, data).json(),
            {"is_valid": True, "is_available": True},
        )
        response = self.client.get(url, {"in_preview_panel": "true"})
        self.assertEqual(response["X-Frame-Options"], "SAMEORIGIN")
        policy = directives(response["Content-Security-Policy"])
        self.assertEqual(policy["frame-ancestors"], ["'self'"])
        self.assertEqual(policy["script-src"], ["'self'"])  # the public page's own policy

    def _superuser(self):
        from django.contrib.auth import get_user_model

        return get_user_model().objects.create_superuser("csp", "csp@example.org", "x" * 16)


class ProductionHeaderTests(FlowTestCase):
    """The production settings' values, applied here: every header a browser needs."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.production = production_security_settings()

    @classmethod
    def setUpTestData(cls):
        cls.flow = crime_number_flow()

    def get(self, url: str):
        with self.settings(**self.production):
            client = Client(HTTP_X_FORWARDED_PROTO="https")
            return client.get(url, follow=True)

    def test_a_flow_page_has_every_header_and_secure_cookies(self):
        response = self.get(self.base)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(
            response["Strict-Transport-Security"], "max-age=63072000; includeSubDomains; preload"
        )
        self.assertEqual(response["Referrer-Policy"], "strict-origin-when-cross-origin")
        self.assertEqual(response["Cross-Origin-Opener-Policy"], "same-origin")
        self.assertEqual(response["X-Content-Type-Options"], "nosniff")
        self.assertEqual(response["X-Frame-Options"], "DENY")
        permissions = dict(
            part.strip().split("=", 1) for part in response["Permissions-Policy"].split(",")
        )
        for feature in DENIED_FEATURES:
            self.assertEqual(permissions[feature], "()", feature)

        policy = directives(response["Content-Security-Policy"])
        self.assertIn("upgrade-insecure-requests", policy)
        # A paid flow's last POST is redirected to Stripe Checkout: form-action allows it.
        self.assertEqual(policy["form-action"], ["'self'", "https://checkout.stripe.com"])
        self.assertNotIn("unsafe-inline", response["Content-Security-Policy"])

        cookies = response.client.cookies
        for name in ("sessionid", "csrftoken"):
            with self.subTest(cookie=name):
                self.assertIn(name, cookies)
                self.assertTrue(cookies[name]["secure"])
                self.assertTrue(cookies[name]["httponly"])
                self.assertEqual(cookies[name]["samesite"], "Lax")

    def test_plain_http_is_sent_to_https(self):
        with self.settings(**self.production):
            response = Client().get(self.base)
        self.assertEqual(response.status_code, 301)
        self.assertTrue(response["Location"].startswith("https://"))
