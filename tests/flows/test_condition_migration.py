"""Flows saved when conditions named an option by its wording keep every branch after the
migration to option keys, in English and in translation: each demo flow is walked down every
branch before (the old rule, on the old data) and after (the runtime, on the migrated data)."""

from __future__ import annotations

import copy
import importlib
import itertools
import json
import uuid
from typing import Any

from django.apps import apps
from django.db import connection
from django.test import TestCase

from demo.flow_content import flow_files, read_flow
from forms.flows.conditions import NUMBER_TYPES, shape_of
from forms.flows.models import FlowPage
from forms.flows.runtime.steps import FlowSteps
from tests.flows.factories import make_flow, page, question

migration = importlib.import_module("forms.flows.migrations.0012_conditions_by_option_key")


def old_steps(flow: dict[str, Any]) -> list[dict[str, Any]]:
    """A flow file's steps as the old blocks stored them: options without keys, conditions
    with the option's wording."""
    stream = []
    for step in flow["step"]:
        condition = {"question": "", "answer": "", "negate": False, **step.get("show_if", {})}
        value: dict[str, Any] = {"name": step["name"], "heading": step.get("heading", "")}
        if step["type"] == "question_page":
            value["questions"] = [
                {
                    "type": q["type"],
                    "value": {
                        **{k: v for k, v in q.items() if k not in ("type", "options")},
                        **(
                            {
                                "options": [
                                    {"type": "item", "value": o, "id": str(uuid.uuid4())}
                                    for o in q["options"]
                                ]
                            }
                            if "options" in q
                            else {}
                        ),
                    },
                }
                for q in step["questions"]
            ]
        else:
            value["reason"] = "<p>Reason</p>"
        value["show_if"] = condition
        stream.append({"type": step["type"], "value": value})
    return stream


def old_matches(answer: Any, expected: str) -> bool:
    """The rule conditions followed before keys: the answer's wording, case aside."""
    expected = expected.strip().casefold()
    if isinstance(answer, list):
        return any(str(a).strip().casefold() == expected for a in answer)
    return str(answer).strip().casefold() == expected


def old_walk(steps: list[dict[str, Any]], answers: dict[str, Any]) -> list[str]:
    """The steps a resident with `answers` met, by the old rule."""
    shown: list[str] = []
    asked_on: dict[str, str] = {}
    for step in steps:
        value = step["value"]
        for q in value.get("questions") or []:
            asked_on[q["value"]["name"]] = value["name"]
        condition = value["show_if"]
        if condition.get("question"):
            on = asked_on.get(condition["question"])
            if on not in shown or condition["question"] not in answers:
                continue
            matches = old_matches(answers[condition["question"]], condition["answer"])
            if matches == bool(condition.get("negate")):
                continue
        shown.append(value["name"])
        if step["type"] == "end_point":
            break
    return shown


class Answered:
    def __init__(self, answers: dict[str, Any]) -> None:
        self.answers = answers

    def stored_answers(self) -> dict[str, Any]:
        return self.answers


class FakeWizard:
    """What the runtime's conditions ask of the wizard: the conditions, and the answers."""

    def __init__(self, flow_steps: FlowSteps, answers: dict[str, Any]) -> None:
        self.condition_dict = flow_steps.condition_dict()
        self.flow_steps = flow_steps
        self.answers = answers

    def answered_form(self, step: str) -> Answered | None:
        names = [q.value["name"] for q in FlowPage.questions_in(self.flow_steps.steps[step])]
        if not all(name in self.answers for name in names):
            return None
        return Answered({name: self.answers[name] for name in names})


def new_walk(flow: FlowPage, answers: dict[str, Any]) -> list[str]:
    flow_steps = FlowSteps(flow)
    wizard = FakeWizard(flow_steps, answers)
    shown = []
    for name in flow_steps.steps:
        if flow_steps.is_shown(wizard, name):
            shown.append(name)
            if flow_steps.is_end_point(name):
                break
    return shown


def answer_sets(steps: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every combination of answers to the questions conditions read (each option, and for
    checkboxes none, each one and all)."""
    shape = shape_of(steps)
    read = {s.condition.question for s in shape.steps if s.condition}
    choices = []
    for _step, q in shape.questions():
        if q.name not in read or not q.is_choice:
            continue
        labels: list[Any] = [o.label for o in q.options]
        if q.kind == "yes_no":
            labels = ["yes", "no"]  # how a yes or no answer is stored
        elif q.kind in NUMBER_TYPES:
            labels = [int(label) for label in labels]
        if q.kind == "checkboxes":
            values: list[Any] = [[], *([label] for label in labels), labels]
        else:
            values = labels
        choices.append([(q.name, v) for v in values])
    everything_else = {q.name: "x" for _s, q in shape.questions() if q.name not in read}
    return [
        {**everything_else, **dict(combination)}
        for combination in itertools.islice(itertools.product(*choices), 500)
    ]


def store_old(flow: FlowPage, steps: list[dict[str, Any]]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE flows_flowpage SET steps = %s WHERE page_ptr_id = %s",
            [json.dumps(steps), flow.pk],
        )


class ConditionMigrationTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.flow = make_flow([page("one", question("email", "email"))])

    def migrate(self, flow: FlowPage, steps: list[dict[str, Any]]) -> FlowPage:
        store_old(flow, steps)
        migration.forwards(apps, None)
        return FlowPage.objects.get(pk=flow.pk)

    def test_every_demo_flow_shows_the_same_steps_for_every_answer_after_the_migration(self):
        walked = 0
        for slug, path in flow_files().items():
            before = old_steps(read_flow(path))
            with self.subTest(flow=slug):
                after = self.migrate(self.flow, copy.deepcopy(before))
                for condition in (s.condition for s in shape_of(after.steps).steps):
                    if condition is not None:
                        self.assertTrue(condition.options, slug)
                for answers in answer_sets(before):
                    self.assertEqual(new_walk(after, answers), old_walk(before, answers))
                    walked += 1
        self.assertGreater(walked, 40)

    def test_options_get_keys_from_their_wording_and_conditions_store_keys(self):
        before = old_steps(read_flow(flow_files()["report-missed-bin"]))
        after = self.migrate(self.flow, before)
        shape = shape_of(after.steps)
        _step, bins = shape.question("bins")
        self.assertEqual(
            [o.key for o in bins.options],
            [
                "black-bin-general-waste",
                "green-lid-bin-recycling",
                "food-caddy",
                "brown-bin-garden-waste",
            ],
        )
        self.assertEqual(shape.step("bin-not-out-in-time").condition.options, ["no"])
        stored = json.dumps(list(after.steps.raw_data))
        self.assertNotIn('"answer"', stored)

    def test_a_translation_takes_its_sources_keys_and_a_mistranslated_condition_is_mended(self):
        steps = [
            page(
                "which",
                question(
                    "radios",
                    "bin",
                    "Which bin?",
                    options=[
                        {"label": "Black bin", "hint": ""},
                        {"label": "Food caddy", "hint": ""},
                    ],
                ),
            ),
            page("caddy", question("short_text", "colour", "What colour?")),
        ]
        english = copy.deepcopy(steps)
        english[1]["value"]["show_if"] = {"question": "bin", "answer": "Food caddy"}
        welsh = copy.deepcopy(steps)
        welsh[0]["value"]["questions"][0]["value"]["options"] = [
            {"label": "Bin du", "hint": ""},
            {"label": "Cadi bwyd", "hint": ""},
        ]
        # The translator worded the condition differently from the option: a branch that
        # never showed in Welsh before.
        welsh[1]["value"]["show_if"] = {"question": "bin", "answer": "Cadi gwastraff bwyd"}
        source = self.flow
        cymraeg = source.copy_for_translation(self.welsh_locale(), copy_parents=True)
        cymraeg.save_revision().publish()
        store_old(source, english)
        store_old(cymraeg, welsh)
        migration.forwards(apps, None)
        source, cymraeg = FlowPage.objects.get(pk=source.pk), FlowPage.objects.get(pk=cymraeg.pk)
        welsh_bin = shape_of(cymraeg.steps).question("bin")[1]
        self.assertEqual([o.key for o in welsh_bin.options], ["black-bin", "food-caddy"])
        self.assertEqual(shape_of(cymraeg.steps).step("caddy").condition.options, ["food-caddy"])
        self.assertEqual(new_walk(cymraeg, {"bin": "Cadi bwyd", "colour": "x"}), ["which", "caddy"])
        self.assertEqual(new_walk(cymraeg, {"bin": "Bin du", "colour": "x"}), ["which"])

    def test_its_revisions_are_converted_so_an_older_draft_keeps_its_branches(self):
        before = old_steps(read_flow(flow_files()["report-missed-bin"]))
        store_old(self.flow, before)
        revision = self.flow.latest_revision
        revision.content["steps"] = json.dumps(before)
        revision.save()
        migration.forwards(apps, None)
        revision.refresh_from_db()
        restored = revision.as_object()
        self.assertEqual(shape_of(restored.steps).step("bin-was-tagged").condition.options, ["yes"])

    @staticmethod
    def welsh_locale():
        from wagtail.models import Locale

        return Locale.objects.get_or_create(language_code="cy")[0]
