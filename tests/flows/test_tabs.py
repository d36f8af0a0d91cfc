"""One journey per tab: each journey keeps its own answers under the key its links carry, so
a second tab never silently shares or wipes another's; "Start now" with a journey going on
asks before anything is deleted; a page from a journey that has gone says so."""

from urllib.parse import parse_qs, urlsplit

from forms.flows import journeys
from tests.flows.factories import assert_goes_to
from tests.flows.test_runtime import FlowTestCase, crime_number_flow


def journey_of(url: str) -> str:
    return parse_qs(urlsplit(url).query)["journey"][0]


class TabTests(FlowTestCase):
    @classmethod
    def setUpTestData(cls):
        cls.flow = crime_number_flow()

    def answer_in(self, journey: str, step: str, data: dict):
        management = {f"flow-{self.flow.pk}-current_step": step, "journey": journey}
        return self.client.post(f"{self.base}{step}/?journey={journey}", {**management, **data})

    def test_start_now_with_answers_kept_asks_to_continue_or_start_again(self):
        first = journey_of(self.client.get(self.base)["Location"])
        self.answer_in(first, "stolen", {"stolen-stolen": "yes"})
        response = self.client.get(self.base)
        self.assertEqual(response.status_code, 200)
        soup = self.soup(response)
        self.assertEqual(soup.h1.get_text(strip=True), "You have already started this form")
        buttons = {a.get_text(strip=True): a["href"] for a in soup.main.select("a.govuk-button")}
        self.assertEqual(set(buttons), {"Continue where you left off", "Start again"})
        self.assertTrue(
            buttons["Continue where you left off"].startswith(f"{self.base}crime-number/")
        )
        self.assertTrue(buttons["Start again"].startswith(f"{self.base}start-again/"))
        # nothing was wiped by asking
        self.assertEqual(journey_of(buttons["Continue where you left off"]), first)

    def test_two_journeys_keep_their_own_answers(self):
        one = journey_of(self.client.get(self.base)["Location"])
        self.answer_in(one, "stolen", {"stolen-stolen": "yes"})
        self.answer_in(one, "crime-number", {"crime-number-crime_number": "AB/123/26"})
        # another tab starts a new journey and changes the first answer
        two = journey_of(self.client.get(f"{self.base}?reset=1")["Location"])
        self.assertNotEqual(one, two)
        response = self.answer_in(two, "stolen", {"stolen-stolen": "no"})
        assert_goes_to(self, response, f"{self.base}cannot-order/")
        # the first tab goes on where it was, with its answers
        response = self.answer_in(
            one, "contact", {"contact-full_name": "Sam Jones", "contact-email": "sam@example.org"}
        )
        assert_goes_to(self, response, f"{self.base}check-your-answers/")
        self.assertEqual(journey_of(response["Location"]), one)
        check = self.client.get(response["Location"])
        self.assertContains(check, "AB/123/26")
        # and the second is still at its end point
        assert_goes_to(
            self,
            self.client.get(f"{self.base}check-your-answers/?journey={two}"),
            f"{self.base}cannot-order/",
        )

    def test_a_page_from_a_journey_that_has_gone_says_so_and_shows_the_latest(self):
        one = journey_of(self.client.get(self.base)["Location"])
        self.answer_in(one, "stolen", {"stolen-stolen": "yes"})
        self.client.post(f"{self.base}start-again/?journey={one}", {"journey": one})
        response = self.answer_in(one, "crime-number", {"crime-number-crime_number": "AB/1"})
        assert_goes_to(self, response, f"{self.base}stolen/")
        self.assertNotEqual(journey_of(response["Location"]), one)
        page = self.soup(self.client.get(response["Location"]))
        banner = page.select_one(".govuk-notification-banner")
        self.assertIn("we did not save the answer you just gave", banner.get_text())

    def test_a_page_no_longer_on_the_path_after_another_tab_changed_an_answer_says_so(self):
        one = journey_of(self.client.get(self.base)["Location"])
        self.answer_in(one, "stolen", {"stolen-stolen": "yes"})
        # the same journey in a second tab: "no" takes the crime number page off the path
        self.answer_in(one, "stolen", {"stolen-stolen": "no"})
        response = self.answer_in(one, "crime-number", {"crime-number-crime_number": "AB/1"})
        page = self.soup(self.client.get(response["Location"]))
        self.assertIn(
            "You changed an earlier answer in another tab or window",
            page.select_one(".govuk-notification-banner").get_text(),
        )
        # said once
        again = self.soup(self.client.get(response["Location"]))
        self.assertIsNone(again.select_one(".govuk-notification-banner"))

    def test_a_session_keeps_a_few_journeys_a_flow(self):
        for _ in range(journeys.KEPT + 3):
            self.client.get(f"{self.base}?reset=1")
        session = self.client.session
        self.assertEqual(len(session[journeys.SESSION_KEY][str(self.flow.pk)]), journeys.KEPT)
        kept = [
            k
            for k in session.keys()  # noqa: SIM118 (a session is not iterable)
            if k.startswith(f"wizard_flow-{self.flow.pk}")
        ]
        self.assertEqual(len(kept), journeys.KEPT)
