"""The GOV.UK satisfaction question at the end of a flow: on the confirmation page and on an
end point, one answer per journey, an optional comment, GOV.UK errors."""

from django.contrib.auth.models import Group, Permission
from django.test import TestCase

from forms.insights.models import ChannelVolume, FlowEvent, SatisfactionResponse
from tests.flows.test_runtime import FlowTestCase, crime_number_flow

LABELS = [
    "Very satisfied",
    "Satisfied",
    "Neither satisfied or dissatisfied",
    "Dissatisfied",
    "Very dissatisfied",
]


class SatisfactionTests(FlowTestCase):
    @classmethod
    def setUpTestData(cls):
        cls.flow = crime_number_flow()
        cls.url = f"/feedback/{cls.flow.pk}/"

    def send_request(self):
        token = self.token(self.go_to_check_answers())
        self.client.post(f"{self.base}check-your-answers/", {"token": token})
        return self.client.get(f"{self.base}confirmation/")

    def reach_end_point(self):
        self.client.get(self.base)
        return self.answer("stolen", {"stolen-stolen": "no"}, follow=True)

    def journey(self):
        return FlowEvent.objects.get(kind="started").journey

    def assert_question(self, soup, asked_at: str) -> None:
        form = soup.find("form", attrs={"action": self.url})
        self.assertIsNotNone(form, "the satisfaction form is on the page")
        self.assertEqual(form["method"], "post")
        self.assertTrue(form.has_attr("novalidate"))
        self.assertEqual(form.find("input", attrs={"name": "asked_at"})["value"], asked_at)
        self.assertIsNotNone(form.find("input", attrs={"name": "csrfmiddlewaretoken"}))
        fieldset = form.select_one("fieldset.govuk-fieldset")
        legend = fieldset.select_one("legend.govuk-fieldset__legend")
        self.assertEqual(
            legend.get_text(strip=True),
            "Overall, how did you feel about the service you received today?",
        )
        radios = fieldset.select("input.govuk-radios__input[type=radio][name=rating]")
        self.assertEqual([r["value"] for r in radios], ["5", "4", "3", "2", "1"])
        labels = [form.find("label", attrs={"for": r["id"]}).get_text(strip=True) for r in radios]
        self.assertEqual(labels, LABELS)
        textarea = form.find("textarea", attrs={"name": "comment"})
        self.assertIn("govuk-textarea", textarea["class"])
        counted = textarea.find_parent(class_="govuk-character-count")
        self.assertEqual(counted["data-maxlength"], "1200")
        self.assertIn("(optional)", form.find("label", attrs={"for": textarea["id"]}).get_text())
        hint = form.find(id=f"{textarea['id']}-hint")
        self.assertIn("personal", hint.get_text())
        self.assertIn(hint["id"], textarea["aria-describedby"])
        self.assertIn("You can enter up to 1200 characters", form.get_text(" ", strip=True))
        self.assertEqual(form.select_one("button").get_text(strip=True), "Send feedback")

    def test_the_confirmation_page_asks(self):
        soup = self.soup(self.send_request())
        self.assertIsNotNone(soup.select_one(".govuk-panel--confirmation"))
        self.assert_question(soup, "confirmation")
        self.assertEqual(soup.h1.get_text(strip=True), "Request sent")  # one h1: legend is h2

    def test_an_end_point_asks(self):
        soup = self.soup(self.reach_end_point())
        self.assertEqual(soup.h1.get_text(strip=True), "You cannot order a bin online")
        self.assert_question(soup, "cannot-order")

    def test_an_answer_is_saved_once_with_the_flow_and_journey_and_thanked(self):
        self.send_request()
        response = self.client.post(
            self.url, {"rating": "4", "comment": "Quick.", "asked_at": "confirmation"}
        )
        self.assertRedirects(
            response, f"{self.url}?asked_at=confirmation", fetch_redirect_response=False
        )
        answer = SatisfactionResponse.objects.get()
        self.assertEqual(answer.flow_id, self.flow.pk)
        self.assertEqual(answer.rating, 4)
        self.assertEqual(answer.comment, "Quick.")
        self.assertEqual(answer.asked_at, "confirmation")
        self.assertEqual(answer.journey, self.journey())
        self.assertEqual(answer.language, "en-gb")
        thanks = self.soup(self.client.get(response["Location"]))
        self.assertEqual(thanks.h1.get_text(strip=True), "Thank you for your feedback")
        self.assertIsNone(thanks.find("textarea"))

    def test_an_answer_at_an_end_point_records_where(self):
        self.reach_end_point()
        self.client.post(self.url, {"rating": "2", "asked_at": "cannot-order"})
        answer = SatisfactionResponse.objects.get()
        self.assertEqual((answer.rating, answer.asked_at, answer.comment), (2, "cannot-order", ""))
        self.assertEqual(answer.journey, self.journey())

    def test_a_second_answer_for_the_journey_saves_nothing_more(self):
        self.send_request()
        self.client.post(self.url, {"rating": "5", "asked_at": "confirmation"})
        for data in ({"rating": "1", "asked_at": "confirmation"}, {"rating": ""}):
            response = self.client.post(self.url, data, follow=True)
            self.assertEqual(response.status_code, 200)
            self.assertContains(response, "Thank you for your feedback")
        self.assertEqual(list(SatisfactionResponse.objects.values_list("rating")), [(5,)])

    def test_a_missing_answer_is_a_gov_uk_error_that_keeps_the_comment(self):
        self.send_request()
        response = self.client.post(
            self.url, {"comment": "Too many questions", "asked_at": "confirmation"}
        )
        self.assertEqual(response.status_code, 200)
        soup = self.soup(response)
        self.assertTrue(soup.title.get_text().startswith("Error: "))
        summary = soup.select_one(".govuk-error-summary")
        link = summary.find("a")
        self.assertEqual(
            link.get_text(strip=True), "Select how satisfied you are with this service"
        )
        self.assertEqual(soup.find(id=link["href"][1:])["name"], "rating")
        self.assertIn("govuk-form-group--error", soup.select_one("fieldset").parent["class"])
        self.assertIn("Select how satisfied", soup.select_one(".govuk-error-message").get_text())
        self.assertEqual(
            soup.find("textarea", attrs={"name": "comment"}).get_text().strip(),
            "Too many questions",
        )
        self.assertEqual(soup.h1.get_text(strip=True), soup.legend.get_text(strip=True))
        self.assertEqual(soup.select_one(".govuk-back-link")["href"], f"{self.base}confirmation/")
        self.assertFalse(SatisfactionResponse.objects.exists())

    def test_a_chosen_answer_is_kept_after_an_error(self):
        self.send_request()
        soup = self.soup(self.client.post(self.url, {"rating": "3", "comment": "x" * 1201}))
        self.assertTrue(
            soup.find("input", attrs={"name": "rating", "value": "3"}).has_attr("checked")
        )

    def test_a_comment_over_1200_characters_is_an_error(self):
        self.send_request()
        response = self.client.post(self.url, {"rating": "5", "comment": "a" * 1201})
        self.assertEqual(response.status_code, 200)
        summary = self.soup(response).select_one(".govuk-error-summary")
        self.assertIn("1,200 characters or fewer", summary.get_text())
        self.assertEqual(summary.find("a")["href"], "#satisfaction-comment")
        self.assertFalse(SatisfactionResponse.objects.exists())
        # 1200 characters with line breaks as the browser sends them ("\r\n") is fine
        comment = "\r\n".join(["a" * 99] * 12) + "a"
        self.assertEqual(len(comment), 1211)
        self.client.post(self.url, {"rating": "5", "comment": comment})
        self.assertEqual(len(SatisfactionResponse.objects.get().comment), 1200)

    def test_a_comment_is_escaped(self):
        self.send_request()
        script = '<script>alert("x")</script>'
        response = self.client.post(self.url, {"comment": script})
        self.assertNotContains(response, script)
        self.assertContains(response, "&lt;script&gt;")
        self.client.post(self.url, {"rating": "1", "comment": script})
        self.assertEqual(SatisfactionResponse.objects.get().comment, script)
        self.assertNotContains(self.client.get(self.url), script)

    def test_get_shows_the_question_on_its_own(self):
        self.reach_end_point()
        response = self.client.get(f"{self.url}?asked_at=cannot-order")
        soup = self.soup(response)
        self.assertIsNone(soup.select_one(".govuk-error-summary"))
        self.assertEqual(
            soup.h1.get_text(strip=True),
            "Overall, how did you feel about the service you received today?",
        )
        self.assert_question(soup, "cannot-order")
        self.assertEqual(soup.select_one(".govuk-back-link")["href"], f"{self.base}cannot-order/")

    def test_where_it_was_asked_is_only_ever_the_flow_s_own_end(self):
        self.send_request()
        self.client.post(self.url, {"rating": "5", "asked_at": "contact"})
        self.assertEqual(SatisfactionResponse.objects.get().asked_at, "")

    def test_without_a_journey_nothing_is_saved(self):
        response = self.client.post(self.url, {"rating": "5"})
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "You need to start again")
        self.assertFalse(SatisfactionResponse.objects.exists())

    def test_unknown_flow_and_other_methods(self):
        self.assertEqual(self.client.get("/feedback/999999/").status_code, 404)
        self.assertEqual(self.client.put(self.url).status_code, 405)

    def test_no_personal_data_or_answers_are_needed_or_kept(self):
        self.send_request()
        self.client.post(self.url, {"rating": "5", "comment": ""})
        answer = SatisfactionResponse.objects.values().get()
        self.assertNotIn("Sam", str(answer))
        self.assertNotIn("sam@example.org", str(answer))


class ChannelVolumeAdminTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        from django.contrib.auth import get_user_model

        cls.flow = crime_number_flow()
        cls.service = cls.flow.get_parent().specific
        user_model = get_user_model()
        cls.admin = user_model.objects.create_superuser("admin", "a@example.org", "pw")
        group = Group.objects.create(name="Service performance")
        group.permissions.add(
            *Permission.objects.filter(
                content_type__app_label="wagtailadmin", codename="access_admin"
            ),
            *Permission.objects.filter(
                content_type__app_label="insights",
                codename__in=["add_channelvolume", "change_channelvolume", "view_channelvolume"],
            ),
        )
        cls.staff = user_model.objects.create_user("perf", "p@example.org", "pw")
        cls.staff.groups.add(group)
        cls.editor = user_model.objects.create_user("editor", "e@example.org", "pw")
        editors = Group.objects.create(name="Just admin")
        editors.permissions.add(
            *Permission.objects.filter(
                content_type__app_label="wagtailadmin", codename="access_admin"
            )
        )
        cls.editor.groups.add(editors)

    def data(self, **changes):
        return {
            "service": self.service.pk,
            "month": "2026-03-17",
            "phone": "120",
            "face_to_face": "30",
            "post": "8",
            **changes,
        }

    def test_superuser_and_group_member_add_and_list_volumes(self):
        for user in (self.admin, self.staff):
            ChannelVolume.objects.all().delete()
            self.client.force_login(user)
            self.assertEqual(self.client.get("/admin/channel-volumes/").status_code, 200)
            response = self.client.post("/admin/channel-volumes/new/", self.data())
            self.assertEqual(response.status_code, 302, response.content[:2000])
            volume = ChannelVolume.objects.get()
            self.assertEqual(str(volume.month), "2026-03-01")
            self.assertEqual((volume.phone, volume.face_to_face, volume.post), (120, 30, 8))
            listing = self.client.get("/admin/channel-volumes/")
            self.assertContains(listing, "March 2026")

    def test_a_second_entry_for_the_same_month_is_an_error_not_a_crash(self):
        self.client.force_login(self.admin)
        self.client.post("/admin/channel-volumes/new/", self.data(month="2026-03-01"))
        response = self.client.post("/admin/channel-volumes/new/", self.data(month="2026-03-28"))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(ChannelVolume.objects.count(), 1)

    def test_without_the_permission_there_is_no_access(self):
        self.client.force_login(self.editor)
        response = self.client.get("/admin/channel-volumes/")
        self.assertIn(response.status_code, (302, 403))

    def test_listed_in_settings_and_the_group_editor(self):
        self.client.force_login(self.admin)
        home = self.client.get("/admin/")
        self.assertContains(home, "/admin/channel-volumes/")
        group_page = self.client.get("/admin/groups/new/")
        self.assertContains(group_page, "channel volume")
