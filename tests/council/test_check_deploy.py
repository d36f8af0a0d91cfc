"""`manage.py check --deploy` is clean with the production settings, Redis configured, and the
checks of django-axes and django-csp among those it runs."""

from django.test import SimpleTestCase

from tests.council.test_settings import PRODUCTION_ENV, manage

ENV = {**PRODUCTION_ENV, "REDIS_URL": "redis://127.0.0.1:6379/0"}


class CheckDeployTests(SimpleTestCase):
    def test_no_issue_not_even_a_warning(self):
        result = manage("check", "--deploy", "--fail-level", "WARNING", env=ENV)
        output = result.stdout + result.stderr
        self.assertEqual(result.returncode, 0, output)
        self.assertIn("System check identified no issues (0 silenced).", result.stdout)
        self.assertNotIn("WARNINGS", output)

    def test_the_lockout_and_policy_checks_are_run(self):
        code = (
            "from django.core.checks.registry import registry; "
            "print(sorted({c.__module__ for c in "
            "registry.get_checks(include_deployment_checks=True)}))"
        )
        result = manage("shell", "--no-imports", "-c", code, env=ENV)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn("'axes.checks'", result.stdout)
        self.assertIn("'csp.checks'", result.stdout)
        self.assertIn("'django.core.checks.security.base'", result.stdout)

    def test_nothing_is_silenced(self):
        code = "from django.conf import settings; print(settings.SILENCED_SYSTEM_CHECKS)"
        result = manage("shell", "--no-imports", "-c", code, env=ENV)
        self.assertEqual(result.stdout.strip().splitlines()[-1], "[]")

    def test_a_client_address_header_without_a_trusted_proxy_is_warned_about(self):
        env = {**ENV, "RATELIMIT_IP_META_KEY": "HTTP_X_REAL_IP", "TRUSTED_PROXIES": ""}
        result = manage("check", "--deploy", "--fail-level", "WARNING", env=env)
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("council.W001", result.stdout + result.stderr)
        env["TRUSTED_PROXIES"] = "127.0.0.1"
        result = manage("check", "--deploy", "--fail-level", "WARNING", env=env)
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
