"""'How should we contact you?': email, text message, both or no updates, each box checked only
when its option is ticked (so the page works without JavaScript), the request's contact details
taken from the answer, and the confirmation sent by each channel chosen (or not at all)."""

from __future__ import annotations

from bs4 import BeautifulSoup
from django.core import mail
from django.test import TestCase, override_settings

from forms.flows.models import Submission
from forms.flows.notifications import send_status_update
from forms.flows.questions.contact import national_mobile, parse_mobile
from forms.messaging import Channel, Kind
from forms.messaging.models import Message
from tests.flows.factories import make_flow, page, question

BASE = "/bins/bulky-waste/apply/"
MOBILE_MESSAGE = "Enter a mobile phone number, like 07700 900 982"
EMAIL_MESSAGE = "Enter an email address in the correct format, like name@example.com"
SELECT_HOW = "Select how you would like to hear from us"


def contact_flow(**fields):
    return make_flow(
        [
            page("items", question("short_text", "items", "What should we collect?")),
            page(
                "contact",
                question("short_text", "full_name", "Full name"),
                question(
                    "contact_preference",
                    "contact",
                    "How would you like to hear about your request?",
                    required=True,
                ),
                heading="Your contact details",
            ),
        ],
        what_happens_next="<p>We collect within 10 working days.</p>",
        **fields,
    )


class ParsingTests(TestCase):
    def test_uk_mobiles_are_kept_in_e164_and_shown_in_the_national_format(self):
        for typed in ["07700 900 123", "07700900123", "+44 7700 900123", "(07700) 900-123"]:
            with self.subTest(typed=typed):
                self.assertEqual(parse_mobile(typed), "+447700900123")
        self.assertEqual(parse_mobile("07911 123456"), "+447911123456")
        self.assertEqual(national_mobile("+447700900123"), "07700 900 123")

    def test_landlines_short_numbers_letters_and_other_countries_are_refused(self):
        for typed in ["01632 960 001", "020 7946 0000", "07700 900", "0770090012345", "seven"]:
            with self.subTest(typed=typed):
                self.assertEqual(parse_mobile(typed), "")
        self.assertEqual(parse_mobile("+33 6 12 34 56 78"), "")  # a French mobile
        self.assertEqual(parse_mobile("0" * 5000), "")


class ContactPageTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.flow = contact_flow()

    def setUp(self):
        self.client.get(BASE)
        self.answer("items", {"items-items": "A sofa"})

    def answer(self, step: str, data: dict, follow: bool = False):
        management = {f"flow-{self.flow.pk}-current_step": step}
        return self.client.post(f"{BASE}{step}/", {**management, **data}, follow=follow)

    def contact(self, chosen: list[str], email: str = "", mobile: str = "", follow: bool = True):
        """The contact page answered; an answer with a mistake shows the page again (followed),
        a right one goes on (not followed: 302)."""
        return self.answer(
            "contact",
            {
                "contact-full_name": "Sam Jones",
                "contact-contact": chosen,
                "contact-contact-email": email,
                "contact-contact-mobile": mobile,
            },
            follow=follow,
        )

    def soup(self, response) -> BeautifulSoup:
        return BeautifulSoup(response.content, "html.parser")

    def summary(self, response) -> list[tuple[str, str]]:
        return [
            (a["href"], a.get_text(strip=True))
            for a in self.soup(response).select(".govuk-error-summary__list a")
        ]

    def send(self) -> Submission:
        check = self.client.get(f"{BASE}check-your-answers/")
        token = self.soup(check).find("input", attrs={"name": "token"})["value"]
        self.client.post(f"{BASE}check-your-answers/", {"token": token})
        return Submission.objects.get()

    # the page

    def test_the_page_shows_govuk_checkboxes_with_a_box_revealed_by_each_and_an_or_option(self):
        soup = self.soup(self.client.get(f"{BASE}contact/"))
        fieldset = soup.select("fieldset")[-1]
        self.assertEqual(
            fieldset.legend.get_text(strip=True), "How would you like to hear about your request?"
        )
        boxes = fieldset.select("input.govuk-checkboxes__input")
        self.assertEqual([b["value"] for b in boxes], ["email", "sms", "none"])
        self.assertEqual(
            [b.find_next("label").get_text(strip=True) for b in boxes],
            ["Email", "Text message", "I do not want updates"],
        )
        self.assertEqual(boxes[2]["data-behaviour"], "exclusive")
        self.assertEqual(fieldset.select_one(".govuk-checkboxes__divider").get_text(), "or")
        # Each box's input is in its own conditional part, named by aria-controls, in the HTML
        # (shown without JavaScript, hidden by GOV.UK Frontend until ticked).
        for box, part, kind in [(boxes[0], "email", "email"), (boxes[1], "mobile", "tel")]:
            conditional = soup.find(id=box["data-aria-controls"])
            self.assertIn("govuk-checkboxes__conditional--hidden", conditional["class"])
            typed = conditional.find("input")
            self.assertEqual((typed["name"], typed["type"]), (f"contact-contact-{part}", kind))
            self.assertEqual(conditional.find("label")["for"], typed["id"])

    def test_nothing_ticked_says_select_how(self):
        response = self.contact([])
        self.assertEqual(self.summary(response), [("#id_contact-contact", SELECT_HOW)])
        error = self.soup(response).select_one("fieldset .govuk-error-message")
        self.assertIn(SELECT_HOW, error.get_text())

    def test_a_wrong_email_gets_govuk_message_by_its_box(self):
        response = self.contact(["email"], email="sam@", mobile="")
        self.assertEqual(self.summary(response), [("#id_contact-contact-email", EMAIL_MESSAGE)])
        soup = self.soup(response)
        box = soup.find(id="id_contact-contact-email")
        self.assertIn("govuk-input--error", box["class"])
        self.assertEqual(box["value"], "sam@")
        self.assertIn(EMAIL_MESSAGE, soup.find(id=box["aria-describedby"].split()[-1]).get_text())
        # Ticked: its part stays open.
        self.assertNotIn(
            "govuk-checkboxes__conditional--hidden",
            soup.find(id="conditional-id_contact-contact")["class"],
        )

    def test_wrong_mobiles_each_get_the_mobile_message(self):
        for typed in ["01632 960 001", "07700 900", "seven seven double oh"]:
            with self.subTest(typed=typed):
                response = self.contact(["sms"], mobile=typed)
                self.assertEqual(
                    self.summary(response), [("#id_contact-contact-mobile", MOBILE_MESSAGE)]
                )
        response = self.contact(["sms"], mobile="")
        self.assertEqual(self.summary(response), [("#id_contact-contact-mobile", MOBILE_MESSAGE)])

    def test_only_the_ticked_options_boxes_are_checked(self):
        # Without JavaScript both boxes show and may carry text; an unticked one is ignored.
        response = self.contact(
            ["email"], email="sam@example.org", mobile="not a number", follow=False
        )
        self.assertEqual(response.status_code, 302)
        submission = self.send()
        self.assertEqual(
            (submission.contact_email, submission.contact_mobile), ("sam@example.org", "")
        )

    def test_no_updates_with_a_channel_too_is_an_error(self):
        response = self.contact(["email", "none"], email="sam@example.org")
        self.assertEqual(
            self.summary(response),
            [
                (
                    "#id_contact-contact",
                    'Select email or text message, or select "I do not want updates"',
                )
            ],
        )

    def test_an_option_nobody_offered_is_refused(self):
        self.assertEqual(self.summary(self.contact(["fax"])), [("#id_contact-contact", SELECT_HOW)])

    def test_both_wrong_lists_both_messages(self):
        response = self.contact(["email", "sms"], email="x", mobile="1")
        self.assertEqual(
            self.summary(response),
            [
                ("#id_contact-contact-email", EMAIL_MESSAGE),
                ("#id_contact-contact-mobile", MOBILE_MESSAGE),
            ],
        )
        soup = self.soup(response)
        self.assertIn(MOBILE_MESSAGE, soup.find(id="id_contact-contact-mobile-error").get_text())

    # what is kept and sent

    @override_settings(MESSAGE_PROVIDER="sandbox")
    def test_email_only(self):
        self.contact(["email"], email="sam@example.org")
        check = self.soup(self.client.get(f"{BASE}check-your-answers/")).main.get_text()
        self.assertIn("By email: sam@example.org", check)
        submission = self.send()
        self.assertEqual(submission.contact_email, "sam@example.org")
        self.assertEqual(submission.contact_mobile, "")
        self.assertEqual((submission.updates_by_email, submission.updates_by_text), (True, False))
        self.assertEqual(
            list(Message.objects.values_list("channel", "kind", "to")),
            [(Channel.EMAIL, Kind.CONFIRMATION, "sam@example.org")],
        )
        confirmation = self.soup(self.client.get(f"{BASE}confirmation/")).main.get_text()
        self.assertIn("We have sent a confirmation email to sam@example.org", confirmation)
        self.assertNotIn("text message", confirmation)

    @override_settings(MESSAGE_PROVIDER="sandbox")
    def test_text_message_only(self):
        self.contact(["sms"], mobile="07700 900123")
        check = self.soup(self.client.get(f"{BASE}check-your-answers/")).main.get_text()
        self.assertIn("By text message: 07700 900 123", check)
        submission = self.send()
        self.assertEqual(
            (submission.contact_email, submission.contact_mobile), ("", "+447700900123")
        )
        self.assertEqual((submission.updates_by_email, submission.updates_by_text), (False, True))
        message = Message.objects.get()
        self.assertEqual((message.channel, message.to), (Channel.SMS, "+447700900123"))
        self.assertEqual(message.subject, "")
        self.assertIn(submission.reference, message.body)
        self.assertIn("http://testserver/track/", message.body)
        self.assertNotIn("\n", message.body)
        self.assertLess(len(message.body), 300)
        self.assertEqual(mail.outbox, [])
        confirmation = self.soup(self.client.get(f"{BASE}confirmation/")).main.get_text()
        self.assertIn("We have sent a text message to 07700 900 123", confirmation)

    @override_settings(MESSAGE_PROVIDER="sandbox")
    def test_both(self):
        self.contact(["email", "sms"], email="sam@example.org", mobile="+447700900123")
        check = self.soup(self.client.get(f"{BASE}check-your-answers/")).main.get_text()
        self.assertIn("By email: sam@example.org", check)
        self.assertIn("By text message: 07700 900 123", check)
        submission = self.send()
        self.assertEqual(
            sorted(Message.objects.values_list("channel", "to")),
            [(Channel.EMAIL, "sam@example.org"), (Channel.SMS, "+447700900123")],
        )
        event = submission.set_status("in_progress", note="We will come on Tuesday.")
        self.assertTrue(send_status_update(submission, event))
        updates = Message.objects.filter(kind=Kind.STATUS_UPDATE)
        self.assertEqual(sorted(updates.values_list("channel", flat=True)), ["email", "sms"])
        text = updates.get(channel=Channel.SMS).body
        self.assertIn(submission.reference, text)
        self.assertIn("In progress", text)

    @override_settings(MESSAGE_PROVIDER="sandbox")
    def test_no_updates_sends_nothing_and_says_the_reference_is_how_to_follow_it(self):
        response = self.contact(
            ["none"], email="sam@example.org", mobile="07700 900123", follow=False
        )
        self.assertEqual(response.status_code, 302)
        check = self.soup(self.client.get(f"{BASE}check-your-answers/")).main.get_text()
        self.assertIn("No updates: track it by its reference", check)
        submission = self.send()
        self.assertEqual((submission.contact_email, submission.contact_mobile), ("", ""))
        self.assertEqual((submission.updates_by_email, submission.updates_by_text), (False, False))
        self.assertFalse(Message.objects.exists())
        event = submission.set_status("in_progress", note="Done.")
        self.assertFalse(send_status_update(submission, event))
        self.assertFalse(Message.objects.exists())
        confirmation = self.soup(self.client.get(f"{BASE}confirmation/")).main.get_text()
        self.assertIn("You chose not to get updates", confirmation)
        self.assertIn(submission.reference, confirmation)

    def test_a_stored_answer_is_shown_again_with_its_boxes_filled(self):
        self.contact(["sms"], mobile="07700900123", follow=False)
        soup = self.soup(self.client.get(f"{BASE}contact/?change=1"))
        self.assertTrue(soup.find(id="id_contact-contact-2").has_attr("checked"))
        self.assertEqual(soup.find(id="id_contact-contact-mobile")["value"], "07700900123")
        self.assertFalse(soup.find(id="id_contact-contact").has_attr("checked"))

    @override_settings(MESSAGE_PROVIDER="sandbox", LANGUAGE_CODE="en-gb")
    def test_the_text_message_is_in_the_residents_language(self):
        self.contact(["sms"], mobile="07700 900123")
        submission = self.send()
        Message.objects.all().delete()
        Submission.objects.filter(pk=submission.pk).update(language="cy")
        submission.refresh_from_db()
        event = submission.set_status("in_progress")
        send_status_update(submission, event)
        message = Message.objects.get()
        self.assertEqual(message.language, "cy")
        self.assertIn("/cy/", message.body)


class OldFlowsTests(TestCase):
    """A flow with an email question and no contact question works as before."""

    def test_the_email_question_is_the_contact(self):
        from forms.flows.runtime.submit import contact_details

        details = contact_details(
            [{"name": "email", "type": "email", "value": "a@example.org", "label": "Email"}]
        )
        self.assertEqual(
            details,
            {
                "contact_email": "a@example.org",
                "contact_mobile": "",
                "updates_by_email": True,
                "updates_by_text": False,
            },
        )


class FlowCheckTests(TestCase):
    def test_asking_for_contact_details_twice_is_a_warning(self):
        flow = make_flow(
            [
                page(
                    "contact",
                    question("email", "email", "Email address"),
                    question("contact_preference", "contact", "How should we contact you?"),
                )
            ]
        )
        messages = [p.message for p in flow.run_checks().warnings]
        self.assertTrue(any("contact details twice" in m for m in messages), messages)

    def test_one_contact_question_is_fine(self):
        flow = make_flow(
            [page("contact", question("contact_preference", "contact", "How to contact you?"))]
        )
        messages = [p.message for p in flow.run_checks().warnings]
        self.assertFalse(any("contact details twice" in m for m in messages), messages)
