"""Production settings refuse to start without their secrets and pass Django's deploy check."""

import os
import runpy
import subprocess
import sys
from pathlib import Path
from unittest import mock

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import SimpleTestCase

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "council.settings.production",
    "SECRET_KEY": "k7#Qm2!vX9@pL4$wR8^tZ1&nB6*yH3(jF5)cD0-sG2+eA7=uM9~qW4%oT6",
    "ALLOWED_HOSTS": "www.fernbridge.gov.uk",
    "DATABASE_URL": "postgres://council:secret@db.internal:5432/council",
    "STRIPE_SECRET_KEY": "sk_test_not_a_real_key",
    "STRIPE_WEBHOOK_SECRET": "whsec_not_a_real_secret",
}


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in PRODUCTION_ENV}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize(
    "secret_key",
    ["too-short-a-key-0123456789", "x" * 49, "ab" * 40],  # short, just short, long but simple
)
def test_production_refuses_a_weak_secret_key(secret_key):
    # The settings module itself, run in this process with production's environment: it stops at
    # the key, before anything else (so this costs no subprocess).
    with (
        mock.patch.dict(os.environ, {**PRODUCTION_ENV, "SECRET_KEY": secret_key}),
        pytest.raises(ImproperlyConfigured, match="SECRET_KEY is too short or too simple"),
    ):
        runpy.run_module("council.settings.production")


MESSAGE_VARIABLES = (
    "MESSAGE_PROVIDER",
    "NOTIFY_API_KEY",
    "NOTIFY_EMAIL_TEMPLATE_ID",
    "NOTIFY_SMS_TEMPLATE_ID",
    "NOTIFY_TEMPLATES",
    "NOTIFY_CALLBACK_TOKEN",
)


def production_settings(**env: str) -> dict:
    """The production settings module run in this process with production's environment and
    `env` (no subprocess: a refusal stops it before anything is started)."""
    with mock.patch.dict(os.environ, {**PRODUCTION_ENV, **env}):
        for name in MESSAGE_VARIABLES:
            if name not in env:
                os.environ.pop(name, None)
        return runpy.run_module("council.settings.production")


def test_production_sends_messages_by_smtp_unless_told_otherwise():
    assert production_settings()["MESSAGE_PROVIDER"] == "smtp"


def test_production_refuses_the_sandbox_message_provider():
    with pytest.raises(ImproperlyConfigured, match=r"MESSAGE_PROVIDER=sandbox .* refuse it"):
        production_settings(MESSAGE_PROVIDER="sandbox")


NOTIFY_ENV = {
    "MESSAGE_PROVIDER": "notify",
    "NOTIFY_API_KEY": (
        "council_live-26785a09-ab16-4eb0-8407-a37497a57506-3d844edf-8d35-48ac-975b-e847b4f122b0"
    ),
    "NOTIFY_EMAIL_TEMPLATE_ID": "f33517ff-2a88-4f6e-b855-c550268ce08a",
    "NOTIFY_CALLBACK_TOKEN": "a-long-random-callback-token",
}


@pytest.mark.parametrize(
    "missing", ["NOTIFY_API_KEY", "NOTIFY_EMAIL_TEMPLATE_ID", "NOTIFY_CALLBACK_TOKEN"]
)
def test_production_with_notify_needs_its_key_template_and_callback_token(missing):
    env = {name: value for name, value in NOTIFY_ENV.items() if name != missing}
    with pytest.raises(ImproperlyConfigured, match=f"Set the {missing} environment variable"):
        production_settings(**env)


def test_production_with_notify():
    settings = production_settings(**NOTIFY_ENV)
    assert settings["MESSAGE_PROVIDER"] == "notify"
    assert settings["NOTIFY_TEMPLATES"]["email"] == NOTIFY_ENV["NOTIFY_EMAIL_TEMPLATE_ID"]
    assert settings["NOTIFY_CALLBACK_TOKEN"] == NOTIFY_ENV["NOTIFY_CALLBACK_TOKEN"]


class ProductionSettingsTests(SimpleTestCase):
    def test_refuses_to_start_without_each_required_variable(self):
        for missing in [
            "SECRET_KEY",
            "ALLOWED_HOSTS",
            "DATABASE_URL",
            "STRIPE_SECRET_KEY",
            "STRIPE_WEBHOOK_SECRET",
        ]:
            for value in (None, ""):
                with self.subTest(missing=missing, value=value):
                    env = dict(PRODUCTION_ENV)
                    if value is None:
                        del env[missing]
                    else:
                        env[missing] = value
                    result = manage("check", env=env)
                    self.assertNotEqual(result.returncode, 0)
                    self.assertIn(f"Set the {missing} environment variable", result.stderr)

    def test_deploy_check_is_clean(self):
        result = manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
        self.assertEqual(result.returncode, 0, result.stderr + result.stdout)
        self.assertNotIn("WARNINGS", result.stderr + result.stdout)
        self.assertIn("no issues", result.stdout)

    def test_production_refuses_the_sandbox_payment_provider(self):
        result = manage("check", env={**PRODUCTION_ENV, "PAYMENT_PROVIDER": "sandbox"})
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("production settings refuse it", result.stderr)

    def test_production_has_no_demo_commands(self):
        # The demo app (its users, pages, fake records) is not installed in production at all.
        for command in ("create_demo_users", "load_demo_content", "simulate_flow_journeys"):
            result = manage(command, env=PRODUCTION_ENV)
            self.assertNotEqual(result.returncode, 0)
            self.assertIn(f"Unknown command: '{command}'", result.stderr)

    def test_production_runs_without_the_demo_and_the_benchmarks(self):
        result = manage(
            "shell",
            "-c",
            "from django.apps import apps; from forms.flows.handlers import fees; "
            "print(sorted(a.label for a in apps.get_app_configs()), list(fees))",
            env=PRODUCTION_ENV,
        )
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertNotIn("'demo'", result.stdout)
        self.assertNotIn("'benchmarks'", result.stdout)
        self.assertIn("'payments'", result.stdout)
        self.assertIn("[]", result.stdout)  # no demo fee handlers registered
