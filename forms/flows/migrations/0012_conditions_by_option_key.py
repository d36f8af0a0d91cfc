"""Conditions name options by key, not wording.

Every option gets a key made from its wording; a translated flow takes its source's keys, option
by option, so both languages' branches agree. A condition's wording becomes the keys of the
options it named: in the page's own language first, as the runtime compared it before, else
(a translator worded the option and the condition differently, which broke the branch in that
language) the keys its source page's same step chose. Pages, their revisions and
wagtail-localize's copies of the source are all converted, so publishing an older draft or
updating a translation brings back no condition by wording. The logic is copied here, not
imported, so this migration means the same thing whatever the app's code becomes.
"""

from __future__ import annotations

import json
from typing import Any

from django.db import migrations
from django.utils.text import slugify

YES = {"yes", "true", "tak", "ie", "نعم"}
NO = {"no", "false", "nie", "na", "naddo", "لا"}


def items(raw: Any) -> list[dict[str, Any]]:
    values = []
    for item in raw or []:
        if isinstance(item, dict) and item.get("type") == "item" and "value" in item:
            values.append(item["value"])
        else:
            values.append(item)
    return values


def make_key(label: str, taken: set[str]) -> str:
    base = slugify(label)[:40].strip("-_") or "option"
    key, number = base, 2
    while key in taken:
        key = f"{base}-{number}"
        number += 1
    taken.add(key)
    return key


def questions(steps: list[dict[str, Any]]) -> dict[str, tuple[str, dict[str, Any]]]:
    found = {}
    for step in steps:
        for question in (step.get("value") or {}).get("questions") or []:
            value = question.get("value") or {}
            found[value.get("name") or ""] = (question.get("type") or "", value)
    return found


def convert(steps: list[dict[str, Any]], source: list[dict[str, Any]] | None) -> bool:
    """Converts `steps` in place (given its source language's converted steps, for a
    translation); whether anything changed."""
    changed = False
    source_questions = questions(source) if source else {}
    source_conditions = {
        (s.get("value") or {}).get("name"): (s.get("value") or {}).get("show_if") or {}
        for s in source or []
    }
    for name, (_kind, value) in questions(steps).items():
        options = items(value.get("options"))
        theirs = items(source_questions.get(name, ("", {}))[1].get("options"))
        taken = {o.get("key") for o in options if o.get("key")}
        for index, option in enumerate(options):
            if option.get("key"):
                continue
            if index < len(theirs) and theirs[index].get("key"):
                option["key"] = theirs[index]["key"]
                taken.add(option["key"])
            else:
                option["key"] = make_key(option.get("label") or "", taken)
            changed = True
    asked = questions(steps)
    for step in steps:
        value = step.get("value") or {}
        condition = value.get("show_if")
        if not isinstance(condition, dict) or "answer" not in condition:
            continue
        words = str(condition.pop("answer") or "").strip().casefold()
        kind, question = asked.get(condition.get("question") or "", ("", {}))
        keys: list[str] = []
        if words and kind == "yes_no":
            keys = ["yes"] if words in YES else ["no"] if words in NO else []
        elif words and kind in ("quantity", "whole_number"):
            # A number's options are its numbers, each its own key.
            keys = [words] if words.lstrip("-").isdigit() else []
        elif words:
            keys = [
                o["key"]
                for o in items(question.get("options"))
                if str(o.get("label") or "").strip().casefold() == words
            ]
        if not keys and words:
            keys = list(source_conditions.get(value.get("name"), {}).get("options") or [])
        condition["options"] = keys
        changed = True
    return changed


def load(raw: Any) -> tuple[list[dict[str, Any]] | None, bool]:
    """Stored steps as a list, and whether they were a JSON string."""
    if isinstance(raw, str):
        try:
            return json.loads(raw), True
        except ValueError:
            return None, True
    return (raw if isinstance(raw, list) else None), False


def forwards(apps: Any, schema_editor: Any) -> None:
    FlowPage = apps.get_model("flows", "FlowPage")
    Revision = apps.get_model("wagtailcore", "Revision")
    ContentType = apps.get_model("contenttypes", "ContentType")
    flow_type = ContentType.objects.filter(app_label="flows", model="flowpage").first()
    if flow_type is None:
        return
    # Source-language pages first: their translations take their keys.
    pages = sorted(FlowPage.objects.all(), key=lambda p: p.locale_id != min_locale(p))
    converted: dict[Any, list[dict[str, Any]]] = {}
    for page in pages:
        # The stored JSON as it is: reading it through the blocks would drop the old wording.
        steps = json.loads(json.dumps(list(page.steps.raw_data)))
        source = converted.get(page.translation_key)
        if convert(steps, source):
            page.steps = steps
            page.save(update_fields=["steps"])
        converted.setdefault(page.translation_key, steps)
        for revision in Revision.objects.filter(content_type=flow_type, object_id=str(page.pk)):
            content = revision.content or {}
            raw, was_text = load(content.get("steps"))
            if raw is not None and convert(raw, source or steps):
                content["steps"] = json.dumps(raw) if was_text else raw
                revision.content = content
                revision.save(update_fields=["content"])
    convert_translation_sources(apps, flow_type, converted)


def min_locale(page: Any) -> Any:
    # The site's main language is the lowest locale id among a flow's translations: the demo
    # and `make run` create English first. A page with no translations is its own source.
    return (
        page.__class__.objects.filter(translation_key=page.translation_key)
        .order_by("locale_id")
        .values_list("locale_id", flat=True)
        .first()
    )


def convert_translation_sources(apps: Any, flow_type: Any, converted: dict) -> None:
    try:
        TranslationSource = apps.get_model("wagtail_localize", "TranslationSource")
    except LookupError:
        return
    for source in TranslationSource.objects.filter(specific_content_type=flow_type):
        try:
            content = json.loads(source.content_json)
        except ValueError:
            continue
        raw, was_text = load(content.get("steps"))
        if raw is not None and convert(raw, converted.get(source.object_id)):
            content["steps"] = json.dumps(raw) if was_text else raw
            source.content_json = json.dumps(content)
            source.save(update_fields=["content_json"])


class Migration(migrations.Migration):
    dependencies = [
        ("flows", "0011_option_keys_and_fee_rules"),
        ("wagtailcore", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    run_before: list = []

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
