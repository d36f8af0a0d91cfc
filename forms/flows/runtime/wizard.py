"""The flow runtime: one question page per URL on django-formtools, then check your answers.

GOV.UK's question-page pattern: a back link, an error summary, answers kept after an error, a
check-your-answers page whose Change links come back to it, and a confirmation page with the
reference. A request is saved once, whatever the clicks: the check page carries a token that
becomes the submission's idempotency key.

FlowWizard moves the resident from page to page and keeps their answers; how a page is drawn is
in `question_pages`, and checking the answers and sending them in `check_answers`.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from django import forms
from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.functional import cached_property
from formtools.wizard.forms import ManagementForm
from formtools.wizard.views import NamedUrlSessionWizardView

from core import ratelimits
from forms.flows import journeys
from forms.flows.constants import CHECK_ANSWERS_STEP
from forms.flows.models import FlowPage
from forms.flows.questions import StepForm

from .check_answers import CheckAnswersMixin
from .pages import start_again
from .question_pages import QuestionPageMixin
from .steps import FlowSteps


class InProgressStorage(FileSystemStorage):
    """Where formtools keeps a flow's uploads until it is sent, each under a random name the
    site makes: the resident's own name (which formtools keeps in the session, as text) never
    becomes a file name on our disk, whatever it holds."""

    def get_available_name(self, name: str, max_length: int | None = None) -> str:
        return uuid.uuid4().hex


class FlowWizard(QuestionPageMixin, CheckAnswersMixin, NamedUrlSessionWizardView):
    """Serves one FlowPage. Made per request by `serve_flow`, with the page's form list."""

    # Given by serve_flow: as_view() takes only names the class already has.
    if TYPE_CHECKING:
        page: FlowPage
        flow_steps: FlowSteps
    else:
        page = None
        flow_steps = None
    template_name = "flows/step.html"

    @cached_property
    def file_storage(self) -> FileSystemStorage:
        # Files of a flow in progress wait here, out of the web folder, until it is sent.
        return InProgressStorage(location=str(settings.PRIVATE_MEDIA_ROOT / "in-progress"))

    # formtools hooks

    def get_prefix(self, request: HttpRequest, *args: Any, **kwargs: Any) -> str:
        return f"flow-{self.page.source_flow.pk}"

    def get_step_url(self, step: str) -> str:
        return f"{self.page_url}{step}/"

    @cached_property
    def page_url(self) -> str:
        return self.page.get_url(self.request)

    # state kept beside the answers

    def _extra(self, **changes: Any) -> dict[str, Any]:
        data = dict(self.storage.extra_data or {})
        if changes:
            data.update(changes)
            self.storage.extra_data = data
        return data

    @property
    def started(self) -> bool:
        return bool(self._extra().get("started"))

    def expired(self) -> HttpResponse:
        return start_again(self.request, self.page)

    def answered_form(self, step: str) -> StepForm | None:
        """The step's form with the answers kept for it, if they are (still) valid; else None.
        The page conditions ask about the same page again and again while formtools works out
        the form list, so a valid form is kept until answers change (as formtools keeps its
        cleaned data)."""
        if step not in self.valid_forms:
            form = self.get_form(
                step=step,
                data=self.storage.get_step_data(step),
                files=self.storage.get_step_files(step),
            )
            if not form.is_valid():
                return None
            self.valid_forms[step] = form
        return self.valid_forms[step]

    @cached_property
    def valid_forms(self) -> dict[str, StepForm]:
        """The forms `answered_form` found valid since the answers last changed, by step."""
        return {}

    # GET

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        step = kwargs.get("step")
        if step is None:
            if "reset" in request.GET or not self.started:
                self.storage.reset()
                self.storage.current_step = self.steps.first
                self._extra(started=True)
                journeys.begin(request, self.page)
            return redirect(self.get_step_url(self.steps.current))
        if not self.started:
            if step != self.steps.first:
                return self.expired()
            self._extra(started=True)
            journeys.begin(request, self.page)
        if request.GET.get("change"):
            self._extra(changing=True)
            journeys.event(request, self.page, "change", step)
        response = super().get(request, *args, **kwargs)
        self.track_view(step, response)
        return response

    def track_view(self, step: str, response: HttpResponse) -> None:
        """A question page, check your answers or an end point shown (not a redirect); "back"
        when it comes before the page the resident saw last."""
        if response.status_code != 200 or step not in self.get_form_list():
            return
        if self.flow_steps.is_end_point(step):
            journeys.event(self.request, self.page, "end_point", step)
            return
        order = list(self.get_form_list())
        last = journeys.last_step(self.request, self.page)
        went_back = last == CHECK_ANSWERS_STEP or (
            last in order and order.index(step) < order.index(last)
        )
        if went_back and not self.request.GET.get("change"):
            journeys.event(self.request, self.page, "back", step)
        journeys.event(self.request, self.page, "step_viewed", step)

    # POST

    def post(self, *args: Any, **kwargs: Any) -> HttpResponse:
        step = kwargs.get("step")
        if step == CHECK_ANSWERS_STEP:
            return self.submit()
        if not self.started:
            return self.expired()
        form_list = self.get_form_list()
        management = ManagementForm(self.request.POST, prefix=self.prefix)
        if (
            step not in form_list
            or not management.is_valid()
            or management.cleaned_data["current_step"] != step
        ):
            # A stale page (another tab, a changed answer elsewhere) or a tampered form.
            return redirect(self.get_step_url(self.steps.current))
        self.storage.current_step = step
        if self.flow_steps.is_end_point(step):
            return self.render(self.get_form(step=step))
        if ratelimits.over_limit(self.request, "flows.step"):
            return self.render_rate_limited(step)
        if "find_address" in self.request.POST:
            return self.render_address_choice()
        return super().post(*args, **kwargs)

    def get_form_initial(self, step: str) -> dict[str, Any]:
        # A browser cannot fill a file box again: a file already sent for this page stays the
        # answer unless a new one is chosen (after an error elsewhere, or from a Change link).
        initial = dict(super().get_form_initial(step))
        prefix = self.get_form_prefix(step)
        for key, stored in (self.storage.get_step_files(step) or {}).items():
            initial[key.removeprefix(f"{prefix}-")] = stored
        return initial

    def process_step(self, form: forms.Form) -> dict[str, Any]:
        # This page's answers are about to be kept in place of the old ones: the pages shown
        # after it are worked out again from them (formtools drops its own caches likewise).
        self.valid_forms.clear()
        journeys.event(self.request, self.page, "step_completed", self.steps.current)
        return super().process_step(form)

    def process_step_files(self, form: forms.Form) -> dict[str, Any]:
        kept = dict(self.storage.get_step_files(self.steps.current) or {})
        for key in form.files:  # a MultiValueDict: dict.update() would copy its lists
            kept[key] = form.files[key]
        return kept

    def render_next_step(self, form: forms.Form, **kwargs: Any) -> HttpResponse:
        if self._extra().get("changing"):
            return redirect(self.get_step_url(CHECK_ANSWERS_STEP))
        return super().render_next_step(form, **kwargs)
