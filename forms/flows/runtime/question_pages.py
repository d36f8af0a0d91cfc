"""How FlowWizard draws a question page: its context (heading, error summary, back link), the
errors counted in the resident's journey, and the two ways a page is shown again without moving
on (too many answers from one address; a postcode looked up to choose an address from)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.forms.utils import ErrorDict
from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _

from core import ratelimits
from forms.flows import journeys
from forms.flows.constants import CHECK_ANSWERS_STEP
from forms.flows.questions import CHOOSE_ADDRESS_MESSAGES, StepForm
from forms.flows.questions.fields import QuestionMixin

from .pages import START_AGAIN_STEP

if TYPE_CHECKING:
    # The checker's view only: at run time this mixin stands before formtools' view in
    # FlowWizard's bases.
    from formtools.wizard.views import NamedUrlSessionWizardView as _Wizard
else:
    _Wizard = object


# What a journey's next page says once, when another tab or window changed things under it.
NOTICES = {
    "changed": _(
        "You changed an earlier answer in another tab or window, so we did not save the answer "
        "you just gave. This is the question to answer now."
    ),
    "not_saved": _(
        "The page you were on was for answers you have since deleted or that have ended, so we "
        "did not save the answer you just gave. These are your latest answers."
    ),
    "ended": _(
        "The page you opened was for answers you have since deleted or that have ended. These "
        "are your latest answers."
    ),
}


class QuestionPageMixin(_Wizard):
    """A question page's (or an end point's) context and rendering, for FlowWizard."""

    def page_context(self) -> dict[str, Any]:
        """What every page of a journey shows: the flow, "Start again", the journey's key for
        its forms, and a plain word once when something happened in another tab."""
        notice = self._extra().get("notice") if self.journey else None
        if notice:
            self._extra(notice=None)
        return {
            "page": self.page,
            "service": self.page.service,
            "self": self.page,
            "journey": self.journey or "",
            "start_again_url": self.get_step_url(START_AGAIN_STEP),
            "notice": NOTICES.get(notice or ""),
        }

    def get_context_data(self, form: StepForm, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(form=form, **kwargs)
        step_name = self.steps.current
        step = self.flow_steps.steps[step_name]
        fields = list(form)  # none on an end point
        if len(fields) == 1 and not step.value.get("heading"):
            field = fields[0].field
            if isinstance(field, QuestionMixin):  # (every question's field is)
                field.is_page_heading = True
        context.update(self.page_context())
        context.update(
            {
                "step": step,
                "is_end_point": self.flow_steps.is_end_point(step_name),
                "heading": step.value.get("heading") or "",
                "errors": [
                    {"anchor": anchor, "message": message}
                    for anchor, message in form.error_summary()
                ],
                "back_url": self.back_url(step_name),
                "has_files": self.flow_steps.has_files(step_name),
                "finds_addresses": self.flow_steps.finds_addresses(step_name),
                "action_url": self.get_step_url(step_name),
            }
        )
        return context

    def back_url(self, step_name: str) -> str:
        if self.flow_steps.is_end_point(step_name):
            # To the question whose answer led here, never to check your answers (which would
            # send the resident here again). In "changing" mode, Continue from that question
            # still returns to check your answers.
            deciding = self.deciding_step(step_name)
            if deciding:
                return self.get_step_url(deciding)
        elif self._extra().get("changing"):
            return self.get_step_url(CHECK_ANSWERS_STEP)
        previous = self.get_prev_step(step_name)
        if previous:
            return self.get_step_url(previous)
        return self.page.remembered(
            self.request, "service_url", lambda: self.page.service.get_url(self.request)
        )

    def deciding_step(self, end_point: str) -> str | None:
        """The question page (on the resident's path) whose answer shows `end_point`."""
        condition = self.flow_steps.steps[end_point].value.get("show_if") or {}
        step = self.flow_steps.question_step.get(condition.get("question") or "")
        if step and step in self.get_form_list():
            return step
        previous = self.get_prev_step(end_point)
        return previous if previous and not self.flow_steps.is_end_point(previous) else None

    def render(self, form: forms.Form | None = None, **kwargs: Any) -> HttpResponse:
        if self.request.method == "POST" and form is not None and form.is_bound:
            # Counted once, as the answer is sent; the page itself is shown by the GET the
            # resident is redirected to (Post/Redirect/Get).
            for field, errors in form.errors.as_data().items():
                for error in errors:
                    journeys.event(
                        self.request,
                        self.page,
                        "step_failed",
                        self.steps.current,
                        field=field,
                        error=error.code or "invalid",
                    )
            return self.show_once(form)
        return super().render(form, **kwargs)

    def render_rate_limited(self, step: str) -> HttpResponse:
        """Too many answers from this address: the same page again with what the resident
        typed (not checked, not saved) and one message, "wait a minute, then Continue" (429)."""
        form = self.get_form(step=step, data=self.request.POST, files=self.request.FILES)
        form.cleaned_data = {}
        form._errors = ErrorDict()
        form.add_error(None, ratelimits.TOO_MANY_ANSWERS)
        # Straight to the template: a wait is not a wrong answer, so no "step_failed" is counted.
        response = self.render_to_response(self.get_context_data(form=form))
        return ratelimits.too_many_requests(response)

    def render_address_choice(self, looked_up: str) -> HttpResponse:
        """'Find address' (or Enter in the postcode box) posts the postcode of the address
        question named `looked_up`: show the page again with the addresses to choose from, and
        no errors except on the postcode just looked up."""
        form = self.get_form(data=self.request.POST, files=self.request.FILES)
        form.full_clean()
        kept = {
            name: errors
            for name, errors in form.errors.items()
            if form.add_prefix(name) == looked_up and not _only_choose_address(errors)
        }
        form._errors = ErrorDict(kept)
        return self.render(form)


def _only_choose_address(errors: list[str]) -> bool:
    return all(str(e) in CHOOSE_ADDRESS_MESSAGES for e in errors)
