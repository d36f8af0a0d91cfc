"""Staff passwords are at least 12 characters: in the Wagtail admin's "Add user" form and when a
person changes their own password; the demo logins meet the rule."""

from bs4 import BeautifulSoup
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import get_default_password_validators
from django.test import TestCase

from demo.management.commands.create_demo_users import DEMO_PASSWORD

TOO_SHORT = "This password is too short. It must contain at least 12 characters."
ELEVEN = "Qv7#mLp2!xR"  # 11 characters, not common, not numeric
TWELVE = "Qv7#mLp2!xRz"


def form_data(response, form_selector: str) -> dict:
    """What a browser would send from the page's form as it stands (text, hidden, checked
    boxes, chosen options), to change a few fields and post."""
    form = BeautifulSoup(response.content, "html.parser").select_one(form_selector)
    data: dict = {}
    for field in form.find_all(["input", "select", "textarea"]):
        name = field.get("name")
        if not name or field.get("type") in ("submit", "button", "file"):
            continue
        if field.name == "select":
            options = field.find_all("option")
            chosen = [o.get("value", o.get_text()) for o in options if o.has_attr("selected")]
            if field.has_attr("multiple"):
                data[name] = chosen
            elif chosen or options:  # with nothing chosen a browser sends the first option
                data[name] = chosen[0] if chosen else options[0].get("value", "")
        elif field.name == "textarea":
            data[name] = field.get_text()
        elif field.get("type") in ("checkbox", "radio"):
            if field.has_attr("checked"):
                data.setdefault(name, []).append(field.get("value", "on"))
        else:
            data[name] = field.get("value", "")
    return data


class PasswordRuleTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.admin = get_user_model().objects.create_superuser(
            "web.admin", "web.admin@example.org", "an-old-long-password"
        )

    def setUp(self):
        self.client.force_login(self.admin)

    def test_the_minimum_is_12_with_the_other_rules_kept(self):
        validators = {type(v).__name__: v for v in get_default_password_validators()}
        self.assertEqual(validators["MinimumLengthValidator"].min_length, 12)
        self.assertEqual(
            set(validators),
            {
                "UserAttributeSimilarityValidator",
                "MinimumLengthValidator",
                "CommonPasswordValidator",
                "NumericPasswordValidator",
            },
        )

    def test_add_user_refuses_11_characters_and_accepts_12(self):
        url = "/admin/users/new/"
        data = form_data(self.client.get(url), "form[method=post]")
        data.update(
            username="new.editor",
            email="new.editor@example.org",
            first_name="New",
            last_name="Editor",
            password1=ELEVEN,
            password2=ELEVEN,
        )
        response = self.client.post(url, data)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, TOO_SHORT)
        self.assertFalse(get_user_model().objects.filter(username="new.editor").exists())

        data.update(password1=TWELVE, password2=TWELVE)
        response = self.client.post(url, data)
        self.assertEqual(response.status_code, 302)
        self.assertTrue(get_user_model().objects.get(username="new.editor").check_password(TWELVE))

    def test_changing_your_own_password_refuses_11_characters_and_accepts_12(self):
        url = "/admin/account/"
        data = form_data(self.client.get(url), "form[method=post]")
        data.update(
            {
                "name_email-first_name": "Web",
                "name_email-last_name": "Admin",
                "password-old_password": "an-old-long-password",
                "password-new_password1": ELEVEN,
                "password-new_password2": ELEVEN,
            }
        )
        response = self.client.post(url, data)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, TOO_SHORT)
        self.admin.refresh_from_db()
        self.assertTrue(self.admin.check_password("an-old-long-password"))

        data.update({"password-new_password1": TWELVE, "password-new_password2": TWELVE})
        response = self.client.post(url, data)
        self.assertEqual(response.status_code, 302)
        self.admin.refresh_from_db()
        self.assertTrue(self.admin.check_password(TWELVE))

    def test_the_demo_password_meets_the_rule(self):
        self.assertGreaterEqual(len(DEMO_PASSWORD), 12)
