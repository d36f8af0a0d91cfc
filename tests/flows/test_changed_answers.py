"""A resident goes back and changes an answer: the pages and end points that depended on an
answer they can no longer see stop counting it (found by the browser suite's walks, which go
back as a resident would).

Here "Do you have a permit?" yes, then "How many?" 2, reaches the household limit; going back
and answering no must lead to "How many do you need?", not to that end point again."""

from django.test import TestCase

from tests.flows.factories import assert_goes_to, end_point, make_flow, page, question

BASE = "/bins/bulky-waste/apply/"


def permit_flow():
    return make_flow(
        [
            page("has-permit", question("yes_no", "has_permit", "Do you have a permit?")),
            page(
                "permits-held",
                question(
                    "radios",
                    "permits_held",
                    "How many permits do you have?",
                    options=[{"label": "1 permit", "hint": ""}, {"label": "2 permits", "hint": ""}],
                ),
                show_if={"question": "has_permit", "answer": "yes", "negate": False},
            ),
            end_point(
                "household-limit",
                "Your household has the most permits it can have",
                "Each household can have 2 permits.",
                show_if={"question": "permits_held", "answer": "2 permits", "negate": False},
            ),
            page(
                "permits-needed",
                question("quantity", "permits", "How many permits do you need?", min_value=1),
                show_if={"question": "has_permit", "answer": "yes", "negate": True},
            ),
            page("contact", question("email", "email", "Email address")),
        ]
    )


class ChangedAnswerTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.flow = permit_flow()

    def answer(self, step: str, data: dict):
        management = {f"flow-{self.flow.pk}-current_step": step}
        return self.client.post(f"{BASE}{step}/", {**management, **data})

    def test_an_answer_on_a_page_no_longer_shown_does_not_count(self):
        self.client.get(BASE)
        self.answer("has-permit", {"has-permit-has_permit": "yes"})
        response = self.answer("permits-held", {"permits-held-permits_held": "2 permits"})
        assert_goes_to(self, response, f"{BASE}household-limit/")

        self.assertEqual(self.client.get(f"{BASE}has-permit/").status_code, 200)
        response = self.answer("has-permit", {"has-permit-has_permit": "no"})
        assert_goes_to(self, response, f"{BASE}permits-needed/")
        self.answer("permits-needed", {"permits-needed-permits": "1"})
        response = self.answer("contact", {"contact-email": "sam@example.org"})
        assert_goes_to(self, response, f"{BASE}check-your-answers/")
        check = self.client.get(f"{BASE}check-your-answers/")
        self.assertEqual(check.status_code, 200)
        self.assertNotContains(check, "2 permits")

    def test_the_answer_counts_again_when_its_page_is_back_on_the_path(self):
        self.client.get(BASE)
        self.answer("has-permit", {"has-permit-has_permit": "yes"})
        self.answer("permits-held", {"permits-held-permits_held": "2 permits"})
        self.answer("has-permit", {"has-permit-has_permit": "no"})
        response = self.answer("has-permit", {"has-permit-has_permit": "yes"})
        assert_goes_to(self, response, f"{BASE}permits-held/")
        response = self.client.get(f"{BASE}check-your-answers/")
        assert_goes_to(self, response, f"{BASE}household-limit/")
