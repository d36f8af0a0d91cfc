"""A flow's shape as plain data, and its conditions: which earlier answer shows a step.

A condition names an earlier question by its answer name and some of its options by their keys.
An option's key is made once, from its first wording, and never offered for translation, so a
translator who words an option differently, or an editor who rewords it later, cannot break a
branch. The checks (`forms.flows.checks`), the map and the runtime all read a flow through
`shape_of`, so they agree on what a flow is.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.utils.text import slugify
from django.utils.translation import gettext as _

# The question types a condition can name: each answer is one or more of a known list. A
# number with a short range (1 to 3 bins) is one too: each number is an option.
CHOICE_TYPES = frozenset({"radios", "select", "checkboxes", "yes_no"})
NUMBER_TYPES = frozenset({"quantity", "whole_number"})
LONGEST_NUMBER_LIST = 20
# A yes or no answer is stored as "yes" or "no" in every language: those are its keys.
YES_NO_KEYS = ("yes", "no")
KEY_LENGTH = 40


@dataclass
class Option:
    key: str
    label: str


@dataclass
class Question:
    name: str
    kind: str
    label: str
    options: list[Option] = field(default_factory=list)
    required: bool = True
    staff_need: bool = True
    block_id: str = ""

    @property
    def is_choice(self) -> bool:
        return bool(self.options)

    @property
    def many(self) -> bool:
        return self.kind == "checkboxes"

    def option(self, key: str) -> Option | None:
        return next((o for o in self.options if o.key == key), None)


@dataclass
class Condition:
    question: str
    options: list[str]
    negate: bool = False


@dataclass
class Step:
    index: int
    kind: str  # "question_page" or "end_point"
    name: str
    heading: str
    questions: list[Question]
    condition: Condition | None
    block_id: str = ""
    former_names: list[str] = field(default_factory=list)
    raw: dict[str, Any] = field(default_factory=dict)

    @property
    def is_end_point(self) -> bool:
        return self.kind == "end_point"

    @property
    def title(self) -> str:
        """What an editor knows the step by: its heading, or its first question."""
        if self.heading:
            return self.heading
        if self.questions and self.questions[0].label:
            return self.questions[0].label
        return self.name or _("Untitled page")


@dataclass
class FlowShape:
    steps: list[Step]

    def questions(self) -> Iterable[tuple[Step, Question]]:
        for step in self.steps:
            for question in step.questions:
                yield step, question

    def question(self, name: str) -> tuple[Step, Question] | tuple[None, None]:
        for step, question in self.questions():
            if question.name == name:
                return step, question
        return None, None

    def step(self, name: str) -> Step | None:
        return next((s for s in self.steps if s.name == name), None)


# reading a flow


def raw_steps(steps: Any) -> list[dict[str, Any]]:
    """A FlowPage's steps (a StreamValue) or their stored JSON, as the stored JSON."""
    stream_block = getattr(steps, "stream_block", None)
    if stream_block is not None:
        return list(stream_block.get_prep_value(steps))
    return list(steps or [])


def items(raw: Any) -> list[dict[str, Any]]:
    """A stored ListBlock's items as values, whether stored as {"type": "item", ...} or plain."""
    values = []
    for item in raw or []:
        if isinstance(item, dict) and item.get("type") == "item" and "value" in item:
            values.append(item["value"])
        else:
            values.append(item)
    return values


def options_of(kind: str, value: dict[str, Any]) -> list[Option]:
    if kind == "yes_no":
        return [Option("yes", _("Yes")), Option("no", _("No"))]
    if kind in NUMBER_TYPES:
        smallest, largest = value.get("min_value"), value.get("max_value")
        if (
            isinstance(smallest, int)
            and isinstance(largest, int)
            and 0 <= largest - smallest < LONGEST_NUMBER_LIST
        ):
            return [Option(str(n), str(n)) for n in range(smallest, largest + 1)]
        return []
    if kind not in CHOICE_TYPES:
        return []
    return [
        Option(str(option.get("key") or ""), str(option.get("label") or ""))
        for option in items(value.get("options"))
    ]


def condition_of(value: dict[str, Any]) -> Condition | None:
    raw = value.get("show_if") or {}
    question = (raw.get("question") or "").strip()
    if not question:
        return None
    options = raw.get("options") or []
    if isinstance(options, str):
        options = [key for key in options.split(",") if key]
    return Condition(question, [str(key) for key in options], bool(raw.get("negate")))


def shape_of(steps: Any) -> FlowShape:
    shaped = []
    for index, step in enumerate(raw_steps(steps)):
        value = step.get("value") or {}
        questions = []
        if step.get("type") == "question_page":
            for question in value.get("questions") or []:
                q = question.get("value") or {}
                questions.append(
                    Question(
                        name=q.get("name") or "",
                        kind=question.get("type") or "",
                        label=q.get("label") or "",
                        options=options_of(question.get("type") or "", q),
                        required=bool(q.get("required", True)),
                        staff_need=bool(q.get("staff_need", True)),
                        block_id=question.get("id") or "",
                    )
                )
        shaped.append(
            Step(
                index=index,
                kind=step.get("type") or "",
                name=value.get("name") or "",
                heading=value.get("heading") or "",
                questions=questions,
                condition=condition_of(value),
                block_id=step.get("id") or "",
                former_names=(value.get("former_names") or "").split(),
                raw=value,
            )
        )
    return FlowShape(shaped)


# keys and conditions in words


def make_key(label: str, taken: set[str], separator: str = "-") -> str:
    """A key for `label`, unique among `taken` (which it joins)."""
    base = slugify(label)[:KEY_LENGTH].strip("-_") or "option"
    if separator != "-":
        base = base.replace("-", separator)
    key, number = base, 2
    while key in taken:
        key = f"{base}{separator}{number}"
        number += 1
    taken.add(key)
    return key


def keys_for_words(question: Question, words: str) -> list[str]:
    """The keys of the options `words` names (an option's wording, or "yes"/"no" in any case,
    or the translated "Yes"/"No"): how conditions written as words become keys."""
    wanted = words.strip().casefold()
    if question.kind == "yes_no":
        wanted = {_("Yes").casefold(): "yes", _("No").casefold(): "no"}.get(wanted, wanted)
        wanted = {"true": "yes", "false": "no"}.get(wanted, wanted)
    return [o.key for o in question.options if wanted in (o.key.casefold(), o.label.casefold())]


def describe(condition: Condition, shape: FlowShape) -> str:
    """The condition in words, such as "If 'Which bins did we miss?' is 'Food caddy'"."""
    _step, question = shape.question(condition.question)
    if question is None:
        return _("If the answer to '%(name)s' (a question that is not in this flow)") % {
            "name": condition.question
        }
    labels = []
    for key in condition.options:
        option = question.option(key)
        labels.append(f"'{option.label}'" if option else _("(a removed option)"))
    words = _(" or ").join(labels) if labels else _("(no option chosen)")
    if question.many:
        template = (
            _("If '%(question)s' does not include %(options)s")
            if condition.negate
            else _("If '%(question)s' includes %(options)s")
        )
    else:
        template = (
            _("If '%(question)s' is not %(options)s")
            if condition.negate
            else _("If '%(question)s' is %(options)s")
        )
    return template % {"question": question.label or question.name, "options": words}


def labels_by_key(shapes: Iterable[FlowShape]) -> dict[str, dict[str, set[str]]]:
    """{answer name: {option key: its wordings}} in each of `shapes` (a flow in its language and
    in its source language): an answer given in either language maps to its option's key."""
    labels: dict[str, dict[str, set[str]]] = {}
    for shape in shapes:
        for _step, question in shape.questions():
            if question.kind == "yes_no":
                labels[question.name] = {key: {key} for key in YES_NO_KEYS}
                continue
            by_key = labels.setdefault(question.name, {})
            for option in question.options:
                by_key.setdefault(option.key, set()).add(option.label)
    return labels


def answer_keys(answer: Any, labels_by_key: dict[str, set[str]]) -> set[str]:
    """The keys of the options a stored answer chose. Answers are stored as the option's
    wording in the language the resident answered in (a yes or no answer as "yes" or "no",
    its keys); `labels_by_key` gives each key's wordings in every language the flow is
    published in."""
    if answer is None:
        return set()
    if isinstance(answer, bool):
        return {"yes" if answer else "no"}
    chosen = answer if isinstance(answer, list) else [answer]
    words = {str(a).strip().casefold() for a in chosen}
    return {
        key
        for key, labels in labels_by_key.items()
        if any(label.strip().casefold() in words for label in labels)
    }


def holds(condition: Condition, chosen: set[str]) -> bool:
    """Whether a step with `condition` is shown to a resident whose answer chose `chosen`."""
    return bool(chosen & set(condition.options)) != condition.negate


# what the site fills in for the editor


def fill_in(raw: list[dict[str, Any]], reserved: Iterable[str] = ()) -> list[dict[str, Any]]:
    """Stored steps with what an editor leaves empty made for them, in place: a key for each
    option (from its wording), an answer name for each question and a web address for each
    step (from its question or heading), each unique. What is already set is kept, so they
    never change once made."""
    step_names = {s["value"].get("name") for s in raw if s.get("value", {}).get("name")}
    step_names |= set(reserved)
    answer_names = {
        q["value"].get("name")
        for s in raw
        for q in s.get("value", {}).get("questions") or []
        if q.get("value", {}).get("name")
    }
    for step in raw:
        value = step.setdefault("value", {})
        for question in value.get("questions") or []:
            q = question.setdefault("value", {})
            if not q.get("name"):
                base = slugify(q.get("label") or "").replace("-", "_")
                if not base[:1].isalpha():  # an answer name starts with a letter
                    base = f"answer_{base}".rstrip("_")
                q["name"] = make_key(base, answer_names, separator="_")
            options = q.get("options")
            if options:
                keys = {str(o["key"]) for o in items(options) if o.get("key")}
                for option in items(options):
                    if not option.get("key"):
                        option["key"] = make_key(option.get("label") or "", keys)
        if not value.get("name"):
            value["name"] = make_key(shape_of([step]).steps[0].title, step_names)
    return raw


def conditions_from_words(raw: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Stored steps whose conditions name an option by its wording ({"answer": "Food caddy"},
    as flows kept them before options had keys, and as the demo's flow files still write
    them), with the wording replaced by the option's key, in place."""
    shape = shape_of(raw)
    for step in raw:
        condition = step.get("value", {}).get("show_if") or {}
        if "answer" not in condition:
            continue
        words = str(condition.pop("answer") or "")
        _step, question = shape.question(condition.get("question") or "")
        if not condition.get("options") and question is not None and words:
            condition["options"] = keys_for_words(question, words)
        condition.setdefault("options", [])
    return raw
