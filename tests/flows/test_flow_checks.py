"""The whole-flow checks: each mistake an editor can make is found and placed next to its step,
a correct flow passes, a publish with an error is refused with every edit kept, and a draft is
saved with what the checks found."""

from __future__ import annotations

import copy
import uuid

from django.test import SimpleTestCase
from wagtail.test.utils import WagtailPageTestCase
from wagtail.test.utils.form_data import nested_form_data, rich_text, streamfield

from demo.flow_content import flow_files, read_flow, steps_data
from forms.flows.checks import ERROR, WARNING, check_flow
from forms.flows.conditions import conditions_from_words, fill_in, shape_of
from forms.flows.models import FlowPage, Submission
from tests.flows.factories import end_point, make_flow, page, question

BINS = question(
    "checkboxes",
    "bins",
    "Which bins did we miss?",
    options=[{"label": "Black bin", "hint": ""}, {"label": "Food caddy", "hint": ""}],
)
OUT = question("yes_no", "out_by_7am", "Was your bin out by 7am?")


def when(name: str, *options: str, negate: bool = False) -> dict:
    return {"question": name, "options": list(options), "negate": negate}


def report(*steps: dict, **context):
    raw = conditions_from_words(fill_in(copy.deepcopy(list(steps))))
    return check_flow(shape_of(raw), **context)


def problems(result, level=ERROR) -> list[tuple[int | None, str]]:
    return [(p.step, p.message) for p in result.problems if p.level == level]


class CheckTests(SimpleTestCase):
    def test_a_correct_branching_flow_passes(self):
        result = report(
            page("which-bins", BINS),
            page("out", OUT),
            end_point(
                "too-late", "We cannot come back", "Put it out by 7am.", when("out_by_7am", "no")
            ),
            page(
                "caddy",
                question("short_text", "colour", "What colour?"),
                show_if=when("bins", "food-caddy"),
            ),
            page("contact", question("email", "email", "Email address")),
        )
        self.assertEqual(result.problems, [])
        self.assertTrue(result.sendable)
        self.assertEqual(result.reachable, {0, 1, 2, 3, 4})

    def test_every_demo_flow_passes_without_errors(self):
        for slug, path in flow_files().items():
            with self.subTest(flow=slug):
                raw = steps_data(read_flow(path))
                self.assertEqual(problems(check_flow(shape_of(raw))), [])

    def test_a_condition_naming_an_option_that_no_longer_exists_can_never_be_true(self):
        result = report(
            page("which-bins", BINS), page("caddy", OUT, show_if=when("bins", "brown-bin"))
        )
        [(step, message)] = problems(result)
        self.assertEqual(step, 1)
        self.assertIn("no longer an option of 'Which bins did we miss?'", message)
        self.assertEqual(result.problems[0].field, "show_if")

    def test_a_condition_can_only_point_backwards(self):
        result = report(
            page("first", question("email", "email"), show_if=when("out_by_7am", "yes")),
            page("out", OUT),
        )
        self.assertIn("asked on this page or after it", problems(result)[0][1])
        self.assertEqual(problems(result)[0][0], 0)

    def test_a_condition_on_an_unknown_question_or_one_without_options(self):
        unknown = report(
            page("a", OUT), page("b", question("email", "email"), show_if=when("colour", "red"))
        )
        self.assertIn("which is not in this flow", problems(unknown)[0][1])
        no_options = report(
            page("a", question("short_text", "colour", "What colour?")),
            page("b", question("email", "email"), show_if=when("colour", "red")),
        )
        self.assertIn("has no options to choose from", problems(no_options)[0][1])

    def test_a_condition_with_no_answer_chosen(self):
        result = report(
            page("a", OUT), page("b", question("email", "email"), show_if=when("out_by_7am"))
        )
        self.assertIn("Choose at least one answer", problems(result)[0][1])

    def test_not_any_of_every_option_of_a_required_question_can_never_be_true(self):
        result = report(
            page("a", OUT),
            page(
                "b",
                question("email", "email"),
                show_if=when("out_by_7am", "yes", "no", negate=True),
            ),
        )
        self.assertIn("can never be true", problems(result)[0][1])

    def test_a_condition_every_answer_meets_is_a_warning_not_an_error(self):
        result = report(
            page("a", OUT),
            page("b", question("email", "email"), show_if=when("out_by_7am", "yes", "no")),
        )
        self.assertEqual(problems(result), [])
        self.assertIn("Every answer leads here", problems(result, WARNING)[0][1])

    def test_a_page_after_an_end_point_everyone_reaches_is_unreachable(self):
        result = report(
            page("a", OUT),
            end_point("stop-yes", "Stop", "Why", when("out_by_7am", "yes")),
            end_point("stop-no", "Stop", "Why", when("out_by_7am", "no")),
            page("after", question("email", "email")),
        )
        self.assertIn((3, problems(result)[0][1]), problems(result))
        self.assertIn("Nobody can reach this page", dict(problems(result))[3])
        self.assertIn("nobody can send a request", dict(problems(result))[None])
        self.assertFalse(result.sendable)

    def test_an_end_point_no_answer_leads_to(self):
        result = report(
            page("a", OUT),
            page("b", question("email", "email"), show_if=when("out_by_7am", "yes")),
            end_point("never", "Stop", "Why", when("out_by_7am", "no")),
        )
        self.assertEqual(problems(result), [])
        # "no" never reaches page b, so a condition on b's answer never shows the end point
        result = report(
            page("a", OUT),
            page("b", question("yes_no", "tag", "Tagged?"), show_if=when("out_by_7am", "yes")),
            end_point("tagged", "Stop", "Why", when("tag", "yes")),
            end_point("also-tagged", "Stop", "Why", when("tag", "yes")),
        )
        self.assertIn("No answer leads to this end point", dict(problems(result))[3])

    def test_an_end_point_without_a_condition_stops_everyone(self):
        result = report(
            page("a", OUT), end_point("stop", "Stop", "Why", {"question": "", "options": []})
        )
        self.assertIn("Without one, everyone stops here", dict(problems(result))[1])

    def test_a_question_staff_do_not_need_and_nothing_uses_is_a_warning(self):
        unused = question("short_text", "colour", "What colour?", staff_need=False)
        result = report(page("a", unused), page("b", question("email", "email")))
        self.assertEqual(problems(result), [])
        self.assertIn("Nothing uses the answer to 'What colour?'", problems(result, WARNING)[0][1])
        self.assertEqual(
            problems(report(page("a", unused), page("b", question("email", "email"))), WARNING)[0][
                0
            ],
            0,
        )
        used_by_fee = check_flow(shape_of(fill_in([page("a", unused)])), used={"colour"})
        self.assertEqual(used_by_fee.problems, [])


class FilledInTests(SimpleTestCase):
    def test_addresses_answer_names_and_option_keys_are_made_unique_from_the_wording(self):
        raw = fill_in(
            [
                {
                    "type": "question_page",
                    "value": {
                        "name": "",
                        "heading": "",
                        "questions": [
                            {
                                "type": "radios",
                                "value": {
                                    "name": "",
                                    "label": "Which bin?",
                                    "options": [{"label": "Food caddy"}, {"label": "Food caddy!"}],
                                },
                            }
                        ],
                    },
                },
                {
                    "type": "question_page",
                    "value": {
                        "name": "",
                        "heading": "",
                        "questions": [
                            {"type": "short_text", "value": {"name": "", "label": "Which bin?"}}
                        ],
                    },
                },
                {
                    "type": "question_page",
                    "value": {
                        "name": "",
                        "heading": "",
                        "questions": [
                            {"type": "short_text", "value": {"name": "", "label": "123 go"}}
                        ],
                    },
                },
            ],
            reserved={"check-your-answers"},
        )
        shape = shape_of(raw)
        self.assertEqual([s.name for s in shape.steps], ["which-bin", "which-bin-2", "123-go"])
        self.assertEqual(
            [q.name for _s, q in shape.questions()], ["which_bin", "which_bin_2", "answer_123_go"]
        )
        self.assertEqual(
            [o.key for o in shape.steps[0].questions[0].options], ["food-caddy", "food-caddy-2"]
        )

    def test_what_is_set_is_kept(self):
        raw = fill_in(
            [
                {
                    "type": "question_page",
                    "value": {
                        "name": "mine",
                        "heading": "",
                        "questions": [
                            {
                                "type": "radios",
                                "value": {
                                    "name": "bin",
                                    "label": "New wording",
                                    "options": [{"label": "New", "key": "old"}],
                                },
                            }
                        ],
                    },
                }
            ]
        )
        shape = shape_of(raw)
        self.assertEqual((shape.steps[0].name, shape.steps[0].questions[0].name), ("mine", "bin"))
        self.assertEqual(shape.steps[0].questions[0].options[0].key, "old")


class EditorSavingTests(WagtailPageTestCase):
    """In the admin: a publish with a broken branch is refused next to its step and keeps
    what was typed; a draft with the same mistake is saved and the editor is told."""

    def setUp(self):
        self.login()
        self.flow = make_flow(
            [
                page("which-bins", BINS),
                page(
                    "caddy",
                    question("email", "email"),
                    show_if={"question": "bins", "answer": "Food caddy"},
                ),
            ]
        )

    def post(self, condition_options: str, action: str):
        options = streamfield(
            [
                ("item", {"label": "Black bin", "hint": "", "key": "black-bin"}),
                ("item", {"label": "Food caddy", "hint": "", "key": "food-caddy"}),
            ]
        )
        steps = streamfield(
            [
                (
                    "question_page",
                    {
                        "name": "which-bins",
                        "heading": "",
                        "intro": rich_text(""),
                        "former_names": "",
                        "questions": streamfield(
                            [
                                (
                                    "checkboxes",
                                    {
                                        "label": "Which bins did we miss?",
                                        "name": "bins",
                                        "hint": "",
                                        "required": "on",
                                        "required_message": "",
                                        "staff_need": "on",
                                        "options": options,
                                    },
                                )
                            ]
                        ),
                        "show_if": {"question": "", "options": "", "negate": ""},
                    },
                ),
                (
                    "question_page",
                    {
                        "name": "caddy",
                        "heading": "A heading the editor typed",
                        "intro": rich_text(""),
                        "former_names": "",
                        "questions": streamfield(
                            [
                                (
                                    "email",
                                    {
                                        "label": "Email address",
                                        "name": "email",
                                        "hint": "",
                                        "required": "on",
                                        "required_message": "",
                                        "staff_need": "on",
                                    },
                                )
                            ]
                        ),
                        "show_if": {"question": "bins", "options": condition_options, "negate": ""},
                    },
                ),
            ]
        )
        data = nested_form_data(
            {
                "title": "Book a collection",
                "slug": "apply",
                "steps": steps,
                "fee_rules": streamfield([]),
                "what_happens_next": rich_text(""),
                "retention_days": 365,
            }
        )
        data[action] = "1"
        return self.client.post(f"/admin/pages/{self.flow.pk}/edit/", data, follow=True)

    def test_publishing_a_branch_to_a_removed_option_is_refused_next_to_its_step(self):
        response = self.post("brown-bin", "action-publish")
        self.assertContains(response, "no longer an option of")
        self.assertContains(response, "A heading the editor typed")  # nothing typed is lost
        self.flow.refresh_from_db()
        self.assertEqual(shape_of(self.flow.steps).step("caddy").condition.options, ["food-caddy"])
        errors = response.context["form"].errors["steps"].as_data()[0]
        self.assertIn(1, errors.block_errors)

    def test_a_draft_with_the_same_mistake_is_saved_and_the_editor_is_told(self):
        response = self.post("brown-bin", "save")  # the "Save draft" button
        messages = [str(m) for m in response.context["messages"]]
        self.assertTrue(
            any("Fix before publishing" in m and "no longer an option" in m for m in messages),
            messages,
        )
        draft = FlowPage.objects.get(pk=self.flow.pk).get_latest_revision_as_object()
        self.assertEqual(shape_of(draft.steps).step("caddy").heading, "A heading the editor typed")

    def test_a_correct_flow_publishes(self):
        self.post("food-caddy", "action-publish")
        self.flow.refresh_from_db()
        self.assertEqual(
            shape_of(self.flow.steps).step("caddy").heading, "A heading the editor typed"
        )


class FeeCheckTests(WagtailPageTestCase):
    """Fee rules an editor left unfinished stop a publish, next to the fees; and answers a
    published rule cannot price never fail for a resident: nothing is sent or charged."""

    RULES = [
        {
            "type": "price_list",
            "value": {
                "applies_from": None,
                "rules": [
                    {
                        "type": "per_unit",
                        "value": {
                            "question": "bins",
                            "amount": "22.00",
                            "most": 2,
                            "unit": "bin",
                            "units": "bins",
                        },
                    }
                ],
            },
        }
    ]

    def setUp(self):
        self.flow = make_flow(
            [
                page(
                    "bins", question("quantity", "bins", "How many bins?", min_value=1, max_value=3)
                )
            ],
            fee_rules=self.RULES,
        )

    def test_a_rule_on_a_question_the_flow_does_not_ask_is_an_error_for_the_fees(self):
        rules = copy.deepcopy(self.RULES)
        rules[0]["value"]["rules"][0]["value"]["question"] = "boxes"
        self.flow.fee_rules = rules
        report = self.flow.run_checks()
        self.assertTrue(report.fee_errors)
        self.assertEqual(report.step_errors, [])

    def test_an_answer_above_the_rules_maximum_is_told_not_failed(self):
        # The question allows 3 bins, the rule at most 2 (a warning the editor was shown).
        base = self.flow.url
        self.client.get(base)
        self.client.post(
            f"{base}bins/", {f"flow-{self.flow.pk}-current_step": "bins", "bins-bins": "3"}
        )
        response = self.client.get(f"{base}check-your-answers/")
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "We cannot work out the fee for these answers")
        self.assertNotContains(response, "Accept and continue to payment")
        sent = self.client.post(f"{base}check-your-answers/", {"token": str(uuid.uuid4())})
        self.assertEqual(sent.status_code, 302)
        self.assertFalse(Submission.objects.exists())
