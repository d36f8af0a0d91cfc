"""The demo logins: `make run` prints every one (with the password and the admin's address on
the port it serves on), and README.md lists the same logins, so neither can drift."""

from __future__ import annotations

import re
from io import StringIO
from pathlib import Path

from django.conf import settings
from django.contrib.auth import authenticate, get_user_model
from django.core.management import call_command
from django.test import TestCase, override_settings

from demo.loader import TEAMS
from demo.management.commands.create_demo_users import DEMO_LOGINS, DEMO_PASSWORD

README = Path(settings.BASE_DIR) / "README.md"


def readme_logins() -> dict[str, str]:
    """The logins README.md lists in its demo-logins table: login -> what it can do."""
    text = README.read_text(encoding="utf-8")
    table = text.split("<!-- demo-logins")[1].split("<!-- end of demo-logins -->")[0]
    return dict(re.findall(r"^\| `([^`]+)` \| (.+?) \|$", table, flags=re.MULTILINE))


@override_settings(DEBUG=True)
class DemoLoginTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        from django.contrib.auth.models import Group

        for team in TEAMS:
            Group.objects.create(name=team)

    def create(self, *args: str) -> str:
        out = StringIO()
        call_command("create_demo_users", *args, stdout=out)
        return out.getvalue()

    def test_every_user_the_command_makes_is_printed_with_the_password_and_admin_address(self):
        output = self.create("--port", "8080")
        self.assertIn("http://127.0.0.1:8080/admin/", output)
        self.assertIn(DEMO_PASSWORD, output)
        users = set(get_user_model().objects.values_list("username", flat=True))
        self.assertEqual(users, {username for username, _ in DEMO_LOGINS})
        for username, can_do in DEMO_LOGINS:
            with self.subTest(username=username):
                self.assertRegex(output, rf"(?m)^\s+{re.escape(username)}\s+{re.escape(can_do)}$")
                self.assertIsNotNone(authenticate(username=username, password=DEMO_PASSWORD))

    def test_the_demo_outbox_is_printed_when_messages_stay_in_it(self):
        with override_settings(MESSAGE_PROVIDER="sandbox"):
            self.assertIn(
                "read them at http://127.0.0.1:8080/demo/outbox/", self.create("--port", "8080")
            )
        with override_settings(MESSAGE_PROVIDER="smtp"):
            self.assertNotIn("/demo/outbox/", self.create())

    def test_the_web_team_login_is_printed(self):
        self.assertRegex(self.create(), r"(?m)^\s+web\.team\s+the Search menu")

    def test_the_readme_lists_the_same_logins_as_the_command(self):
        self.assertEqual(readme_logins(), dict(DEMO_LOGINS))

    def test_the_readme_names_the_password_the_logins_have(self):
        intro = README.read_text(encoding="utf-8").split("<!-- demo-logins")[0]
        self.assertIn(f"`{DEMO_PASSWORD}`", intro)
        self.assertIn("http://127.0.0.1:8000/admin/", intro)

    def test_running_it_again_changes_nothing_and_prints_the_same(self):
        first = self.create()
        self.assertEqual(self.create(), first)
        self.assertEqual(get_user_model().objects.count(), len(DEMO_LOGINS))
