"""FlowPage: an online flow editors build under its service page."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from django.core.exceptions import ValidationError
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path, re_path
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Locale, Page, PanelPlaceholder

from core.methods import FORM
from core.richtext import RICH_TEXT_FEATURES
from forms.flows.blocks import StepsBlock
from forms.flows.checks import Problem, Report, check_flow
from forms.flows.conditions import fill_in, raw_steps, shape_of
from forms.flows.constants import RESERVED_STEP_NAMES
from forms.flows.fees import FeeRulesBlock, fee_problems, rules_fee
from forms.flows.fees import used_answer_names as fee_answer_names
from forms.flows.handlers import FeeCalculator, actions, fees, results
from forms.flows.models.form import FlowPageForm

T = TypeVar("T")

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

    from services.models import ServicePage


def new_flow_steps() -> list[dict[str, Any]]:
    """A new flow starts with one question page asking one short question: something to
    write, not the "minimum number of items" error an empty list of steps shows. As stored
    data, which the blocks fill with each field's default."""
    return [{"type": "question_page", "value": {}}]


def fee_choices() -> list[tuple[str, StrOrPromise]]:
    return [("", _("No fee")), *fees.get_choices()]


def result_choices() -> list[tuple[str, StrOrPromise]]:
    return [("", _("None: save a request")), *results.get_choices()]


def action_choices() -> list[tuple[str, StrOrPromise]]:
    return [("", _("None")), *actions.get_choices()]


class FlowPage(RoutablePageMixin, Page):
    """A service's online flow: question pages one at a time, check your answers, then a
    saved request with a reference (or, for a look-up, the answer straight away)."""

    # Which page a step's address is comes from the page cache's route cache (core.pagecache),
    # as a content page's does; the step itself is never cached, being the resident's own.
    route_cache = True

    steps = StreamField(StepsBlock(), default=new_flow_steps, verbose_name=_("steps"))
    fee_rules = StreamField(
        FeeRulesBlock(),
        blank=True,
        default=list,
        verbose_name=_("fees"),
        help_text=_(
            "What residents pay, worked out from their answers. Leave empty if the service is free."
        ),
    )
    fee_handler: models.CharField[str, str] = models.CharField(
        _("fee"),
        max_length=50,
        blank=True,
        choices=fee_choices,
        help_text=_("How the fee is worked out from the answers. Set up by a developer."),
    )
    result_handler: models.CharField[str, str] = models.CharField(
        _("look-up result"),
        max_length=50,
        blank=True,
        choices=result_choices,
        help_text=_("For a look-up such as 'find your bin day': show the answer, save nothing."),
    )
    after_submit_action: models.CharField[str, str] = models.CharField(
        _("after a request is sent"), max_length=50, blank=True, choices=action_choices
    )
    check_answers_statement: models.TextField[str, str] = models.TextField(
        _("statement on check your answers"),
        blank=True,
        help_text=_("Such as 'By sending this request you confirm the details are correct.'"),
    )
    what_happens_next = RichTextField(
        _("what happens next"),
        features=RICH_TEXT_FEATURES,
        blank=True,
        help_text=_("Shown on the confirmation page and in the confirmation email."),
    )
    retention_days: models.PositiveIntegerField[int, int] = models.PositiveIntegerField(
        _("keep requests for (days)"),
        default=365,
        help_text=_("Requests older than this are deleted, with their files."),
    )

    content_panels: ClassVar[list] = [
        *Page.content_panels,
        FieldPanel("steps"),
        # By its dotted path, as Page names its own panels: the map is an editor screen,
        # in a layer above the models.
        PanelPlaceholder("forms.flows.editor.flow_map.FlowMapPanel", [], {}),
        FieldPanel("fee_rules"),
        FieldPanel("check_answers_statement"),
        FieldPanel("what_happens_next"),
    ]
    settings_panels: ClassVar[list] = [
        MultiFieldPanel(
            [
                FieldPanel("fee_handler"),
                FieldPanel("result_handler"),
                FieldPanel("after_submit_action"),
            ],
            heading=_("Code for what editors cannot express"),
        ),
        FieldPanel("retention_days"),
        *Page.settings_panels,
    ]
    parent_page_types: ClassVar[list[str]] = ["services.ServicePage"]
    subpage_types: ClassVar[list[str]] = []
    max_count_per_parent = 1
    base_form_class = FlowPageForm
    # Its steps are forms: POST as well as GET (other page types are read-only: core/methods.py).
    allowed_http_methods = FORM

    class Meta:
        verbose_name = _("online flow")

    # editors' mistakes are caught when they save

    def clean(self) -> None:
        """Mistakes no flow can be saved with, even as a draft. The whole-flow checks
        (`run_checks`) stop a publish in the editor (FlowPageForm) and are shown on every save."""
        super().clean()
        self.fill_in_steps()
        errors: list[str] = []
        step_names: set[str] = set()
        answer_names: set[str] = set()
        for step in self.steps:
            name = step.value["name"]
            if name in RESERVED_STEP_NAMES:
                errors.append(
                    _("The page address '%(name)s' is kept for the site.") % {"name": name}
                )
            if name in step_names:
                errors.append(_("Two pages have the address '%(name)s'.") % {"name": name})
            step_names.add(name)
            for question in self.questions_in(step):
                if question.value["name"] in answer_names:
                    errors.append(
                        _("Two questions have the answer name '%(name)s'.")
                        % {"name": question.value["name"]}
                    )
                answer_names.add(question.value["name"])
        if errors:
            raise ValidationError({"steps": errors})

    def fill_in_steps(self) -> None:
        """Makes what an editor leaves empty (option keys, answer names, page addresses) and
        remembers a live page's old address when it changes, so a resident part-way through
        keeps going."""
        raw = raw_steps(self.steps)
        fill_in(raw, reserved=RESERVED_STEP_NAMES)
        live = self.live_steps_by_block()
        for step in raw:
            value = step["value"]
            was = live.get(step.get("id") or "")
            former = (value.get("former_names") or "").split()
            if was and was != value["name"] and was not in former:
                former.append(was)
            value["former_names"] = " ".join(n for n in former if n != value["name"])
        self.steps = raw

    def live_steps_by_block(self) -> dict[str, str]:
        """{block id: step address} as residents have them now (nothing for a new page)."""
        if not self.pk or not self.live:
            return {}
        live = (
            self.get_latest_revision_as_object()
            if self.live_revision is None
            else (self.live_revision.as_object())
        )
        return {s.block_id: s.name for s in shape_of(live.steps).steps if s.block_id}

    def run_checks(self) -> Report:
        """The whole flow's checks (forms.flows.checks) on its steps as they are now."""
        shape = shape_of(self.steps)
        report = check_flow(shape, page=self, used=self.answers_used())
        report.problems += [
            Problem(level, message, field="fee_rules")
            for level, message in fee_problems(shape, self.fee_rules)
        ]
        return report

    def answers_used(self) -> set[str]:
        """The answers the fee, look-ups and messages read, besides conditions."""
        used = {"email", "phone", "full_name"}
        used |= fee_answer_names(self.fee_rules)
        return used

    # the runtime

    @property
    def has_fee(self) -> bool:
        return bool(self.fee_rules) or bool(self.fee_handler)

    def fee_calculator(self) -> FeeCalculator | None:
        """What works out the fee: the editor's fee rules, or else a developer's handler."""
        if self.fee_rules:
            return rules_fee(self)
        return fees.get(self.fee_handler) if self.fee_handler else None

    @staticmethod
    def questions_in(step: Any) -> list[Any]:
        return list(step.value["questions"]) if step.block_type == "question_page" else []

    def iter_questions(self) -> Iterator[tuple[Any, Any]]:
        """(step, question) pairs, in the order residents meet them."""
        for step in self.steps:
            for question in self.questions_in(step):
                yield step, question

    @cached_property
    def service(self) -> ServicePage:
        return self.get_parent().specific

    def remembered(self, request: HttpRequest | None, name: str, make: Callable[[], T]) -> T:
        """`make()`, once per process and page-cache generation for this page as the route
        cache gave it to the request (core.pagecache); made afresh for any other copy of the
        page, such as the editor's preview of unsaved edits."""
        from core.pagecache import remembered, request_host, routed_page

        if request is None or routed_page(request) is not self:
            return make()
        return remembered(request, (name, self.pk, request_host(request)), make)

    def prepare_for_route_cache(self) -> None:
        """Before the page cache keeps this page as the route to its steps: what every step
        asks of it, kept with it (an editor's change to either starts a new generation)."""
        _ = self.service, self.source_flow

    @cached_property
    def source_flow(self) -> FlowPage:
        """This flow in the site's main language. Requests, journeys and reports count a
        translation as the same flow: a team's inbox and figures cover every language, and a
        resident who switches language half-way keeps their answers."""
        default = Locale.get_default()
        if self.locale_id == default.pk:
            return self
        source = FlowPage.objects.filter(translation_key=self.translation_key, locale=default)
        return source.first() or self

    def in_language(self, language: str) -> FlowPage:
        """This flow as published in `language` (a request's), or this one if it is not."""
        try:
            locale = Locale.objects.get_for_language(language)
        except Locale.DoesNotExist:
            return self
        if locale.pk == self.locale_id:
            return self
        return self.get_translations().live().filter(locale=locale).specific().first() or self

    def serve_preview(self, request: HttpRequest, mode_name: str) -> HttpResponse:
        # Wagtail's preview panel: a walk through the edits on screen, every branch, sending
        # nothing (forms.flows.editor.preview).
        from forms.flows.editor.preview import serve_flow_preview

        return serve_flow_preview(self, request, mode_name)

    @re_path(r"^$")
    def start(self, request: HttpRequest) -> HttpResponse:
        return self.serve_step(request, step=None)

    @path("<slug:step>/")
    def step(self, request: HttpRequest, step: str) -> HttpResponse:
        renamed = self.remembered(request, "renamed_steps", self.renamed_steps)
        if renamed:
            self.keep_answers_of_renamed_steps(request, renamed)
        if step in renamed:
            query = request.META.get("QUERY_STRING", "")
            return redirect(f"{self.url}{renamed[step]}/" + (f"?{query}" if query else ""))
        return self.serve_step(request, step=step)

    def renamed_steps(self) -> dict[str, str]:
        """{an address a step had when it was live: the address it has now}."""
        return {
            former: step.value["name"]
            for step in self.steps
            for former in (step.value.get("former_names") or "").split()
        }

    def keep_answers_of_renamed_steps(self, request: HttpRequest, renamed: dict[str, str]) -> None:
        """A resident part-way through when a page's address changed keeps that page's
        answers: formtools keeps them in the session under the old address."""
        prefix = f"wizard_flow-{self.source_flow.pk}"
        for key in [k for k in request.session.keys() if k.startswith(prefix)]:  # noqa: SIM118
            data = request.session[key]
            step_data = data.get("step_data") if isinstance(data, dict) else None
            if not step_data or not set(step_data) & set(renamed):
                continue
            for old, new in renamed.items():
                if old in step_data and new not in step_data:
                    step_data[new] = step_data.pop(old)
                    step_data[new] = {
                        k.replace(f"{old}-", f"{new}-", 1): v for k, v in step_data[new].items()
                    }
            if data.get("step") in renamed:
                data["step"] = renamed[data["step"]]
            request.session.modified = True

    def serve_step(self, request: HttpRequest, step: str | None) -> HttpResponse:
        # A page serves itself (Wagtail's pattern): the runtime reads FlowPage, so it is
        # imported here, when the page is served, not when the model is defined.
        from forms.flows.runtime import serve_flow

        return serve_flow(self, request, step=step)
