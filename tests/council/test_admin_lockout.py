"""The admin sign-in lockout (django-axes): 5 wrong passwords for one username from one address
lock that pair for 15 minutes with a clear 429 page; nobody else is locked out with them, and
the logs name neither the person nor the address. 20 for one username from any number of
addresses lock that username for an hour. The address is the socket's, or the one our proxy
(TRUSTED_PROXIES) names, never one the client names itself."""

from datetime import timedelta
from io import StringIO

from axes.models import AccessAttempt
from bs4 import BeautifulSoup
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db.models import F
from django.test import Client, TestCase, override_settings

LOGIN = "/admin/login/"
PASSWORD = "a-long-editor-password"
LOCKED = (
    "Too many sign-in attempts. Wait 15 minutes, then try again, "
    "or ask an administrator to unlock your account."
)
EDITOR_ADDRESS = "198.51.100.20"
ATTACKER_ADDRESS = "198.51.100.66"


@override_settings(AXES_ENABLED=True)
class AdminLockoutTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        User = get_user_model()  # noqa: N806
        cls.editor = User.objects.create_superuser("waste.editor", "w@example.org", PASSWORD)
        cls.other = User.objects.create_superuser("roads.editor", "r@example.org", PASSWORD)

    def sign_in(self, client: Client, username: str, password: str):
        return client.post(LOGIN, {"username": username, "password": password, "next": "/admin/"})

    def signed_in(self, client: Client) -> bool:
        return client.get("/admin/").status_code == 200

    def fail(self, client: Client, username: str, times: int):
        for attempt in range(times):
            response = self.sign_in(client, username, f"wrong-password-{attempt}")
            if attempt < 4:  # the normal form, with Wagtail's message, up to the fifth
                self.assertEqual(response.status_code, 200)
                self.assertContains(response, "Your username and password didn")

    def test_after_5_wrong_passwords_even_the_right_one_is_refused(self):
        client = Client(REMOTE_ADDR=ATTACKER_ADDRESS)
        self.fail(client, "waste.editor", 5)

        response = self.sign_in(client, "waste.editor", PASSWORD)
        self.assertEqual(response.status_code, 429)
        self.assertEqual(response["Retry-After"], "900")
        page = BeautifulSoup(response.content, "html.parser")
        self.assertEqual(page.h1.get_text(strip=True), "Too many sign-in attempts")
        self.assertEqual(page.select_one(".messages li").get_text(strip=True), LOCKED)
        self.assertNotIn("waste.editor", page.get_text())
        self.assertNotIn(ATTACKER_ADDRESS, page.get_text())
        self.assertNotIn("Traceback", page.get_text())
        self.assertFalse(self.signed_in(client))

    def test_the_lock_is_for_that_username_from_that_address_only(self):
        attacker = Client(REMOTE_ADDR=ATTACKER_ADDRESS)
        self.fail(attacker, "waste.editor", 6)

        # Another username from the same address gets the normal form, and can sign in.
        response = self.sign_in(attacker, "roads.editor", "wrong-password")
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Your username and password didn")
        self.assertEqual(self.sign_in(attacker, "roads.editor", PASSWORD).status_code, 302)

        # The real editor, at their own desk, is not locked out by the attacker.
        editor = Client(REMOTE_ADDR=EDITOR_ADDRESS)
        self.assertEqual(self.sign_in(editor, "waste.editor", PASSWORD).status_code, 302)
        self.assertTrue(self.signed_in(editor))

    def test_after_the_cool_off_the_right_password_works(self):
        client = Client(REMOTE_ADDR=ATTACKER_ADDRESS)
        self.fail(client, "waste.editor", 5)
        self.assertEqual(self.sign_in(client, "waste.editor", PASSWORD).status_code, 429)

        # 16 minutes pass (the attempts are as old as they would then be).
        AccessAttempt.objects.update(attempt_time=F("attempt_time") - timedelta(minutes=16))
        self.assertEqual(self.sign_in(client, "waste.editor", PASSWORD).status_code, 302)
        self.assertTrue(self.signed_in(client))

    def test_fourteen_minutes_on_it_is_still_locked(self):
        client = Client(REMOTE_ADDR=ATTACKER_ADDRESS)
        self.fail(client, "waste.editor", 5)
        AccessAttempt.objects.update(attempt_time=F("attempt_time") - timedelta(minutes=14))
        self.assertEqual(self.sign_in(client, "waste.editor", PASSWORD).status_code, 429)

    def test_a_successful_sign_in_resets_the_count(self):
        client = Client(REMOTE_ADDR=EDITOR_ADDRESS)
        self.fail(client, "waste.editor", 4)
        self.assertEqual(self.sign_in(client, "waste.editor", PASSWORD).status_code, 302)
        client.post("/admin/logout/")
        self.fail(client, "waste.editor", 4)
        self.assertEqual(self.sign_in(client, "waste.editor", PASSWORD).status_code, 302)

    def test_an_administrator_can_unlock_a_username(self):
        client = Client(REMOTE_ADDR=ATTACKER_ADDRESS)
        self.fail(client, "waste.editor", 5)
        call_command("axes_reset_username", "waste.editor", stdout=StringIO())
        self.assertEqual(self.sign_in(client, "waste.editor", PASSWORD).status_code, 302)

    @override_settings(CLIENT_IP_META_KEY="HTTP_X_REAL_IP", TRUSTED_PROXIES=["10.0.0.2"])
    def test_behind_the_proxy_the_address_is_the_one_the_rate_limits_use(self):
        # Every request comes from the proxy; X-Real-IP says who is behind it.
        attacker = Client(REMOTE_ADDR="10.0.0.2", HTTP_X_REAL_IP=ATTACKER_ADDRESS)
        self.fail(attacker, "waste.editor", 5)
        self.assertEqual(self.sign_in(attacker, "waste.editor", PASSWORD).status_code, 429)
        self.assertEqual(AccessAttempt.objects.get().ip_address, ATTACKER_ADDRESS)

        editor = Client(REMOTE_ADDR="10.0.0.2", HTTP_X_REAL_IP=EDITOR_ADDRESS)
        self.assertEqual(self.sign_in(editor, "waste.editor", PASSWORD).status_code, 302)

    @override_settings(CLIENT_IP_META_KEY="HTTP_X_REAL_IP", TRUSTED_PROXIES=["10.0.0.2"])
    def test_an_address_the_client_names_itself_does_not_shed_the_lock(self):
        # Not from our proxy: a new X-Real-IP and X-Forwarded-For with every guess change nothing.
        for attempt in range(5):
            forged = f"203.0.113.{attempt + 1}"
            client = Client(
                REMOTE_ADDR=ATTACKER_ADDRESS, HTTP_X_REAL_IP=forged, HTTP_X_FORWARDED_FOR=forged
            )
            self.sign_in(client, "waste.editor", f"wrong-password-{attempt}")
        client = Client(REMOTE_ADDR=ATTACKER_ADDRESS, HTTP_X_REAL_IP="203.0.113.99")
        self.assertEqual(self.sign_in(client, "waste.editor", PASSWORD).status_code, 429)
        self.assertEqual(AccessAttempt.objects.get().ip_address, ATTACKER_ADDRESS)

    def spread_guesses(self, username: str, times: int):
        """`times` wrong passwords for `username`, each from an address of its own: the normal
        form each time (no address is near its own limit of 5)."""
        for n in range(times):
            client = Client(REMOTE_ADDR=f"203.0.113.{n + 1}")
            self.assertEqual(self.sign_in(client, username, "wrong-password").status_code, 200)

    def test_guesses_spread_over_many_addresses_lock_the_username_for_an_hour(self):
        self.spread_guesses("waste.editor", 19)
        response = self.sign_in(Client(REMOTE_ADDR="203.0.113.20"), "waste.editor", "wrong")
        self.assertEqual(response.status_code, 429)  # the 20th
        self.assertEqual(response["Retry-After"], "3600")
        page = BeautifulSoup(response.content, "html.parser")
        self.assertEqual(
            page.select_one(".messages li").get_text(strip=True),
            LOCKED.replace("15 minutes", "60 minutes"),
        )

        # Now even the editor, from their own desk, with the right password, must wait...
        editor = Client(REMOTE_ADDR=EDITOR_ADDRESS)
        self.assertEqual(self.sign_in(editor, "waste.editor", PASSWORD).status_code, 429)
        # ...while other people sign in from the same addresses as ever.
        self.assertEqual(self.sign_in(editor, "roads.editor", PASSWORD).status_code, 302)

        # 59 minutes on it still holds; after the hour it is gone.
        AccessAttempt.objects.update(attempt_time=F("attempt_time") - timedelta(minutes=59))
        self.assertEqual(self.sign_in(editor, "waste.editor", PASSWORD).status_code, 429)
        AccessAttempt.objects.update(attempt_time=F("attempt_time") - timedelta(minutes=62))
        self.assertEqual(self.sign_in(editor, "waste.editor", PASSWORD).status_code, 302)

    def test_19_spread_guesses_lock_nobody_and_an_administrator_unlocks_20(self):
        self.spread_guesses("waste.editor", 19)
        editor = Client(REMOTE_ADDR=EDITOR_ADDRESS)
        self.assertEqual(self.sign_in(editor, "waste.editor", PASSWORD).status_code, 302)
        editor.post("/admin/logout/")

        self.assertEqual(self.sign_in(editor, "waste.editor", "wrong-password").status_code, 429)
        call_command("axes_reset_username", "waste.editor", stdout=StringIO())
        self.assertEqual(self.sign_in(editor, "waste.editor", PASSWORD).status_code, 302)

    def test_the_logs_name_neither_the_username_nor_the_address(self):
        client = Client(REMOTE_ADDR=ATTACKER_ADDRESS)
        with self.assertLogs("axes", level="INFO") as logs:
            self.fail(client, "waste.editor", 5)
            self.sign_in(client, "waste.editor", PASSWORD)
            self.sign_in(Client(REMOTE_ADDR=EDITOR_ADDRESS), "roads.editor", PASSWORD)
        self.assertTrue(any("Locking out" in line for line in logs.output))
        for line in logs.output:
            for personal in ("waste.editor", "roads.editor", ATTACKER_ADDRESS, EDITOR_ADDRESS):
                self.assertNotIn(personal, line)


class LockoutOffForTheTestClientTests(TestCase):
    def test_the_suite_s_client_login_still_works(self):
        get_user_model().objects.create_user("someone", "s@example.org", PASSWORD)
        self.assertTrue(self.client.login(username="someone", password=PASSWORD))
