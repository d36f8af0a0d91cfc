"""Building flows in tests: a service page with a FlowPage made of the given steps."""

from __future__ import annotations

import copy
from typing import Any

from forms.flows.conditions import conditions_from_words, fill_in
from forms.flows.models import FlowPage
from services.models import ServicePage
from tests.factories import CategoryPageFactory, ServicePageFactory, make_site


def question(block_type: str, name: str, label: str = "", **value: Any) -> dict[str, Any]:
    """One question as StreamField data, such as question("email", "email", "Email address")."""
    return {
        "type": block_type,
        "value": {"name": name, "label": label or name.replace("_", " ").capitalize(), **value},
    }


def page(name: str, *questions: dict[str, Any], heading: str = "", show_if=None) -> dict:
    """One question page as StreamField data."""
    return {
        "type": "question_page",
        "value": {
            "name": name,
            "heading": heading,
            "questions": list(questions),
            "show_if": show_if or {"question": "", "options": [], "negate": False},
        },
    }


def end_point(name: str, heading: str, reason: str, show_if: dict[str, Any]) -> dict:
    return {
        "type": "end_point",
        "value": {
            "name": name,
            "heading": heading,
            "reason": f"<p>{reason}</p>",
            "show_if": show_if,
        },
    }


def make_flow(
    steps: list[dict[str, Any]],
    service: ServicePage | None = None,
    slug: str = "apply",
    **fields: Any,
) -> FlowPage:
    """A live FlowPage at /<category>/<service>/<slug>/ (a new site unless `service` is given)."""
    if service is None:
        home = make_site()
        category = CategoryPageFactory(parent=home, slug="bins", title="Bins")
        service = ServicePageFactory(parent=category, slug="bulky-waste", title="Bulky waste")
    # Options get their keys, and a condition written with an option's wording
    # ({"answer": "Food caddy"}) gets that option's key, as the demo's flow files do.
    steps = conditions_from_words(fill_in(copy.deepcopy(steps)))
    flow = FlowPage(
        title=fields.pop("title", "Book a collection"), slug=slug, steps=steps, **fields
    )
    service.add_child(instance=flow)
    flow.save_revision().publish()
    return flow


def assert_goes_to(test: Any, response: Any, url: str) -> None:
    """`response` redirects to `url` within the resident's journey: the journey's key that the
    runtime carries in its links (`?journey=...`) aside."""
    from urllib.parse import parse_qs, urlsplit

    test.assertEqual(response.status_code, 302, url)
    location, expected = urlsplit(response["Location"]), urlsplit(url)
    test.assertEqual(location.path, expected.path)
    query = parse_qs(location.query)
    query.pop("journey", None)
    test.assertEqual(query, parse_qs(expected.query))
