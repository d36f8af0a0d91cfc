"""End points are no trap: their way back goes to the question whose answer led there (also
when it was reached from check your answers' Change), and every page offers "Start again",
which asks first and then deletes only this flow's answers."""

from tests.flows.factories import assert_goes_to
from tests.flows.test_runtime import FlowTestCase, crime_number_flow


class EndPointWayBackTests(FlowTestCase):
    @classmethod
    def setUpTestData(cls):
        cls.flow = crime_number_flow()

    def ways_back(self, response) -> list[str]:
        soup = self.soup(response)
        back = soup.select_one(".govuk-back-link")["href"]
        change = soup.find("a", string="Go back and change your answer")["href"]
        return [back, change]

    def test_an_end_point_reached_from_change_goes_back_to_the_question(self):
        self.go_to_check_answers()
        self.client.get(f"{self.base}stolen/?change=1")
        end = self.answer("stolen", {"stolen-stolen": "no"}, follow=True)
        self.assertEqual(self.soup(end).h1.get_text(strip=True), "You cannot order a bin online")
        for url in self.ways_back(end):
            self.assertTrue(url.startswith(f"{self.base}stolen/"), url)
        # the question again, and Continue returns to check your answers (still changing)
        question = self.client.get(self.ways_back(end)[0])
        self.assertIn("Was your bin stolen?", self.soup(question).h1.get_text())
        response = self.answer("stolen", {"stolen-stolen": "yes"})
        assert_goes_to(self, response, f"{self.base}check-your-answers/")
        self.assertContains(self.client.get(response["Location"]), "AB/123/26")

    def test_start_now_landing_on_an_end_point_goes_back_to_the_question(self):
        self.client.get(self.base)
        self.answer("stolen", {"stolen-stolen": "no"})
        end = self.client.get(f"{self.base}cannot-order/")
        for url in self.ways_back(end):
            self.assertTrue(url.startswith(f"{self.base}stolen/"), url)


class StartAgainTests(FlowTestCase):
    @classmethod
    def setUpTestData(cls):
        cls.flow = crime_number_flow()

    def start_again_link(self, response) -> str:
        return self.soup(response).find("a", string="Start again")["href"]

    def test_every_question_page_check_answers_and_end_point_offer_start_again(self):
        check = self.go_to_check_answers()
        question = self.client.get(f"{self.base}contact/")
        self.client.get(f"{self.base}stolen/?change=1")
        end = self.answer("stolen", {"stolen-stolen": "no"}, follow=True)
        for response in (question, check, end):
            self.assertTrue(self.start_again_link(response).startswith(f"{self.base}start-again/"))

    def test_start_again_asks_then_deletes_this_flows_answers(self):
        check = self.go_to_check_answers()
        confirm = self.client.get(self.start_again_link(check))
        soup = self.soup(confirm)
        self.assertEqual(soup.h1.get_text(strip=True), "Are you sure you want to start again?")
        self.assertIn("Your answers to this form will be deleted.", soup.main.get_text())
        form = soup.main.find("form", attrs={"method": "post"})
        self.assertEqual(form.button.get_text(strip=True), "Start again")
        # nothing is deleted by looking at the question
        self.assertContains(self.client.get(f"{self.base}check-your-answers/"), "AB/123/26")

        response = self.client.post(
            form["action"], {"journey": form.find("input", attrs={"name": "journey"})["value"]}
        )
        assert_goes_to(self, response, f"{self.base}stolen/")
        first = self.soup(self.client.get(response["Location"]))
        self.assertEqual(first.select("input[checked]"), [])
        # the old answers are gone: check your answers sends the resident to the first question
        assert_goes_to(
            self, self.client.get(f"{self.base}check-your-answers/"), f"{self.base}stolen/"
        )
