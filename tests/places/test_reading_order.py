"""The addresses of a postcode are offered in the order people read a street."""

from __future__ import annotations

from bs4 import BeautifulSoup
from django.test import TestCase

from forms.places.models import Property
from tests.flows.test_question_types import NAME, ask

LINES = [
    "11 High Street",
    "Flat 10, 5 High Street",
    "2 High Street",
    "13 High Street",
    "Flat 2, 5 High Street",
    "1 High Street",
    "7 High Street",
    "Flat 1, 5 High Street",
    "3 High Street",
    "5 High Street",
    "The Old Forge, Back Lane",
    "4 Back Lane",
]
READING_ORDER = [
    "The Old Forge, Back Lane",
    "4 Back Lane",
    "1 High Street",
    "2 High Street",
    "3 High Street",
    "5 High Street",
    "Flat 1, 5 High Street",
    "Flat 2, 5 High Street",
    "Flat 10, 5 High Street",
    "7 High Street",
    "11 High Street",
    "13 High Street",
]


class ReadingOrderTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        for number, line in enumerate(LINES):
            Property.objects.create(
                uprn=300000 + number,
                address_line_1=line,
                postcode="FE1 1AA",
                ward="Castle",
                bin_day=0,
                bin_week="A",
            )

    def test_a_postcode_lists_numbers_as_numbers_flats_in_their_building_then_street(self):
        lines = [p.address_line_1 for p in Property.to_choose_from("fe1 1aa")]
        self.assertEqual(lines, READING_ORDER)

    def test_the_list_on_the_page_is_in_reading_order(self):
        _question, form = ask("address", {f"{NAME}-postcode": "FE1 1AA"})
        soup = BeautifulSoup(form[NAME].as_field_group(), "html.parser")
        offered = [o.get_text() for o in soup.select(f"#id_{NAME}-uprn option") if o["value"]]
        self.assertEqual(offered, [f"{line}, Fernbridge, FE1 1AA" for line in READING_ORDER])

    def test_the_location_question_lists_them_in_the_same_order(self):
        _question, form = ask("location", {f"{NAME}-postcode": "FE1 1AA"})
        soup = BeautifulSoup(form[NAME].as_field_group(), "html.parser")
        offered = [o.get_text() for o in soup.select(f"#id_{NAME}-uprn option") if o["value"]]
        self.assertEqual(
            offered[:6], [f"{line}, Fernbridge, FE1 1AA" for line in READING_ORDER[:6]]
        )


class DemoGazetteerTests(TestCase):
    def test_every_demo_postcode_lists_its_house_numbers_in_order(self):
        from demo.addresses import load_addresses

        load_addresses()
        postcodes = set(Property.objects.values_list("postcode", flat=True))
        with_many_numbers = 0
        for postcode in sorted(postcodes):
            numbers = [
                int(p.address_line_1.split(", ")[-1].split(" ")[0])
                for p in Property.to_choose_from(postcode)
                if p.address_line_1.split(", ")[-1][0].isdigit()
            ]
            with self.subTest(postcode):
                self.assertEqual(numbers, sorted(numbers))
            with_many_numbers += len({len(str(n)) for n in numbers}) > 1
        self.assertGreater(with_many_numbers, 0)  # some postcodes have 9 and 10 in one list
