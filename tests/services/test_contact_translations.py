"""Editors write the contact channels' texts per language; a mistake gets an error, never a 500."""

from bs4 import BeautifulSoup
from django.contrib.auth import get_user_model
from django.test import TestCase

from services.models import ContactSettings, ContactSettingsTranslation
from tests.factories import make_site


class ContactTextsPerLanguageAdminTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.site = make_site().get_site()
        cls.admin = get_user_model().objects.create_superuser(
            "boss", "b@example.com", "pw-12345678"
        )

    def setUp(self):
        self.client.force_login(self.admin)
        self.url = f"/admin/settings/services/contactsettings/{self.site.pk}/"

    def form_data(self, translations):
        soup = BeautifulSoup(self.client.get(self.url).content, "html.parser")
        form = soup.select_one("form[method=post]")
        data = {}
        for field in form.select("input[name], textarea[name], select[name]"):
            if field.name == "textarea":
                data[field["name"]] = field.get_text()
            elif field.name == "select":
                chosen = field.select_one("option[selected]")
                data[field["name"]] = chosen["value"] if chosen else ""
            elif field.get("type") not in ("checkbox", "radio", "submit") or field.has_attr(
                "checked"
            ):
                data[field["name"]] = field.get("value", "")
        data = {k: v for k, v in data.items() if "__prefix__" not in k}
        data["translations-TOTAL_FORMS"] = str(len(translations))
        for i, (language, hours) in enumerate(translations):
            data.update(
                {
                    f"translations-{i}-language": language,
                    f"translations-{i}-phone_hours": hours,
                    f"translations-{i}-out_of_hours": "",
                    f"translations-{i}-face_to_face": "",
                    f"translations-{i}-ORDER": str(i + 1),
                    f"translations-{i}-DELETE": "",
                    f"translations-{i}-id": "",
                }
            )
        return data

    def test_an_editor_adds_welsh_opening_hours(self):
        response = self.client.post(self.url, self.form_data([("cy", "Dydd Llun i ddydd Gwener")]))
        self.assertEqual(response.status_code, 302)
        setting = ContactSettings.for_site(self.site)
        self.assertEqual(setting.in_language("cy").phone_hours, "Dydd Llun i ddydd Gwener")
        # Polish has none: the English is shown
        self.assertEqual(setting.in_language("pl").phone_hours, setting.phone_hours)

    def test_the_same_language_twice_is_an_error_and_nothing_is_saved(self):
        response = self.client.post(self.url, self.form_data([("cy", "Un"), ("cy", "Dau")]))
        self.assertEqual(response.status_code, 200)
        self.assertFalse(ContactSettingsTranslation.objects.exists())
        self.assertContains(response, "Please correct the duplicate values below.")
