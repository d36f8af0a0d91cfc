"""Dates in sentences read as a resident writes them, in each of the site's languages."""

import datetime

from django.template import Context, Template
from django.test import SimpleTestCase
from django.utils import translation

from core.dates import day_month_year, long_date, on_date

MONDAY = datetime.date(2026, 12, 7)
TUESDAY = datetime.date(2026, 12, 8)
WEDNESDAY = datetime.date(2026, 12, 9)


class OnDateTests(SimpleTestCase):
    def test_english(self):
        self.assertEqual(on_date(MONDAY, "en-gb"), "on Monday 7 December 2026")
        self.assertEqual(long_date(MONDAY, "en-gb"), "Monday 7 December 2026")

    def test_welsh_mutates_dydd_after_ar(self):
        self.assertEqual(on_date(MONDAY, "cy"), "ar ddydd Llun 7 Rhagfyr 2026")
        self.assertEqual(on_date(TUESDAY, "cy"), "ar ddydd Mawrth 8 Rhagfyr 2026")
        # standing alone, the day keeps its capital and no mutation
        self.assertEqual(long_date(MONDAY, "cy"), "Dydd Llun 7 Rhagfyr 2026")

    def test_polish_day_in_the_accusative_and_month_in_the_genitive(self):
        self.assertEqual(on_date(MONDAY, "pl"), "w poniedziałek 7 grudnia 2026")
        self.assertEqual(on_date(TUESDAY, "pl"), "we wtorek 8 grudnia 2026")
        self.assertEqual(on_date(WEDNESDAY, "pl"), "w środę 9 grudnia 2026")
        self.assertEqual(day_month_year(datetime.date(2027, 3, 1), "pl"), "1 marca 2027")

    def test_arabic(self):
        self.assertEqual(on_date(MONDAY, "ar"), "يوم الاثنين 7 ديسمبر 2026")
        self.assertEqual(long_date(TUESDAY, "ar"), "الثلاثاء 8 ديسمبر 2026")

    def test_the_active_language_by_default_and_english_for_any_other(self):
        with translation.override("cy"):
            self.assertEqual(on_date(MONDAY), "ar ddydd Llun 7 Rhagfyr 2026")
        self.assertEqual(on_date(MONDAY, "fr"), "on Monday 7 December 2026")

    def test_template_filters(self):
        template = Template(
            "{% load words %}{{ day|on_date }}|{{ day|day_month_year }}|{{ none|on_date }}"
        )
        with translation.override("pl"):
            self.assertEqual(
                template.render(Context({"day": MONDAY, "none": None})),
                "w poniedziałek 7 grudnia 2026|7 grudnia 2026|",
            )
