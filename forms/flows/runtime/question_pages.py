"""How FlowWizard draws a question page: its context (heading, error summary, back link), the
errors counted in the resident's journey, and the two ways a page is shown again without moving
on (too many answers from one address; a postcode looked up to choose an address from)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.forms.utils import ErrorDict
from django.http import HttpResponse

from core import ratelimits
from forms.flows import journeys
from forms.flows.constants import CHECK_ANSWERS_STEP
from forms.flows.questions import CHOOSE_ADDRESS_MESSAGES, StepForm
from forms.flows.questions.fields import QuestionMixin

if TYPE_CHECKING:
    # The checker's view only: at run time this mixin stands before formtools' view in
    # FlowWizard's bases.
    from formtools.wizard.views import NamedUrlSessionWizardView as _Wizard
else:
    _Wizard = object


class QuestionPageMixin(_Wizard):
    """A question page's (or an end point's) context and rendering, for FlowWizard."""

    def page_context(self) -> dict[str, Any]:
        return {"page": self.page, "service": self.page.service, "self": self.page}

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
        if self._extra().get("changing"):
            return self.get_step_url(CHECK_ANSWERS_STEP)
        previous = self.get_prev_step(step_name)
        return self.get_step_url(previous) if previous else self.page.service.get_url(self.request)

    def render(self, form: forms.Form | None = None, **kwargs: Any) -> HttpResponse:
        if self.request.method == "POST" and form is not None and form.is_bound:
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

    def render_address_choice(self) -> HttpResponse:
        """'Find address' posts the postcode: show the page again with the addresses to choose
        from, and no errors except on the postcode just looked up."""
        form = self.get_form(data=self.request.POST, files=self.request.FILES)
        form.full_clean()
        looked_up = self.request.POST.get("find_address", "")
        kept = {
            name: errors
            for name, errors in form.errors.items()
            if form.add_prefix(name) == looked_up and not _only_choose_address(errors)
        }
        form._errors = ErrorDict(kept)
        return self.render(form)


def _only_choose_address(errors: list[str]) -> bool:
    return all(str(e) in CHOOSE_ADDRESS_MESSAGES for e in errors)
