"""Loads the demo flows (site/demo/flows/<service-slug>.toml) and the demo address list.

It follows the rules of `demo.loader.DemoLoader`: a missing flow is created under its
service page and published; a flow that exists is left as editors left it, unless `reset` is
asked for, when it is saved (as a new published revision) only where it differs from its file.
Either way, a second run changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from demo.addresses import load_addresses
from demo.flow_content import flow_files, page_fields, read_flow
from demo.loading import LoadReport, indexing_once_at_the_end, without_ids


def comparable_steps(steps: Any) -> list[dict[str, Any]]:
    """A flow's steps as plain data in the form Wagtail stores them, minus the block ids, so a
    file's steps and a saved page's steps compare equal when they say the same thing."""
    from forms.flows.models import FlowPage

    block = FlowPage._meta.get_field("steps").stream_block
    raw = list(steps.raw_data) if hasattr(steps, "raw_data") else list(steps)
    try:
        value = block.clean(block.to_python(raw))
    except ValidationError:  # an editor's draft that no longer validates: compare it as saved
        return without_ids(raw)
    return without_ids(block.get_prep_value(value))


def with_outcomes(steps: list[dict[str, Any]], flow: dict[str, Any]) -> list[dict[str, Any]]:
    """The steps with each end point's `outcome` from its file ("success" when the resident has
    their answer there; anything else, or nothing, is "not_success"), so the reports count only
    the end points that are a success as completed."""
    outcomes = {
        step["name"]: step.get("outcome", "not_success")
        for step in flow.get("step", [])
        if step.get("type") == "end_point"
    }
    for step in steps:
        if step["type"] == "end_point":
            outcome = outcomes.get(step["value"]["name"], "not_success")
            step["value"]["outcome"] = "success" if outcome == "success" else "not_success"
    return steps


class FlowLoader:
    """Creates or brings up to date one FlowPage per flow file, under its service page."""

    def __init__(
        self, report: LoadReport, reset: bool = False, log: Callable[[str], None] | None = None
    ) -> None:
        self.report = report
        self.reset = reset
        self.log = log or (lambda message: None)

    def load(self) -> None:
        from wagtail.models import Locale

        from services.models import ServicePage

        # Translations of a service page share its slug; flows are loaded in the main language.
        services = ServicePage.objects.filter(locale=Locale.get_default())
        for service_slug, path in flow_files().items():
            service = services.filter(slug=service_slug).first()
            if service is None:
                self.log(f"  {path.name}: no service page '{service_slug}', flow skipped")
                continue
            flow = read_flow(path)
            fields = page_fields(flow)
            fields["steps"] = with_outcomes(fields["steps"], flow)
            self.sync(service, flow.get("slug", "start"), fields)

    def sync(self, service: Any, slug: str, fields: dict[str, Any]) -> None:
        from forms.flows.models import FlowPage

        page = FlowPage.objects.child_of(service).first()
        if page is None:
            page = service.add_child(instance=FlowPage(slug=slug, **fields))
            page.save_revision(log_action=False).publish(log_action=False)
            self.report.created.append(page.url_path)
            self.log(f"  {page.url_path}: created")
            return
        if not self.reset:
            return
        wanted = {"slug": slug, **fields}
        changed = []
        for name, value in wanted.items():
            current = getattr(page, name)
            if name == "steps":
                same = comparable_steps(current) == comparable_steps(value)
            else:
                same = current == value
            if not same:
                setattr(page, name, value)
                changed.append(name)
        if changed or page.latest_revision_id is None:
            page.save_revision(log_action=False).publish(log_action=False)
            self.report.updated.append(page.url_path)
            self.log(f"  {page.url_path}: {', '.join(changed) or 'first revision'}")


@transaction.atomic
def load_demo_flows(
    report: LoadReport, reset: bool = False, log: Callable[[str], None] | None = None
) -> None:
    """Load the demo flows under their service pages, and the demo address list."""
    loader = FlowLoader(report, reset=reset, log=log)
    with indexing_once_at_the_end():
        loader.load()
    added = load_addresses()
    if added:
        report.created.append(f"{added} demo addresses")
        loader.log(f"  {added} demo addresses added")
