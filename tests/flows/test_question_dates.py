"""A date typed in GOV.UK's three boxes: real, partial and impossible dates, and the rules."""

from __future__ import annotations

import datetime

from django.test import SimpleTestCase
from django.utils import timezone

from forms.flows.questions import answer_for_display, error_anchor
from tests.flows.test_question_types import NAME, ask, error, stored


def boxes(day: str = "", month: str = "", year: str = "") -> dict[str, str]:
    return {f"{NAME}-day": day, f"{NAME}-month": month, f"{NAME}-year": year}


def typed(date: datetime.date) -> dict[str, str]:
    return boxes(str(date.day), str(date.month), str(date.year))


class RealDateTests(SimpleTestCase):
    def test_a_date_is_kept_as_iso_and_shown_in_words(self):
        question, form = ask("date", boxes("4", "3", "2027"))
        self.assertEqual(stored(question, form), "2027-03-04")
        self.assertEqual(answer_for_display(question, "2027-03-04"), "4 March 2027")

    def test_leading_zeros_spaces_and_month_names(self):
        for day, month, year in [
            ("04", "03", "2027"),
            (" 4 ", "Mar", " 2027"),
            ("4", "march", "2027"),
        ]:
            with self.subTest(month=month):
                question, form = ask("date", boxes(day, month, year))
                self.assertEqual(stored(question, form), "2027-03-04")

    def test_nothing_typed(self):
        _question, form = ask("date", boxes())
        self.assertEqual(error(form), 'Enter an answer to "Your answer"')
        _question, form = ask("date", boxes(), required_message="Enter the date of the collection")
        self.assertEqual(error(form), "Enter the date of the collection")
        question, form = ask("date", boxes(), required=False)
        self.assertIsNone(stored(question, form))


class PartialAndImpossibleDateTests(SimpleTestCase):
    def test_a_missing_box_is_named(self):
        for data, message in [
            (boxes("4", "", "2027"), "Date must include a month"),
            (boxes("", "3", "2027"), "Date must include a day"),
            (boxes("4", "3", ""), "Date must include a year"),
            (boxes("", "", "2027"), "Date must include a day and month"),
            (boxes("", "3", ""), "Date must include a day and year"),
            (boxes("4", "", ""), "Date must include a month and year"),
        ]:
            with self.subTest(message):
                _question, form = ask("date", data)
                self.assertEqual(error(form), message)

    def test_an_impossible_date(self):
        for data in [
            boxes("31", "2", "2027"),
            boxes("29", "2", "2027"),
            boxes("32", "1", "2027"),
            boxes("4", "13", "2027"),
            boxes("0", "3", "2027"),
            boxes("4", "Marchember", "2027"),
            boxes("four", "3", "2027"),
        ]:
            with self.subTest(data):
                _question, form = ask("date", data)
                self.assertEqual(error(form), "Enter a real date")

    def test_a_leap_day_is_real_in_a_leap_year(self):
        question, form = ask("date", boxes("29", "2", "2028"))
        self.assertEqual(stored(question, form), "2028-02-29")

    def test_a_year_needs_four_numbers(self):
        _question, form = ask("date", boxes("4", "3", "27"))
        self.assertEqual(error(form), "Year must include 4 numbers")

    def test_the_error_summary_links_to_the_box_at_fault(self):
        _question, form = ask("date", boxes("4", "", "2027"))
        form.is_valid()
        self.assertEqual(error_anchor(form[NAME]), f"id_{NAME}-month")
        _question, form = ask("date", boxes())
        form.is_valid()
        self.assertEqual(error_anchor(form[NAME]), f"id_{NAME}-day")


class DateRuleTests(SimpleTestCase):
    def setUp(self):
        self.today = timezone.localdate()
        self.yesterday = self.today - datetime.timedelta(days=1)
        self.tomorrow = self.today + datetime.timedelta(days=1)

    def check(
        self,
        must_be: str,
        accepted: list[datetime.date],
        refused: list[datetime.date],
        message: str,
    ):
        for date in accepted:
            with self.subTest(must_be=must_be, date=date):
                question, form = ask("date", typed(date), must_be=must_be)
                self.assertEqual(stored(question, form), date.isoformat())
        for date in refused:
            with self.subTest(must_be=must_be, date=date):
                _question, form = ask("date", typed(date), must_be=must_be)
                self.assertEqual(error(form), message)

    def test_past(self):
        self.check(
            "past", [self.yesterday], [self.today, self.tomorrow], "Date must be in the past"
        )
        self.check(
            "today_or_past",
            [self.yesterday, self.today],
            [self.tomorrow],
            "Date must be today or in the past",
        )

    def test_future(self):
        self.check(
            "future", [self.tomorrow], [self.today, self.yesterday], "Date must be in the future"
        )
        self.check(
            "today_or_future",
            [self.today, self.tomorrow],
            [self.yesterday],
            "Date must be today or in the future",
        )

    def test_earliest_and_latest(self):
        settings = {"earliest": "2027-01-10", "latest": "2027-02-20"}
        _question, form = ask("date", boxes("9", "1", "2027"), **settings)
        self.assertEqual(error(form), "Date must be the same as or after 10 January 2027")
        _question, form = ask("date", boxes("21", "2", "2027"), **settings)
        self.assertEqual(error(form), "Date must be the same as or before 20 February 2027")
        question, form = ask("date", boxes("10", "1", "2027"), **settings)
        self.assertEqual(stored(question, form), "2027-01-10")

    def test_the_editors_rule_message_wins(self):
        _question, form = ask(
            "date", typed(self.tomorrow), must_be="past", rule_message="The date must have passed"
        )
        self.assertEqual(error(form), "The date must have passed")
        # but a date that is not real still gets GOV.UK's message
        _question, form = ask(
            "date",
            boxes("31", "2", "2020"),
            must_be="past",
            rule_message="The date must have passed",
        )
        self.assertEqual(error(form), "Enter a real date")
