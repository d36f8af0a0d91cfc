"""The demo flows and address list: every file valid, one flow per first-release service,
loaded under its service page, and loading again changes nothing."""

import re
import tomllib
from collections import Counter

from django.test import SimpleTestCase, TestCase
from wagtail.models import PageLogEntry, Revision

from demo.addresses import demo_addresses, load_addresses
from demo.flow_content import flow_files, page_fields, validate_flow_file
from demo.flow_loader import load_demo_flows
from demo.loader import DemoLoader, read_catalogue
from demo.loading import LoadReport
from forms.flows.conditions import shape_of
from forms.flows.fees import fee_problems, used_answer_names
from forms.flows.models import FlowPage
from forms.places.models import Property

OUR_FLOWS = {
    "bin-collection-day",
    "report-missed-bin",
    "bulky-waste-collection",
    "garden-waste-subscription",
    "skip-permit",
    "pay-parking-fine",
    "resident-parking-permit",
    "blue-badge",
    "pay-council-tax",
    "replacement-certificate",
}


def read(slug: str) -> dict:
    with flow_files()[slug].open("rb") as f:
        return tomllib.load(f)


def questions(flow: dict) -> dict[str, dict]:
    return {
        q["name"]: q
        for step in flow["step"]
        if step["type"] == "question_page"
        for q in step["questions"]
    }


class FlowFileTests(SimpleTestCase):
    databases = {"default"}

    def test_every_flow_file_passes_the_checks_an_editor_saving_it_would_meet(self):
        for slug, path in flow_files().items():
            with self.subTest(flow=slug):
                self.assertEqual(validate_flow_file(path), [])

    def test_our_ten_flows_exist(self):
        self.assertLessEqual(OUR_FLOWS, set(flow_files()))

    def test_there_is_one_flow_for_each_first_release_service(self):
        first_release = {r["slug"] for r in read_catalogue() if r["flow_in_first_release"] == "yes"}
        self.assertEqual(set(flow_files()), first_release)

    def test_every_flow_that_saves_a_request_asks_how_to_contact_the_resident(self):
        # "How to hear from us" (email, text message or no updates); the two flows translated
        # into Welsh, Polish and Arabic keep their email question until it is translated too.
        for slug in flow_files():
            flow = read(slug)
            if flow.get("result"):
                continue
            with self.subTest(flow=slug):
                asked = questions(flow)
                if slug in ("report-missed-bin", "pay-parking-fine"):
                    self.assertEqual(asked.get("email", {}).get("type"), "email")
                else:
                    self.assertEqual(asked.get("contact", {}).get("type"), "contact_preference")
                    self.assertNotIn("email", asked)

    def test_paid_flows_ask_the_questions_their_fee_reads(self):
        needs = {
            "bulky-waste": {"items"},
            "garden-waste": {"bins"},
            "skip-permit": {"skips", "periods"},
            "resident-permit": {"existing_permit", "permits_held", "permits"},
            "replacement-certificate": {"copies"},
            "pcn": {"pcn_number"},
            "council-tax": {"account_number", "amount"},
            "blue-badge": set(),
        }
        for slug in OUR_FLOWS:
            flow = read(slug)
            if flow.get("fee"):
                with self.subTest(flow=slug):
                    self.assertLessEqual(needs[flow["fee"]], set(questions(flow)))
            if flow.get("fee_rule"):
                with self.subTest(flow=slug, fee="rules"):
                    rules = page_fields(flow)["fee_rules"]
                    self.assertTrue(used_answer_names(rules))
                    self.assertLessEqual(used_answer_names(rules), set(questions(flow)))

    def test_fee_rules_in_the_files_pass_the_checks_an_editor_saving_them_would_meet(self):
        block = FlowPage._meta.get_field("fee_rules").stream_block
        with_rules = 0
        for slug in flow_files():
            fields = page_fields(read(slug))
            if not fields["fee_rules"]:
                continue
            with_rules += 1
            with self.subTest(flow=slug):
                block.clean(fields["fee_rules"])
                self.assertEqual(fee_problems(shape_of(fields["steps"]), fields["fee_rules"]), [])
        self.assertGreaterEqual(with_rules, 1)

    def test_certificate_copies_are_12_pounds_50_each_up_to_5(self):
        # The flow's fee is set as fee rules in its file, no longer by a developer's handler.
        flow = read("replacement-certificate")
        self.assertEqual(flow.get("fee", ""), "")
        fee = FlowPage(slug="order", **page_fields(flow)).fee_calculator()
        self.assertEqual(fee.calculate({"copies": 1}).total_pence, 1250)
        quote = fee.calculate({"copies": 5})
        self.assertEqual(quote.total_pence, 6250)
        self.assertEqual(quote.lines, [("5 copies at £12.50 each", 6250)])
        for copies in (6, -1, "3", None):
            with self.subTest(copies=copies), self.assertRaises(ValueError):
                fee.calculate({"copies": copies})
        self.assertEqual(fee.describe(), "£12.50 for each copy, up to 5 copies.")

    def test_the_limits_in_the_questions_match_the_fees(self):
        limits = {
            ("bulky-waste-collection", "items"): (1, 10),
            ("garden-waste-subscription", "bins"): (1, 3),
            ("skip-permit", "skips"): (1, 3),
            ("skip-permit", "periods"): (1, 4),
            ("resident-parking-permit", "permits"): (1, 2),
            ("replacement-certificate", "copies"): (1, 5),
        }
        for (slug, name), (smallest, largest) in limits.items():
            question = questions(read(slug))[name]
            with self.subTest(flow=slug, question=name):
                self.assertEqual(
                    (question["min_value"], question["max_value"]), (smallest, largest)
                )
        amount = questions(read("pay-council-tax"))["amount"]
        self.assertEqual((amount["min_amount"], amount["max_amount"]), (1.0, 5000.0))

    def test_look_up_questions_name_their_look_up(self):
        self.assertEqual(questions(read("pay-parking-fine"))["pcn_number"]["lookup"], "pcn")
        self.assertEqual(
            questions(read("pay-council-tax"))["account_number"]["lookup"], "council-tax-account"
        )
        bin_day = read("bin-collection-day")
        self.assertEqual(bin_day["result"], "bin-day")
        self.assertEqual(questions(bin_day)["address"]["type"], "address")
        self.assertEqual(read("report-missed-bin")["action"], "missed-bin")

    def test_money_is_written_the_house_way(self):
        for slug in OUR_FLOWS:
            text = flow_files()[slug].read_text(encoding="utf-8")
            with self.subTest(flow=slug):
                self.assertNotRegex(text, r"£[0-9,]+\.00\b")
                self.assertNotIn("click here", text.lower())
                self.assertNotIn("please note", text.lower())
                self.assertNotIn("!", re.sub(r'"\^.*?"', "", text))


class DemoFlowLoadingTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        DemoLoader().load()
        cls.first = LoadReport()
        load_demo_flows(cls.first)

    def test_each_flow_is_published_under_its_service_page(self):
        self.assertEqual(FlowPage.objects.live().count(), len(flow_files()))
        for slug in OUR_FLOWS:
            flow = read(slug)
            page = FlowPage.objects.get(title=flow["title"])
            with self.subTest(flow=slug):
                self.assertEqual(page.get_parent().slug, slug)
                self.assertEqual(page.slug, flow["slug"])
                self.assertEqual(page.fee_handler, flow.get("fee", ""))
                self.assertIsNotNone(page.live_revision_id)

    def test_loading_twice_changes_nothing(self):
        revisions, logs = Revision.objects.count(), PageLogEntry.objects.count()
        flows = {p.pk: p.latest_revision_id for p in FlowPage.objects.all()}
        for reset in (False, True):
            with self.subTest(reset=reset):
                report = LoadReport()
                load_demo_flows(report, reset=reset)
                self.assertFalse(report.changed, report)
                self.assertEqual(Revision.objects.count(), revisions)
                self.assertEqual(PageLogEntry.objects.count(), logs)
                self.assertEqual(
                    {p.pk: p.latest_revision_id for p in FlowPage.objects.all()}, flows
                )

    def test_an_editors_change_survives_a_reload_and_reset_puts_the_file_back(self):
        page = FlowPage.objects.get(title="Book a bulky waste collection")
        page.check_answers_statement = "Changed by an editor"
        page.steps[0].value["questions"][0].value["label"] = "Changed question"
        page.save_revision().publish()

        self.assertFalse(self.load().changed)
        page.refresh_from_db()
        self.assertEqual(page.check_answers_statement, "Changed by an editor")

        report = self.load(reset=True)
        self.assertEqual(report.updated, [page.url_path])
        page.refresh_from_db()
        self.assertNotEqual(page.check_answers_statement, "Changed by an editor")
        self.assertEqual(
            page.steps[0].value["questions"][0].value["label"],
            "Where should we collect the items from?",
        )
        self.assertFalse(self.load(reset=True).changed)

    def test_a_deleted_flow_is_created_again(self):
        page = FlowPage.objects.get(title="Apply for a skip permit")
        url_path = page.url_path
        page.delete()
        self.assertEqual(self.load().created, [url_path])

    def test_a_flow_whose_service_page_is_missing_is_skipped_with_a_message(self):
        FlowPage.objects.get(title="Apply for a skip permit").get_parent().delete()
        messages: list[str] = []
        report = LoadReport()
        load_demo_flows(report, log=messages.append)
        self.assertFalse(report.changed)
        self.assertTrue(any("skip-permit" in m and "skipped" in m for m in messages), messages)

    def load(self, reset: bool = False) -> LoadReport:
        report = LoadReport()
        load_demo_flows(report, reset=reset)
        return report


class DemoAddressTests(TestCase):
    def test_about_400_addresses_load_once(self):
        added = load_addresses()
        self.assertTrue(380 <= added <= 420, added)
        self.assertEqual(Property.objects.count(), added)
        self.assertEqual(load_addresses(), 0)
        self.assertEqual(Property.objects.count(), added)

    def test_existing_properties_are_left_alone(self):
        first = demo_addresses()[0]
        Property.objects.create(
            uprn=first.uprn,
            address_line_1="Changed by staff",
            postcode="FE1 1AA",
            ward="Castle",
            bin_day=2,
            bin_week="B",
        )
        load_addresses()
        self.assertEqual(Property.objects.get(uprn=first.uprn).address_line_1, "Changed by staff")

    def test_the_civic_centre_and_the_postcodes_in_our_tests_exist(self):
        load_addresses()
        civic = Property.in_postcode("fe1 1aa")
        self.assertIn("Civic Centre, Market Street", [p.address_line_1 for p in civic])
        for postcode in ("FE1 2RB", "FE4 2BX", "FE5 3DL", "FE6 1NG", "FE9 5FA"):
            with self.subTest(postcode=postcode):
                self.assertGreaterEqual(Property.in_postcode(postcode).count(), 8)

    def test_the_addresses_look_like_fernbridge(self):
        addresses = demo_addresses()
        self.assertEqual(addresses, demo_addresses())
        self.assertEqual(len({a.uprn for a in addresses}), len(addresses))
        self.assertTrue(all(a.uprn >= 100090000000 for a in addresses))
        per_postcode = Counter(a.postcode for a in addresses)
        self.assertTrue(all(8 <= n <= 12 for n in per_postcode.values()), per_postcode)
        self.assertTrue(all(re.match(r"^FE[1-9] [0-9][A-Z]{2}$", p) for p in per_postcode))
        self.assertEqual(len({a.ward for a in addresses}), 8)
        self.assertEqual({a.bin_day for a in addresses}, {0, 1, 2, 3, 4})
        self.assertEqual({a.bin_week for a in addresses}, {"A", "B"})
        self.assertTrue(any(a.address_line_1.startswith("Flat ") for a in addresses))
        streets: dict[str, set] = {}
        for a in addresses:
            street = re.sub(r"^(Flat [0-9]+, )?[0-9]+ ", "", a.address_line_1)
            streets.setdefault(street, set()).add((a.bin_day, a.bin_week))
        self.assertTrue(all(len(rounds) == 1 for rounds in streets.values()))
