"""The map of a flow: every step in order, its branches and end points, each condition in words,
the steps nobody can reach and the checks' problems, and where the flow ends.

Editors see it three ways: on its own admin page (`/admin/flows/<page_id>/map/`, the latest
draft, with the checks' problems above it), as a read-only panel in the page editor
(`FlowMapPanel`) and through a "Flow map" item in the editor's header menu. Each step links to
its block in the page editor; flow_map.js opens a collapsed block for that link.

The map reads the flow only through `shape_of` and the checks saving runs (`run_checks`), so it
shows what the checks and the runtime see, and never walks the flow itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.templatetags.static import static
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.generic import TemplateView
from wagtail import hooks
from wagtail.admin.panels import Panel
from wagtail.admin.ui.menus.pages import PageMenuItem
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.views.pages.utils import get_breadcrumbs_items_for_page
from wagtail.models import Page

import core.converters  # noqa: F401 - registers <id:...>
from forms.flows.blocks import EndPointBlock
from forms.flows.checks import ERROR, WARNING, Problem, Report
from forms.flows.conditions import FlowShape, Step, describe, shape_of
from forms.flows.models import FlowPage
from forms.flows.questions.blocks import QuestionsBlock

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User

FLOW_MAP = gettext_lazy("Flow map")
# The StreamField the steps are in: the first part of a block's content path in the editor.
STEPS_FIELD = "steps"


# the map as data


@dataclass
class MapQuestion:
    label: str
    kind: str  # the question type's name in the editor, such as "Yes or no"


@dataclass
class MapStep:
    """One step as the map shows it."""

    index: int
    number: int
    kind: str  # "question_page" or "end_point"
    kind_label: str
    title: str
    name: str
    condition: str  # the condition in words, or "" when everyone who gets here sees it
    questions: list[MapQuestion]
    outcome: str  # an end point's outcome in words
    reachable: bool
    after_stop: bool  # an end point everyone reaches comes before it
    problems: list[Problem]
    url: str  # opens the step in the page editor; "" for a step not saved yet

    @property
    def is_end_point(self) -> bool:
        return self.kind == "end_point"

    @property
    def is_branch(self) -> bool:
        return bool(self.condition)

    @property
    def stops_everyone(self) -> bool:
        return self.is_end_point and not self.condition

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.level == ERROR]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.level == WARNING]

    @property
    def only_question(self) -> MapQuestion | None:
        """The page's one question when it is also its title, so the map names it once."""
        if len(self.questions) == 1 and self.questions[0].label == self.title:
            return self.questions[0]
        return None


@dataclass
class FlowMap:
    steps: list[MapStep]
    ending: str  # "Check your answers, then send", or "Result shown" for a look-up
    ending_reachable: bool
    flow_problems: list[Problem] = field(default_factory=list)  # those of no one step

    @property
    def problems(self) -> list[Problem]:
        return [*self.flow_problems, *(p for s in self.steps for p in s.problems)]

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.level == ERROR]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.level == WARNING]

    def steps_with_problems(self) -> list[MapStep]:
        return [s for s in self.steps if s.problems]


@cache
def question_kinds() -> dict[str, Any]:
    """Each question type's name as the editor's "add question" menu shows it."""
    return {name: block.meta.label for name, block in QuestionsBlock().child_blocks.items()}


@cache
def outcomes() -> dict[str, Any]:
    return dict(EndPointBlock.base_blocks["outcome"].field.choices)


def block_link(block_id: str, edit_url: str = "") -> str:
    """A link to a step's block in the page editor: Wagtail's own `#:w:contentpath=` address
    (its usage report links to a block the same way), which the editor scrolls to when it
    loads. With no `edit_url` it is the address alone, for links inside the editor."""
    if not block_id:
        return ""
    return f"{edit_url}#:w:contentpath={STEPS_FIELD}.{block_id}"


def outcome_of(step: Step) -> str:
    if not step.is_end_point:
        return ""
    return str(outcomes().get(step.raw.get("outcome") or EndPointBlock.NOT_SUCCESS, ""))


def map_step(
    step: Step, shape: FlowShape, report: Report, after_stop: bool, edit_url: str
) -> MapStep:
    kinds = question_kinds()
    return MapStep(
        index=step.index,
        number=step.index + 1,
        kind=step.kind,
        kind_label=_("End point") if step.is_end_point else _("Question page"),
        title=step.title,
        name=step.name,
        condition=describe(step.condition, shape) if step.condition else "",
        questions=[
            MapQuestion(q.label or q.name, str(kinds.get(q.kind, q.kind))) for q in step.questions
        ],
        outcome=outcome_of(step),
        reachable=step.index in report.reachable,
        after_stop=after_stop,
        problems=report.for_step(step.index),
        url=block_link(step.block_id, edit_url),
    )


def build_map(
    shape: FlowShape, report: Report, *, look_up: bool = False, edit_url: str = ""
) -> FlowMap:
    """The map of `shape` with the checks' `report`. `look_up` for a flow that shows a result
    instead of sending a request; `edit_url` is the page editor's address ("" inside it)."""
    steps, stopped = [], False
    for step in shape.steps:
        steps.append(map_step(step, shape, report, stopped, edit_url))
        stopped = stopped or (step.is_end_point and step.condition is None)
    return FlowMap(
        steps=steps,
        ending=_("Result shown") if look_up else _("Check your answers, then send"),
        ending_reachable=report.sendable and not stopped,
        flow_problems=[p for p in report.problems if p.step is None],
    )


def map_of(page: FlowPage, *, edit_url: str = "") -> FlowMap:
    """The map of `page` as it is, with the checks saving it runs (`FlowPage.run_checks`)."""
    return build_map(
        shape_of(page.steps),
        page.run_checks(),
        look_up=bool(page.result_handler),
        edit_url=edit_url,
    )


# the diagram: the spine of steps everyone sees, branches off to the side


ROW = 60  # height of one step
TOP = 30  # the first step's centre
SPINE = 24  # x of the steps everyone sees
BRANCH = 64  # x of the steps only some see
LABEL = 96  # x of every label, so they read as a list
WIDTH = 760
# What fits from LABEL to WIDTH: a title is larger and bold, the note under it smaller.
TITLE_CHARACTERS = 62
NOTE_CHARACTERS = 86


def short(text: str, characters: int = TITLE_CHARACTERS) -> str:
    return Truncator(text).chars(characters)


def node_note(step: MapStep) -> str:
    """The second line under a step in the diagram: its marks first (a long condition is cut
    short), then its condition."""
    parts = []
    if not step.reachable:
        parts.append(_("Nobody can reach this"))
    if step.errors:
        count = len(step.errors)
        parts.append(ngettext("%(count)d error", "%(count)d errors", count) % {"count": count})
    if step.warnings:
        count = len(step.warnings)
        parts.append(ngettext("%(count)d warning", "%(count)d warnings", count) % {"count": count})
    if step.condition:
        parts.append(step.condition)
    elif step.is_end_point:
        parts.append(_("Stops the flow for everyone who gets here"))
    return " · ".join(parts)


def diagram(flow_map: FlowMap) -> dict[str, Any]:
    """The flow's shape as SVG geometry: sizes are SVG attributes, colours come from classes in
    flow_map.css (the admin's policy forbids style attributes)."""
    rows, spine = [], []
    half = ROW // 2 - 6
    for position, step in enumerate(flow_map.steps):
        y = TOP + position * ROW
        x = BRANCH if step.is_branch else SPINE
        branch_path = ""
        if step.is_branch:
            # Out from the spine to the step; a question page joins it again, an end point does not.
            branch_path = f"M {SPINE} {y - half} Q {BRANCH} {y - half} {BRANCH} {y}"
            if not step.is_end_point:
                branch_path += f" Q {BRANCH} {y + half} {SPINE} {y + half}"
        classes = ["flow-map__node", f"flow-map__node--{step.kind.replace('_', '-')}"]
        if not step.reachable:
            classes.append("is-unreachable")
        if step.errors:
            classes.append("has-error")
        elif step.warnings:
            classes.append("has-warning")
        rows.append(
            {
                "step": step,
                "x": x,
                "y": y,
                "square": step.is_end_point,
                "branch_path": branch_path,
                "classes": " ".join(classes),
                "title": short(f"{step.number}. {step.title}"),
                "note": short(node_note(step), NOTE_CHARACTERS),
            }
        )
    end_y = TOP + len(flow_map.steps) * ROW
    stopped = False
    for position, step in enumerate(flow_map.steps):
        stopped = stopped or step.stops_everyone
        y = TOP + position * ROW
        spine.append({"y1": y, "y2": y + ROW, "dead": stopped})
    return {
        "width": WIDTH,
        "height": end_y + TOP,
        "spine_x": SPINE,
        "label_x": LABEL,
        "rows": rows,
        "spine": spine,
        "end": {
            "y": end_y,
            "title": short(flow_map.ending),
            "classes": "flow-map__node flow-map__node--end"
            + ("" if flow_map.ending_reachable else " is-unreachable"),
        },
    }


def map_context(flow_map: FlowMap) -> dict[str, Any]:
    return {"flow_map": flow_map, "diagram": diagram(flow_map)}


# who may see it


def can_edit(page: Page, user: User | AnonymousUser) -> bool:
    return page.permissions_for_user(user).can_edit()


def is_flow(page: Page) -> bool:
    return issubclass(page.specific_class or Page, FlowPage)


# the admin page


class FlowMapView(WagtailAdminTemplateMixin, TemplateView):
    """The map of a flow's latest draft, with the checks' problems grouped by step above it,
    for anyone who may edit the flow."""

    template_name = "flows/editor/flow_map_page.html"
    page_title = FLOW_MAP
    header_icon = "site"

    def setup(self, request: HttpRequest, *args: Any, **kwargs: Any) -> None:
        super().setup(request, *args, **kwargs)
        page = Page.objects.filter(pk=kwargs["page_id"]).first()
        if page is None or not is_flow(page):
            raise Http404
        self.page = page.specific

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if not can_edit(self.page, request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_header_title(self) -> str:
        return _("Flow map: %(flow)s") % {"flow": self.page.get_admin_display_title()}

    def get_breadcrumbs_items(self) -> list[dict[str, Any]]:
        return [
            *get_breadcrumbs_items_for_page(self.page, self.request.user),
            {"url": "", "label": self.page_title},
        ]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        edit_url = reverse("wagtailadmin_pages:edit", args=[self.page.pk])
        # The draft an editor is working on, which may not be published yet.
        draft = self.page.get_latest_revision_as_object()
        context.update(
            map_context(map_of(draft, edit_url=edit_url)),
            edit_url=edit_url,
            unpublished=self.page.has_unpublished_changes or not self.page.live,
        )
        return context


@hooks.register("register_admin_urls")
def register_flow_map_url() -> list[Any]:
    return [path("flows/<id:page_id>/map/", FlowMapView.as_view(), name="flow_map")]


class FlowMapMenuItem(PageMenuItem):
    """The "Flow map" item in a flow's header menu (the editor's and the explorer's), for a
    user who may edit the flow."""

    url_name = "flow_map"
    label = FLOW_MAP
    icon_name = "site"
    priority = 12  # first, after Edit (10)

    def is_shown(self, user: User | AnonymousUser) -> bool:
        return is_flow(self.page) and can_edit(self.page, user)


@hooks.register("register_page_header_buttons")
def flow_map_header_button(
    page: Page, user: Any, view_name: str, next_url: str | None = None
) -> list[Any]:
    return [FlowMapMenuItem(page=page)]


@hooks.register("insert_editor_js")
def flow_map_editor_js() -> str:
    # In every editor, not only with the panel: the map page links into the editor too.
    return format_html('<script src="{}" defer></script>', static("flows/editor/flow_map.js"))


# the panel in the page editor


class FlowMapPanel(Panel):
    """The map of the flow being edited, read-only, for FlowPage's content panels. Its links
    are addresses within the editor, so following one never leaves unsaved changes."""

    def __init__(self, heading: Any = "", **kwargs: Any) -> None:
        super().__init__(heading=heading or FLOW_MAP, **kwargs)

    class BoundPanel(Panel.BoundPanel):
        template_name = "flows/editor/flow_map_panel.html"

        class Media:
            css = {"all": ["flows/editor/flow_map.css"]}

        def get_context_data(self, parent_context: Any = None) -> dict[str, Any]:
            context = super().get_context_data(parent_context)
            page = self.instance
            # A flow not saved yet has no blocks to link to, nor a map page.
            if page is None or not page.pk:
                return context
            context.update(map_context(map_of(page)))
            context["map_url"] = reverse("flow_map", args=[page.pk])
            return context
