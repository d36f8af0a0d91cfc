"""Fees set by editors: price lists of rules on a flow, priced from a resident's answers (options
by their keys, whatever their wording), the price list in force on the day, the service page's
"Cost" from the same rules, and the amount charged at the end of the flow."""

from __future__ import annotations

import copy
import datetime
import uuid
from typing import Any
from unittest import mock

from bs4 import BeautifulSoup
from django.core.cache import cache
from django.db import connection
from django.test import SimpleTestCase, TestCase, override_settings
from django.test.utils import CaptureQueriesContext
from wagtail.models import Locale, Page
from wagtail_localize.segments.extract import extract_segments

from core.money import format_pence
from forms.flows.conditions import fill_in, shape_of
from forms.flows.constants import SubmissionStatus
from forms.flows.fees import ERROR, WARNING, fee_problems, used_answer_names
from forms.flows.fees.blocks import ConcessionBlock, OptionPriceBlock, PerUnitFeeBlock
from forms.flows.models import FlowPage, Submission
from forms.payments.models import Payment
from services.models import ServicePage
from tests.flows.factories import make_flow, page, question

TODAY = "forms.flows.fees.rules.local_today"
HALF_PRICE = "Half price: you receive council tax reduction"

BINS = page("bins", question("quantity", "bin_count", "How many bins?", min_value=1, max_value=3))
REDUCTION = page(
    "reduction", question("yes_no", "reduction", "Do you receive council tax reduction?")
)
SIZE = page(
    "size",
    question(
        "radios",
        "size",
        "What size is the collection?",
        options=[{"label": "Small", "hint": ""}, {"label": "Large", "hint": ""}],
    ),
)
EXTRAS = page(
    "extras",
    question(
        "checkboxes",
        "extras",
        "What else do you need?",
        required=False,
        options=[{"label": "Lock", "hint": ""}, {"label": "Sticker", "hint": ""}],
    ),
)
CONTACT = page("contact", question("email", "email", "Email address"))


# fee rules as an editor leaves them (the StreamField's stored JSON)


def price_list(*rules: dict[str, Any], applies_from: str | None = None) -> dict[str, Any]:
    return {"type": "price_list", "value": {"applies_from": applies_from, "rules": list(rules)}}


def fixed(description: str, amount: str) -> dict[str, Any]:
    return {"type": "fixed", "value": {"description": description, "amount": amount}}


def per_unit(question: str, amount: str, most: int, unit: str, units: str) -> dict[str, Any]:
    value = {"question": question, "amount": amount, "most": most, "unit": unit, "units": units}
    return {"type": "per_unit", "value": value}


def by_option(question: str, *rows: tuple[list[str], str], description: str = "") -> dict:
    prices = [{"type": "item", "value": {"options": keys, "amount": a}} for keys, a in rows]
    value = {"question": question, "description": description, "prices": prices}
    return {"type": "by_option", "value": value}


def concession(question: str, options: list[str], percent: int, description: str) -> dict:
    value = {
        "question": question,
        "options": options,
        "percent_off": percent,
        "description": description,
    }
    return {"type": "concession", "value": value}


GARDEN_WASTE = [
    price_list(
        per_unit("bin_count", "22.00", 3, "bin", "bins"),
        concession("reduction", ["yes"], 50, HALF_PRICE),
    )
]


def with_ids(data: Any) -> Any:
    """Stored blocks with the ids the editor's form gives each one, in place."""
    if isinstance(data, dict):
        if "type" in data and "value" in data:
            data.setdefault("id", str(uuid.uuid4()))
        for value in data.values():
            with_ids(value)
    elif isinstance(data, list):
        for value in data:
            with_ids(value)
    return data


def unsaved_flow(steps: list[dict[str, Any]], rules: list[dict[str, Any]]) -> FlowPage:
    """A flow as an editor saves it (options get their keys), not in the database."""
    return FlowPage(title="Garden waste", steps=fill_in(copy.deepcopy(steps)), fee_rules=rules)


def quote(steps: list[dict[str, Any]], rules: list[dict[str, Any]], **answers: Any):
    return unsaved_flow(steps, rules).fee_calculator().calculate(answers)


class FeeRuleTests(TestCase):  # a page looks its content type up when it is made
    def test_a_fixed_amount(self):
        rules = [price_list(fixed("Blue Badge", "10.00"))]
        fee = unsaved_flow([CONTACT], rules).fee_calculator()
        self.assertEqual(fee.calculate({}).total_pence, 1000)
        self.assertEqual(fee.calculate({}).lines, [("Blue Badge", 1000)])
        self.assertEqual(fee.describe(), "Blue Badge: £10.")

    def test_an_amount_for_each_up_to_the_most(self):
        self.assertEqual(
            quote([BINS, REDUCTION], GARDEN_WASTE, bin_count=1, reduction="no").lines,
            [("1 bin at £22", 2200)],
        )
        three = quote([BINS, REDUCTION], GARDEN_WASTE, bin_count=3, reduction="no")
        self.assertEqual((three.total_pence, three.lines), (6600, [("3 bins at £22 each", 6600)]))

    def test_an_answer_it_cannot_price_is_refused(self):
        fee = unsaved_flow([BINS, REDUCTION], GARDEN_WASTE).fee_calculator()
        for bins in (4, -1, "3", True, None):
            with self.subTest(bins=bins), self.assertRaises(ValueError):
                fee.calculate({"bin_count": bins, "reduction": "no"})
        with self.assertRaises(ValueError):
            fee.calculate({"reduction": "no"})

    def test_an_amount_by_answer_is_found_by_the_options_key_not_its_wording(self):
        rules = [
            price_list(
                by_option("size", (["small"], "10"), (["large"], "25.50"), description="Size")
            )
        ]
        self.assertEqual(quote([SIZE], rules, size="Large").lines, [("Size: Large", 2550)])
        self.assertEqual(quote([SIZE], rules, size="Small").total_pence, 1000)
        # An editor rewords the option later: its key, and so its price, stay.
        reworded = fill_in(copy.deepcopy([SIZE]))
        reworded[0]["value"]["questions"][0]["value"]["options"][1]["label"] = "Bulky"
        self.assertEqual(quote(reworded, rules, size="Bulky").lines, [("Size: Bulky", 2550)])
        for answer in ("Huge", None):
            with self.subTest(answer=answer), self.assertRaises(ValueError):
                quote([SIZE], rules, size=answer)

    def test_each_option_ticked_has_its_amount(self):
        rules = [price_list(by_option("extras", (["lock"], "5"), (["sticker"], "0.50")))]
        both = quote([EXTRAS], rules, extras=["Sticker", "Lock"])
        self.assertEqual(both.lines, [("Lock", 500), ("Sticker", 50)])
        self.assertEqual(both.total_pence, 550)
        self.assertEqual(quote([EXTRAS], rules, extras=[]).total_pence, 0)
        with self.assertRaises(ValueError):  # an option with no amount is never free by mistake
            quote([EXTRAS], [price_list(by_option("extras", (["lock"], "5")))], extras=["Sticker"])

    def test_a_concession_takes_its_percentage_off_the_total(self):
        halved = quote([BINS, REDUCTION], GARDEN_WASTE, bin_count=3, reduction="yes")
        self.assertEqual(halved.total_pence, 3300)
        self.assertEqual(halved.lines, [("3 bins at £22 each", 6600), (HALF_PRICE, -3300)])
        self.assertEqual(sum(pence for _text, pence in halved.lines), halved.total_pence)
        full = quote([BINS, REDUCTION], GARDEN_WASTE, bin_count=3, reduction="no")
        self.assertEqual(full.total_pence, 6600)

    def test_half_a_penny_off_goes_to_the_resident(self):
        rules = [
            price_list(
                per_unit("bin_count", "12.25", 3, "bin", "bins"),
                concession("reduction", ["yes"], 50, HALF_PRICE),
            )
        ]
        # Half of £12.25 is 612.5p off: 613p off, so the resident pays 612p, not 613p.
        self.assertEqual(
            quote([BINS, REDUCTION], rules, bin_count=1, reduction="yes").total_pence, 612
        )

    def test_concessions_do_not_add_up_the_larger_applies(self):
        rules = [
            price_list(
                fixed("Permit", "40"),
                concession("reduction", ["yes"], 25, "A quarter off"),
                concession("size", ["small"], 50, "Half price for a small one"),
            )
        ]
        fee = quote([SIZE, REDUCTION], rules, size="Small", reduction="yes")
        self.assertEqual(fee.total_pence, 2000)
        self.assertEqual(fee.lines[1:], [("Half price for a small one", -2000)])
        free = [price_list(fixed("Permit", "40"), concession("reduction", ["yes"], 100, "Free"))]
        self.assertEqual(quote([REDUCTION], free, reduction="yes").total_pence, 0)


class PriceListTests(TestCase):  # a page looks its content type up when it is made
    rules = [
        price_list(per_unit("bin_count", "24", 3, "bin", "bins"), applies_from="2027-04-01"),
        price_list(per_unit("bin_count", "18", 3, "bin", "bins")),
        price_list(per_unit("bin_count", "22", 3, "bin", "bins"), applies_from="2026-04-01"),
    ]

    def fee(self):
        return unsaved_flow([BINS], self.rules).fee_calculator()

    def test_the_latest_price_list_to_have_started_applies(self):
        for day, pence in [
            (datetime.date(2026, 3, 31), 1800),  # before any date: the list with none
            (datetime.date(2026, 4, 1), 2200),
            (datetime.date(2027, 3, 31), 2200),
            (datetime.date(2027, 4, 1), 2400),  # next April's prices, entered in advance
        ]:
            with self.subTest(day=day), mock.patch(TODAY, return_value=day):
                self.assertEqual(self.fee().calculate({"bin_count": 1}).total_pence, pence)

    def test_the_cost_in_words_says_when_prices_change(self):
        with mock.patch(TODAY, return_value=datetime.date(2027, 3, 31)):
            self.assertEqual(
                self.fee().describe(),
                "£22 for each bin, up to 3 bins. From 1 April 2027: £24 for each bin, up to 3 "
                "bins.",
            )
        self.assertEqual(
            self.fee().describe(today=datetime.date(2027, 4, 1)),
            "£24 for each bin, up to 3 bins.",
        )

    def test_no_price_list_in_force_charges_nothing_and_the_checks_say_so(self):
        later = [price_list(fixed("Permit", "40"), applies_from="2027-04-01")]
        flow = unsaved_flow([CONTACT], later)
        with mock.patch(TODAY, return_value=datetime.date(2027, 3, 31)):
            with self.assertRaises(ValueError):
                flow.fee_calculator().calculate({})
            self.assertIn(ERROR, [level for level, _m in fee_problems(shape_of(flow.steps), later)])


class FeeProblemTests(SimpleTestCase):
    def problems(self, steps, rules):
        return fee_problems(shape_of(fill_in(copy.deepcopy(steps))), rules)

    def test_rules_that_match_the_flow_have_no_problems(self):
        self.assertEqual(self.problems([BINS, REDUCTION], GARDEN_WASTE), [])
        self.assertEqual(used_answer_names(GARDEN_WASTE), {"bin_count", "reduction"})

    def test_a_question_the_flow_does_not_ask(self):
        [(level, message)] = self.problems(
            [BINS], [price_list(per_unit("bins", "22", 3, "b", "bs"))]
        )
        self.assertEqual(level, ERROR)
        self.assertIn("'bins'", message)

    def test_an_amount_for_each_of_something_that_is_not_a_number(self):
        rules = [price_list(per_unit("email", "22", 3, "bin", "bins"))]
        [(level, message)] = self.problems([CONTACT], rules)
        self.assertEqual(level, ERROR)
        self.assertIn("not a whole number or a quantity", message)

    def test_an_option_key_the_question_does_not_have(self):
        rules = [price_list(concession("size", ["medium"], 50, "Half price"))]
        [(level, message)] = self.problems([SIZE], rules)
        self.assertEqual(level, ERROR)
        self.assertIn("'medium'", message)

    def test_a_most_lower_than_the_question_allows_is_a_warning(self):
        rules = [price_list(per_unit("bin_count", "22", 2, "bin", "bins"))]
        [(level, message)] = self.problems([BINS], rules)
        self.assertEqual(level, WARNING)
        self.assertIn("allows 3, but the fee stops at 2", message)
        unlimited = page("bins", question("quantity", "bin_count", "How many?", min_value=1))
        self.assertEqual([lvl for lvl, _m in self.problems([unlimited], rules)], [WARNING])

    def test_two_price_lists_from_the_same_day(self):
        rules = [
            price_list(fixed("Permit", "40"), applies_from="2027-04-01"),
            price_list(fixed("Permit", "45"), applies_from="2027-04-01"),
            price_list(fixed("Permit", "35")),
        ]
        [(level, message)] = self.problems([CONTACT], rules)
        self.assertEqual(level, ERROR)
        self.assertIn("1 April 2027", message)


class EditorFieldTests(SimpleTestCase):
    def test_questions_and_options_are_chosen_with_the_conditions_widgets(self):
        # The flow editor's script turns these inputs into lists of the flow's questions and
        # options, as it does for a condition's.
        for block in (PerUnitFeeBlock(), ConcessionBlock()):
            attrs = block.child_blocks["question"].field.widget.attrs
            self.assertIn("data-flow-condition-question", attrs)
            self.assertIn("data-flow-question-kinds", attrs)
        for block in (ConcessionBlock(), OptionPriceBlock()):
            attrs = block.child_blocks["options"].field.widget.attrs
            self.assertIn("data-flow-condition-options", attrs)
        kinds = PerUnitFeeBlock().child_blocks["question"].field.widget.attrs
        self.assertEqual(kinds["data-flow-question-kinds"], "quantity whole_number")


def translate(original: Page, language: str) -> Page:
    """`original` copied into `language` with its parents, as wagtail-localize does, published."""
    locale = Locale.objects.get_or_create(language_code=language)[0]
    translated = original.specific.copy_for_translation(locale, copy_parents=True).specific
    for ancestor in translated.get_ancestors().filter(depth__gt=1).specific():
        if not ancestor.live:
            ancestor.save_revision().publish()
    translated.save_revision().publish()
    return translated


class TranslatedFeeTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        rules = [price_list(by_option("size", (["small"], "10"), (["large"], "25.50")))]
        cls.flow = make_flow([SIZE, CONTACT], fee_rules=rules)
        cls.welsh = translate(cls.flow, "cy")
        options = cls.welsh.steps[0].value["questions"][0].value["options"]
        options[0]["label"], options[1]["label"] = "Bach", "Mawr"
        cls.welsh.save_revision().publish()
        cls.welsh = FlowPage.objects.get(pk=cls.welsh.pk)

    def test_a_translated_answer_is_priced_by_its_options_key(self):
        fee = self.welsh.fee_calculator()
        self.assertEqual(fee.calculate({"size": "Mawr"}).lines, [("Mawr", 2550)])
        # answered in English before the resident switched to Welsh
        self.assertEqual(fee.calculate({"size": "Large"}).total_pence, 2550)
        self.assertEqual(fee.calculate({"size": "Bach"}).total_pence, 1000)

    def test_translators_see_the_words_never_the_names_and_keys(self):
        rules = copy.deepcopy(
            [price_list(*GARDEN_WASTE[0]["value"]["rules"], fixed("Delivery", "5"))]
        )
        steps = fill_in(copy.deepcopy([BINS, REDUCTION, SIZE]))
        flow = FlowPage(title="Garden waste", steps=with_ids(steps), fee_rules=with_ids(rules))
        texts = {getattr(s, "string", None) and s.string.data for s in extract_segments(flow)}
        self.assertLessEqual({"bin", "bins", HALF_PRICE, "Delivery"}, texts)
        for name in ("bin_count", "reduction", "yes", "small", "22.00"):
            self.assertNotIn(name, texts)


def cost_on_page(response) -> str:
    soup = BeautifulSoup(response.content, "html.parser")
    row = soup.find("dt", string="Cost")
    return row.find_next_sibling("dd").get_text(strip=True) if row else ""


class ServiceCostTests(TestCase):
    url = "/bins/bulky-waste/"

    @classmethod
    def setUpTestData(cls):
        cls.flow = make_flow([BINS, REDUCTION, CONTACT], fee_rules=GARDEN_WASTE)
        service = cls.flow.service
        service.cost = "£20 a bin"  # the editor's text, from before the fee rules
        service.save_revision().publish()

    def test_the_service_page_shows_the_flows_fee_rules_in_words(self):
        cost = cost_on_page(self.client.get(self.url))
        self.assertEqual(cost, self.flow.fee_calculator().describe())
        self.assertEqual(
            cost, "£22 for each bin, up to 3 bins. Half price: you receive council tax reduction."
        )
        # ... and the flow charges what the page says
        one = self.flow.fee_calculator().calculate({"bin_count": 1, "reduction": "no"})
        self.assertIn(f"{format_pence(one.total_pence)} for each bin", cost)

    def test_next_aprils_prices_are_on_the_page_before_and_in_force_after(self):
        self.flow.fee_rules = [
            *GARDEN_WASTE,
            price_list(per_unit("bin_count", "24", 3, "bin", "bins"), applies_from="2027-04-01"),
        ]
        self.flow.save_revision().publish()
        with mock.patch(TODAY, return_value=datetime.date(2027, 3, 31)):
            before = cost_on_page(self.client.get(self.url))
        self.assertIn("From 1 April 2027: £24 for each bin", before)
        cache.clear()  # the cached page has expired by then
        with mock.patch(TODAY, return_value=datetime.date(2027, 4, 1)):
            after = cost_on_page(self.client.get(self.url))
        self.assertEqual(after, "£24 for each bin, up to 3 bins.")

    def test_without_fee_rules_the_editors_text_stays(self):
        self.flow.fee_rules = []
        self.flow.save_revision().publish()
        self.assertEqual(cost_on_page(self.client.get(self.url)), "£20 a bin")

    def test_it_costs_no_query_the_page_does_not_make_anyway(self):
        service = ServicePage.objects.get(pk=self.flow.service.pk)
        self.assertTrue(service.start_url)  # the Start button finds the flow
        with CaptureQueriesContext(connection) as queries:
            self.assertTrue(service.current_cost.startswith("£22"))
        self.assertEqual(len(queries), 0)

    def test_a_translated_service_page_reads_its_own_flow_else_the_english_one(self):
        welsh_service = translate(self.flow.service, "cy")
        # No Welsh flow yet: the English flow's rules, in Welsh where the site has the words.
        self.assertIn("£22", cost_on_page(self.client.get(f"/cy{self.url}")))
        welsh = translate(self.flow, "cy")
        welsh.fee_rules[0].value["rules"][1].value["description"] = "Hanner pris"
        welsh.save_revision().publish()
        self.assertEqual(welsh.get_parent().pk, welsh_service.pk)
        self.assertIn("Hanner pris", cost_on_page(self.client.get(f"/cy{self.url}")))


@override_settings(PAYMENT_PROVIDER="sandbox")
class PaidWithFeeRulesTests(TestCase):
    base = "/bins/bulky-waste/apply/"

    @classmethod
    def setUpTestData(cls):
        cls.flow = make_flow([BINS, REDUCTION, CONTACT], fee_rules=GARDEN_WASTE)

    def answer(self, step: str, data: dict[str, str]):
        management = {f"flow-{self.flow.pk}-current_step": step}
        return self.client.post(f"{self.base}{step}/", {**management, **data})

    def test_the_resident_pays_what_the_rules_work_out(self):
        self.client.get(self.base)
        self.answer("bins", {"bins-bin_count": "3"})
        self.answer("reduction", {"reduction-reduction": "yes"})
        self.answer("contact", {"contact-email": "sam@example.org"})
        check = self.client.get(f"{self.base}check-your-answers/")
        self.assertContains(check, "3 bins at £22 each")
        self.assertContains(check, HALF_PRICE)
        self.assertContains(check, "<strong>£33</strong>", html=True)

        sent = self.client.post(
            f"{self.base}check-your-answers/", {"token": check.context["token"]}
        )
        payment = Payment.objects.get()
        self.assertEqual(sent["Location"], f"/payments/sandbox/{payment.uuid}/")
        self.assertEqual(payment.amount_pence, 3300)
        self.assertEqual(Submission.objects.get().fee_pence, 3300)

        back = self.client.post(sent["Location"], {"outcome": "succeed"})
        confirmation = self.client.get(back["Location"], follow=True)
        self.assertContains(confirmation, "You have paid £33")
        self.assertEqual(Submission.objects.get().status, SubmissionStatus.PAID)
