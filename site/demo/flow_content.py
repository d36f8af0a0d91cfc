"""The demo flows' definitions (site/demo/flows/<service-slug>.toml) as FlowPage fields."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError

from demo.loading import rich_text
from forms.flows.conditions import conditions_from_words, fill_in

FLOWS_DIR = Path(__file__).resolve().parent / "flows"
NO_CONDITION = {"question": "", "options": [], "negate": False}
RICH_TEXT_QUESTION_SETTINGS: set[str] = set()


def read_flow(path: Path) -> dict[str, Any]:
    with path.open("rb") as f:
        return tomllib.load(f)


def flow_files() -> dict[str, Path]:
    """{service slug: its flow file}."""
    return {path.stem: path for path in sorted(FLOWS_DIR.glob("*.toml"))}


def steps_data(flow: dict[str, Any]) -> list[dict[str, Any]]:
    """The flow's [[step]] tables as StreamField data for FlowPage.steps."""
    stream = []
    for step in flow["step"]:
        kind = step["type"]
        condition = {**NO_CONDITION, **step.get("show_if", {})}
        if kind == "question_page":
            questions = [
                {"type": q["type"], "value": {k: v for k, v in q.items() if k != "type"}}
                for q in step["questions"]
            ]
            value = {
                "name": step["name"],
                "heading": step.get("heading", ""),
                "intro": rich_text(step.get("intro", "")),
                "questions": questions,
                "show_if": condition,
            }
        elif kind == "end_point":
            value = {
                "name": step["name"],
                "heading": step["heading"],
                "reason": rich_text(step["reason"]),
                "show_if": condition,
            }
        else:
            raise ValueError(f"Unknown step type {kind!r}")
        stream.append({"type": kind, "value": value})
    # The files name a condition's options by their wording, as an editor reads them; the
    # page keeps each option's key, made from its wording, and conditions by key.
    return conditions_from_words(fill_in(stream))


def page_fields(flow: dict[str, Any]) -> dict[str, Any]:
    """FlowPage field values for a flow file.

    Each [[fee_rule]] table is one fee rule: its `type` (fixed, per_unit, by_option or
    concession) and the fields its block has (forms/flows/fees/blocks.py), amounts in pounds.
    Rules with the same `applies_from` (a TOML date; none: always) make one price list."""
    import uuid

    from forms.flows.models import FlowPage

    def block(kind: str, value: dict[str, Any]) -> dict[str, Any]:
        # Ids made from the file, not at random: the file loaded again compares equal to the
        # page it made, so a reload changes nothing.
        number = len(ids)
        ids.append(f"{flow['title']} {number}")
        return {"type": kind, "value": value, "id": str(uuid.uuid5(uuid.NAMESPACE_URL, ids[-1]))}

    ids: list[str] = []
    price_lists: dict[str, list[dict[str, Any]]] = {}
    for rule in flow.get("fee_rule", []):
        value = {k: v for k, v in rule.items() if k not in ("type", "applies_from")}
        applies_from = rule.get("applies_from")
        start = applies_from.isoformat() if applies_from else ""
        price_lists.setdefault(start, []).append(block(rule["type"], value))
    fee_rules = [
        block("price_list", {"applies_from": start or None, "rules": rules})
        for start, rules in price_lists.items()
    ]
    stream_block = FlowPage._meta.get_field("fee_rules").stream_block
    return {
        "title": flow["title"],
        "steps": steps_data(flow),
        "fee_rules": stream_block.to_python(fee_rules),
        "fee_handler": flow.get("fee", ""),
        "result_handler": flow.get("result", ""),
        "after_submit_action": flow.get("action", ""),
        "retention_days": flow.get("retention_days", 365),
        "check_answers_statement": flow.get("check_answers_statement", ""),
        "what_happens_next": rich_text(flow.get("what_happens_next", "")),
    }


def validate_flow_file(path: Path) -> list[str]:
    """Problems an editor saving this flow in the admin would be told about ([] when none)."""
    from forms.flows.models import FlowPage

    problems: list[str] = []
    try:
        flow = read_flow(path)
        fields = page_fields(flow)
    except (KeyError, ValueError, tomllib.TOMLDecodeError) as error:
        return [f"{path.name}: {error!r}"]
    page = FlowPage(slug=flow.get("slug", "start"), **fields)
    block = FlowPage._meta.get_field("steps").stream_block
    try:
        block.clean(page.steps)
    except ValidationError as error:
        problems.append(
            f"{path.name}: steps: {error.messages} {getattr(error, 'block_errors', '')}"
        )
    try:
        page.clean()
    except ValidationError as error:
        problems.append(f"{path.name}: {error.messages}")
    else:
        shape = page.run_checks()
        problems += [f"{path.name}: {p.step}: {p.message}" for p in shape.errors]
    for name in ("fee_handler", "result_handler", "after_submit_action"):
        value = fields[name]
        choices = dict(FlowPage._meta.get_field(name).choices)
        if value and value not in choices:
            problems.append(f"{path.name}: {name} {value!r} is not a registered handler")
    return problems
