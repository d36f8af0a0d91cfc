"""The council's handlers: fees from answers, look-ups against records, bin days, missed bins."""

import datetime
from types import SimpleNamespace

import pytest
from django.test import SimpleTestCase, TestCase

from core.registry import Registry
from demo.handlers.bins import MissedBinReturn
from demo.handlers.records import CouncilTaxAccounts
from forms.flows.handlers import FeeQuote, LookupFailed, actions, fees, lookups, results
from forms.places.models import Property

# A Monday; ISO week 48 (even), so it is an "A" week.
MONDAY = datetime.date(2026, 11, 23)


def fee(handler_id: str, **answers) -> FeeQuote:
    return fees[handler_id].calculate(answers)


class RegistryTests(SimpleTestCase):
    def test_every_handler_the_demo_flows_name_is_registered_with_a_title(self):
        for registry, ids in [
            (
                fees,
                [
                    "bulky-waste",
                    "garden-waste",
                    "skip-permit",
                    "resident-permit",
                    "blue-badge",
                    "pcn",
                    "council-tax",
                ],
            ),
            (lookups, ["pcn", "council-tax-account", "address-in-area"]),
            (results, ["bin-day"]),
            (actions, ["missed-bin"]),
        ]:
            choices = dict(registry.get_choices())
            for handler_id in ids:
                with self.subTest(registry=registry.name, id=handler_id):
                    self.assertIn(handler_id, registry)
                    self.assertTrue(str(choices[handler_id]))
                    self.assertNotEqual(str(choices[handler_id]), handler_id)

    def test_a_registry_rejects_a_second_handler_with_the_same_id(self):
        registry = Registry("fees")
        registry.register("bulky-waste")(fees["bulky-waste"])
        with pytest.raises(ValueError, match="already registered"):
            registry.register("bulky-waste")(fees["garden-waste"])
        self.assertIs(registry["bulky-waste"], fees["bulky-waste"])

    def test_the_handler_modules_leave_the_registries_in_place(self):
        import forms.flows.handlers

        self.assertIsInstance(forms.flows.handlers.fees, Registry)
        self.assertIsInstance(forms.flows.handlers.lookups, Registry)


class FeeTests(TestCase):
    def test_bulky_waste_is_25_pounds_for_up_to_3_items(self):
        for items in (1, 2, 3):
            with self.subTest(items=items):
                quote = fee("bulky-waste", items=items)
                self.assertEqual(quote.total_pence, 2500)
                self.assertEqual(len(quote.lines), 1)
        self.assertEqual(fee("bulky-waste", items=3).lines, [("3 items", 2500)])

    def test_bulky_waste_adds_8_pounds_for_each_extra_item(self):
        quote = fee("bulky-waste", items=5)
        self.assertEqual(quote.total_pence, 2500 + 2 * 800)
        self.assertEqual(quote.lines, [("3 items", 2500), ("2 extra items at £8 each", 1600)])
        self.assertEqual(fee("bulky-waste", items=4).lines[1], ("1 extra item at £8", 800))
        self.assertEqual(fee("bulky-waste", items=10).total_pence, 2500 + 7 * 800)

    def test_garden_waste_is_50_pounds_a_bin(self):
        self.assertEqual(fee("garden-waste", bins=1).total_pence, 5000)
        quote = fee("garden-waste", bins=3)
        self.assertEqual(quote.total_pence, 15000)
        self.assertEqual(quote.lines, [("3 brown bins for 12 months at £50 each", 15000)])

    def test_skip_permit_is_35_pounds_a_skip_for_each_14_days(self):
        self.assertEqual(fee("skip-permit", skips=1, periods=1).total_pence, 3500)
        quote = fee("skip-permit", skips=2, periods=3)
        self.assertEqual(quote.total_pence, 2 * 3 * 3500)
        self.assertIn("2 skips for 42 days", quote.lines[0][0])
        self.assertEqual(fee("skip-permit", skips=3, periods=4).total_pence, 12 * 3500)

    def test_resident_permits_are_40_pounds_then_80_pounds(self):
        self.assertEqual(fee("resident-permit", existing_permit="no", permits=1).total_pence, 4000)
        quote = fee("resident-permit", existing_permit="no", permits=2)
        self.assertEqual(quote.total_pence, 12000)
        self.assertEqual(quote.lines, [("First permit", 4000), ("Second permit", 8000)])

    def test_a_household_with_a_permit_pays_80_pounds_for_its_second(self):
        quote = fee("resident-permit", existing_permit="yes", permits_held="1 permit")
        self.assertEqual(quote.total_pence, 8000)
        with self.assertRaises(ValueError):
            fee("resident-permit", existing_permit="yes", permits_held="2 permits")
        with self.assertRaises(ValueError):
            fee("resident-permit", existing_permit="yes", permits_held="1 permit", permits=2)

    def test_blue_badge_is_10_pounds(self):
        self.assertEqual(fee("blue-badge").total_pence, 1000)

    def test_answers_out_of_range_or_missing_are_refused(self):
        for handler_id, answers in [
            ("bulky-waste", {"items": 0}),
            ("bulky-waste", {"items": 11}),
            ("bulky-waste", {"items": "3"}),
            ("bulky-waste", {"items": True}),
            ("bulky-waste", {}),
            ("garden-waste", {"bins": 4}),
            ("skip-permit", {"skips": 4, "periods": 1}),
            ("skip-permit", {"skips": 1, "periods": 5}),
            ("skip-permit", {"skips": 1}),
            ("resident-permit", {"existing_permit": "no", "permits": 3}),
        ]:
            with self.subTest(handler=handler_id, answers=answers), self.assertRaises(ValueError):
                fees[handler_id].calculate(answers)

    def test_the_quote_lines_add_up_to_the_total(self):
        for quote in [
            fee("bulky-waste", items=7),
            fee("resident-permit", existing_permit="no", permits=2),
            fee("skip-permit", skips=2, periods=2),
        ]:
            self.assertEqual(sum(pence for _, pence in quote.lines), quote.total_pence)

    def test_a_parking_fine_costs_what_the_notice_register_says(self):
        self.assertEqual(fee("pcn", pcn_number="FE12345671").total_pence, 3500)
        quote = fee("pcn", pcn_number="fe 1234 5678")
        self.assertEqual(quote.total_pence, 7000)
        self.assertIn("FE12345678", quote.lines[0][0])
        for number in ("FE12345670", "FE91234567", "12345678", None):
            with self.subTest(number=number), self.assertRaises(ValueError):
                fee("pcn", pcn_number=number)

    def test_council_tax_is_the_amount_entered_against_a_valid_account(self):
        quote = fee("council-tax", account_number="5123 4565", amount=12050)
        self.assertEqual(quote.total_pence, 12050)
        self.assertIn("51234565", quote.lines[0][0])
        self.assertEqual(fee("council-tax", account_number="50000009", amount=100).total_pence, 100)
        self.assertEqual(
            fee("council-tax", account_number="59876540", amount=500000).total_pence, 500000
        )
        for answers in [
            {"account_number": "51234565", "amount": 99},
            {"account_number": "51234565", "amount": 500001},
            {"account_number": "51234566", "amount": 1000},
            {"account_number": "51234565"},
        ]:
            with self.subTest(answers=answers), self.assertRaises(ValueError):
                fees["council-tax"].calculate(answers)


class PenaltyChargeNoticeLookupTests(TestCase):
    def notice(self, number: str) -> dict:
        return lookups["pcn"].notice(number, today=MONDAY)

    def test_a_recent_notice_is_35_pounds_and_an_older_one_70_pounds(self):
        recent = self.notice("FE12345671")
        self.assertEqual(recent["amount_due_pence"], 3500)
        self.assertEqual(recent["issued"], "2026-11-22")
        last_day = self.notice("FE12345675")
        self.assertEqual((last_day["amount_due_pence"], last_day["issued"]), (3500, "2026-11-09"))
        older = self.notice("FE12345676")
        self.assertEqual((older["amount_due_pence"], older["issued"]), (7000, "2026-11-08"))
        self.assertEqual(self.notice("FE12345678")["amount_due_pence"], 7000)

    def test_the_number_is_read_whatever_the_case_and_spacing(self):
        self.assertEqual(self.notice(" fe 1234 5678 "), self.notice("FE12345678"))
        self.assertEqual(lookups["pcn"].check("fe12345678")["number"], "FE12345678")

    def test_the_same_number_always_has_the_same_plausible_vehicle(self):
        vehicle = self.notice("FE12345678")["vehicle"]
        self.assertRegex(vehicle, r"^[A-Z]{2}[0-9]{2} [A-Z]{3}$")
        self.assertEqual(self.notice("FE12345678")["vehicle"], vehicle)

    def test_a_paid_notice_says_when_it_was_paid_and_the_payment_reference(self):
        with pytest.raises(LookupFailed) as refused:
            lookups["pcn"].notice("FE12345670", today=datetime.date(2026, 12, 7))
        self.assertEqual(
            str(refused.value),
            "This penalty charge notice has already been paid. We received the payment on "
            "28 November 2026, payment reference PCN-12345670. You do not need to pay it again",
        )

    def test_paid_unknown_and_badly_written_numbers_are_refused_with_a_message(self):
        for number, message in [
            ("FE12345670", "This penalty charge notice has already been paid"),
            ("FE91234567", "We cannot find a penalty charge notice with that number"),
            ("FE1234567", "Enter a penalty charge notice number in the correct format"),
            ("AB12345678", "Enter a penalty charge notice number in the correct format"),
            ("", "Enter a penalty charge notice number in the correct format"),
        ]:
            with self.subTest(number=number), pytest.raises(LookupFailed, match=message):
                lookups["pcn"].check(number)


class CouncilTaxAccountLookupTests(SimpleTestCase):
    def test_the_demo_accounts_are_valid_whatever_the_spacing(self):
        for number in ("50000009", "51234565", "59876540", " 5123 4565 "):
            with self.subTest(number=number):
                result = lookups["council-tax-account"].check(number)
                self.assertEqual(result["account_number"], number.replace(" ", ""))

    def test_a_wrong_check_digit_or_shape_is_refused(self):
        message = "Enter a council tax account number that matches our records"
        for number in ("51234566", "51234556", "41234565", "5123456", "512345650", "5123456X", ""):
            with self.subTest(number=number), pytest.raises(LookupFailed, match=message):
                lookups["council-tax-account"].check(number)

    def test_the_check_digit_catches_every_single_mistyped_digit(self):
        valid = "51234565"
        for position in range(1, 8):
            for digit in "0123456789":
                typo = valid[:position] + digit + valid[position + 1 :]
                if typo != valid:
                    with self.subTest(typo=typo), pytest.raises(LookupFailed):
                        lookups["council-tax-account"].check(typo)
        self.assertEqual(CouncilTaxAccounts.check_digit("5123456"), 5)


class AddressLookupAndBinDayTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.home = Property.objects.create(
            uprn=100090099001,
            address_line_1="12 Colley Lane",
            address_line_2="Colley",
            postcode="FE5 3DL",
            ward="Colley",
            bin_day=1,  # Tuesday
            bin_week="A",
        )

    def answer(self, uprn: int | None) -> dict:
        return {"uprn": uprn, "address": "12 Colley Lane", "postcode": "FE5 3DL", "ward": "Colley"}

    def test_an_address_on_our_list_passes_and_one_off_it_is_refused(self):
        self.assertEqual(
            lookups["address-in-area"].check(self.answer(self.home.uprn))["ward"], "Colley"
        )
        with pytest.raises(LookupFailed, match="Choose an address in Fernbridge"):
            lookups["address-in-area"].check(self.answer(1))

    def test_the_bin_day_result_shows_the_day_and_the_next_dates_of_each_bin(self):
        result = results["bin-day"].show({"address": self.answer(self.home.uprn)}, today=MONDAY)
        self.assertEqual(result.heading, "Your bins are collected on Tuesdays")
        rows = dict(result.rows)
        self.assertEqual(rows["Address"], "12 Colley Lane, Colley, Fernbridge, FE5 3DL")
        # Tuesday 24 November is in ISO week 48 (an A week): black bin; recycling the week after.
        self.assertEqual(rows["Black bin (general waste)"], "Tuesday 24 November 2026")
        self.assertEqual(rows["Green-lid bin (recycling)"], "Tuesday 1 December 2026")
        self.assertEqual(rows["Food caddy"], "Every Tuesday")
        self.assertIn("by 7am", result.note)
        self.assertIn("food caddy every week", result.note)

    def test_on_collection_day_itself_the_result_starts_from_today(self):
        tuesday = MONDAY + datetime.timedelta(days=1)
        result = results["bin-day"].show({"address": self.answer(self.home.uprn)}, today=tuesday)
        self.assertEqual(dict(result.rows)["Black bin (general waste)"], "Tuesday 24 November 2026")

    def test_a_b_week_street_has_recycling_first(self):
        self.home.bin_week = "B"
        self.home.save()
        result = results["bin-day"].show({"address": self.answer(self.home.uprn)}, today=MONDAY)
        self.assertEqual(result.rows[1], ("Green-lid bin (recycling)", "Tuesday 24 November 2026"))
        self.assertEqual(result.rows[2], ("Black bin (general waste)", "Tuesday 1 December 2026"))

    def test_an_unknown_address_gets_the_phone_number_instead_of_an_error(self):
        result = results["bin-day"].show({"address": self.answer(42)}, today=MONDAY)
        self.assertEqual(result.rows, [])
        self.assertIn("01632 960 100", result.note)


class MissedBinActionTests(SimpleTestCase):
    def submission(self, sent: datetime.datetime | None, bins=None) -> SimpleNamespace:
        return SimpleNamespace(
            created_at=sent, answer=lambda name: bins if name == "bins" else None
        )

    def test_we_come_back_on_the_first_working_day_after_tomorrow(self):
        expected = {
            "Monday": datetime.date(2026, 11, 25),  # Wednesday
            "Tuesday": datetime.date(2026, 11, 26),
            "Wednesday": datetime.date(2026, 11, 27),  # Friday
            "Thursday": datetime.date(2026, 11, 30),  # after the weekend: Monday
            "Friday": datetime.date(2026, 11, 30),
            "Saturday": datetime.date(2026, 11, 30),
            "Sunday": datetime.date(2026, 12, 1),  # tomorrow is Monday: Tuesday
        }
        for offset, (day_name, comes_back) in enumerate(expected.items()):
            reported = MONDAY + datetime.timedelta(days=offset)
            with self.subTest(reported=day_name):
                self.assertEqual(reported.strftime("%A"), day_name)
                self.assertEqual(MissedBinReturn.return_day(reported), comes_back)
                self.assertLess(comes_back.weekday(), 5)

    def test_the_resident_is_told_the_day_in_a_sentence(self):
        friday_evening = datetime.datetime(2026, 11, 27, 18, 30, tzinfo=datetime.UTC)
        sentences = actions["missed-bin"].run(
            self.submission(friday_evening, bins=["Black bin (general waste)"])
        )
        self.assertEqual(
            sentences[0], "We will come back to empty your bin on Monday 30 November 2026."
        )
        self.assertIn("7am", sentences[1])
        two_bins = actions["missed-bin"].run(
            self.submission(friday_evening, bins=["Food caddy", "Green-lid bin (recycling)"])
        )
        self.assertIn("empty your bins on Monday 30 November 2026", two_bins[0])

    def test_the_action_never_fails_the_request(self):
        broken = SimpleNamespace(created_at="not a date", answer=None)
        sentences = actions["missed-bin"].run(broken)
        self.assertEqual(sentences, ["We will come back to empty your bin within 2 working days."])
