"""Editors build flows in the Wagtail admin; mistakes are explained when they save."""

from django.core.exceptions import ValidationError
from wagtail.test.utils import WagtailPageTestCase
from wagtail.test.utils.form_data import nested_form_data, rich_text, streamfield

from forms.flows.models import FlowPage
from tests.factories import CategoryPageFactory, ServicePageFactory, make_site
from tests.flows.factories import make_flow, page, question


class FlowInAdminTests(WagtailPageTestCase):
    @classmethod
    def setUpTestData(cls):
        home = make_site()
        category = CategoryPageFactory(parent=home, slug="bins")
        cls.service = ServicePageFactory(parent=category, slug="missed-bin")

    def setUp(self):
        self.login()

    def test_editor_builds_a_flow_with_a_question_page_under_a_service(self):
        steps = streamfield(
            [
                (
                    "question_page",
                    {
                        "name": "which-bin",
                        "heading": "",
                        "intro": rich_text(""),
                        "questions": streamfield(
                            [
                                (
                                    "radios",
                                    {
                                        "label": "Which bin did we miss?",
                                        "name": "bin",
                                        "hint": "",
                                        "required": "on",
                                        "required_message": "Select the bin we missed",
                                        "options": streamfield(
                                            [
                                                ("item", {"label": "Black bin", "hint": ""}),
                                                ("item", {"label": "Recycling", "hint": ""}),
                                            ]
                                        ),
                                    },
                                )
                            ]
                        ),
                        "show_if": {"question": "", "options": ""},
                    },
                )
            ]
        )
        data = nested_form_data(
            {
                "title": "Report a missed bin",
                "slug": "report",
                "steps": steps,
                "fee_rules": streamfield([]),
                "what_happens_next": rich_text("<p>We come back in 2 days.</p>"),
                "retention_days": 365,
            }
        )
        self.assertCanCreate(self.service, FlowPage, data)
        flow = FlowPage.objects.get(slug="report")
        # "Start now" begins a journey on the first question
        response = self.client.get(flow.url, follow=True)
        self.assertEqual(response.redirect_chain[-1][0].split("?")[0], f"{flow.url}which-bin/")
        self.assertContains(response, "Which bin did we miss?")
        self.assertContains(response, "Recycling")

    def test_flows_live_only_under_service_pages_one_each(self):
        self.assertAllowedParentPageTypes(FlowPage, {self.service.__class__})
        make_flow([page("one", question("email", "email"))], service=self.service)
        self.assertFalse(FlowPage.can_create_at(self.service))


class FlowValidationTests(WagtailPageTestCase):
    def flow(self, *steps) -> FlowPage:
        return FlowPage(title="Flow", slug="flow", steps=list(steps))

    def test_duplicate_answer_names_are_refused(self):
        flow = self.flow(
            page("a", question("email", "email")), page("b", question("email", "email"))
        )
        with self.assertRaisesMessage(ValidationError, "Two questions have the answer name"):
            flow.clean()

    def test_reserved_and_repeated_page_addresses_are_refused(self):
        flow = self.flow(
            page("check-your-answers", question("email", "email")),
            page("a", question("email", "email2")),
            page("a", question("email", "email3")),
        )
        with self.assertRaises(ValidationError) as caught:
            flow.clean()
        text = str(caught.exception)
        self.assertIn("kept for the site", text)
        self.assertIn("Two pages have the address 'a'", text)
