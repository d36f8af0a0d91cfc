"""The flow runtime: one question page per URL on django-formtools, then check your answers.

GOV.UK's question-page pattern: a back link, an error summary, answers kept after an error, a
check-your-answers page whose Change links come back to it, and a confirmation page with the
reference. A request is saved once, whatever the clicks: the check page carries a token that
becomes the submission's idempotency key.
"""

from __future__ import annotations

import uuid
from collections import OrderedDict
from typing import Any

from django import forms
from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.forms.utils import ErrorDict
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.functional import cached_property
from formtools.wizard.forms import ManagementForm
from formtools.wizard.views import NamedUrlSessionWizardView

from core import ratelimits
from forms.flows import journeys
from forms.flows.checkout import get_checkout
from forms.flows.constants import CHECK_ANSWERS_STEP
from forms.flows.handlers import fees, results
from forms.flows.models import FlowPage, Submission
from forms.flows.questions import answer_for_display, answer_for_storage, error_anchor
from forms.flows.signals import flow_finished

from .steps import FlowSteps
from .submit import save_submission


def start_again(request: HttpRequest, page: Any) -> HttpResponse:
    """The "You need to start again" page: the session ended, or the link is from another."""
    return TemplateResponse(
        request,
        "flows/session_expired.html",
        {
            "page": page,
            "service": page.service,
            "start_url": f"{page.get_url(request)}?reset=1",
        },
    )


def done_session_key(page: FlowPage) -> str:
    return f"flow-{page.source_flow.pk}-done"


def confirmation_redirect(
    request: HttpRequest, submission: Submission, page: FlowPage | None = None
) -> HttpResponseRedirect:
    """To the confirmation page of `submission`, which only this session may then see: in
    `page`'s language, or else in the language the request was sent in."""
    flow = page or submission.flow.in_language(submission.language)
    request.session[done_session_key(flow)] = submission.reference
    return redirect(f"{flow.get_url(request)}confirmation/")


class FlowWizard(NamedUrlSessionWizardView):
    """Serves one FlowPage. Made per request by `serve_flow`, with the page's form list."""

    page: Any = None
    flow_steps: FlowSteps | None = None
    template_name = "flows/step.html"

    @cached_property
    def file_storage(self) -> FileSystemStorage:
        # Files of a flow in progress wait here, out of the web folder, until it is sent.
        return FileSystemStorage(location=str(settings.PRIVATE_MEDIA_ROOT / "in-progress"))

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

    def get_form_initial(self, step: str) -> dict[str, Any]:
        # A browser cannot fill a file box again: a file already sent for this page stays the
        # answer unless a new one is chosen (after an error elsewhere, or from a Change link).
        initial = dict(super().get_form_initial(step))
        prefix = self.get_form_prefix(step)
        for key, stored in (self.storage.get_step_files(step) or {}).items():
            initial[key.removeprefix(f"{prefix}-")] = stored
        return initial

    def process_step(self, form: forms.Form) -> dict[str, Any]:
        journeys.event(self.request, self.page, "step_completed", self.steps.current)
        return super().process_step(form)

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

    def process_step_files(self, form: forms.Form) -> dict[str, Any]:
        kept = dict(self.storage.get_step_files(self.steps.current) or {})
        for key in form.files:  # a MultiValueDict: dict.update() would copy its lists
            kept[key] = form.files[key]
        return kept

    def render_next_step(self, form: forms.Form, **kwargs: Any) -> HttpResponse:
        if self._extra().get("changing"):
            return redirect(self.get_step_url(CHECK_ANSWERS_STEP))
        return super().render_next_step(form, **kwargs)

    # check your answers

    def validated_forms(self) -> OrderedDict[str, forms.Form] | HttpResponse:
        """Every active step's form, validated again; or a redirect to where the resident must
        go first (an end point they reached, or the first step not answered yet)."""
        final: OrderedDict[str, forms.Form] = OrderedDict()
        for step in self.get_form_list():
            if self.flow_steps.is_end_point(step):
                self.storage.current_step = step
                return redirect(self.get_step_url(step))
            form = self.get_form(
                step=step,
                data=self.storage.get_step_data(step),
                files=self.storage.get_step_files(step),
            )
            if not form.is_valid():
                return self.render_revalidation_failure(step, form)
            final[step] = form
        return final

    def render_done(self, form: forms.Form, **kwargs: Any) -> HttpResponse:
        if kwargs.get("step") != CHECK_ANSWERS_STEP:
            return redirect(self.get_step_url(CHECK_ANSWERS_STEP))
        final = self.validated_forms()
        if isinstance(final, HttpResponse):
            return final
        self._extra(changing=False)
        answers = self.collect_answers(final)
        if self.page.result_handler:
            return self.render_result(answers)
        token = self._extra().get("token") or str(uuid.uuid4())
        self._extra(token=token)
        journeys.event(self.request, self.page, "check_viewed", CHECK_ANSWERS_STEP)
        return TemplateResponse(
            self.request,
            "flows/check_answers.html",
            {
                **self.page_context(),
                "answers": answers,
                "fee": self.fee_for(answers),
                "token": token,
                "back_url": self.get_step_url(self.steps.last),
            },
        )

    def render_result(self, answers: list[dict[str, Any]]) -> HttpResponse:
        handler = results.get(self.page.result_handler)
        values = {a["name"]: a["value"] for a in answers}
        # A look-up ends here: the resident has their answer (counted as completed).
        journeys.event(self.request, self.page, "end_point", CHECK_ANSWERS_STEP)
        return TemplateResponse(
            self.request,
            "flows/result.html",
            {
                **self.page_context(),
                "result": handler.show(values) if handler else None,
                "again_url": f"{self.page_url}?reset=1",
                "back_url": self.get_step_url(self.steps.last),
            },
        )

    def fee_for(self, answers: list[dict[str, Any]]) -> Any:
        handler = fees.get(self.page.fee_handler)
        if handler is None:
            return None
        return handler.calculate({a["name"]: a["value"] for a in answers})

    def collect_answers(self, final: OrderedDict[str, forms.Form]) -> list[dict[str, Any]]:
        """Each answer with its question as asked, in the order asked."""
        answers = []
        for step, form in final.items():
            for question in self.page.questions_in(self.flow_steps.steps[step]):
                name = question.value["name"]
                stored = answer_for_storage(question, form.cleaned_data.get(name))
                answers.append(
                    {
                        "name": name,
                        "label": question.value["label"],
                        "value": stored,
                        "display": str(answer_for_display(question, stored)),
                        "step": step,
                        "change_url": f"{self.get_step_url(step)}?change=1",
                    }
                )
        return answers

    def stored_answer(self, question_name: str, cleaned: dict[str, Any]) -> Any:
        question = self.flow_steps.questions[question_name]
        return answer_for_storage(question, cleaned.get(question_name))

    # sending

    def submit(self) -> HttpResponse:
        try:
            token = uuid.UUID(self.request.POST.get("token", ""))
        except ValueError:
            return redirect(self.get_step_url(CHECK_ANSWERS_STEP))
        already = Submission.objects.filter(idempotency_key=token).first()
        if already is not None:  # a double click, a refresh, or back-then-send
            return self.after_sending(already)
        if not self.started or self._extra().get("token") != str(token):
            return self.expired()
        final = self.validated_forms()
        if isinstance(final, HttpResponse):
            return final
        answers = self.collect_answers(final)
        files = {
            name: form.cleaned_data.get(name)
            for step, form in final.items()
            for name in form.cleaned_data
            if self.flow_steps.questions.get(name) is not None
            and self.flow_steps.questions[name].block_type == "file_upload"
            and form.cleaned_data.get(name)
        }
        submission = save_submission(
            self.page, self.request, token, answers, files, self.fee_for(answers)
        )
        flow_finished.send_robust(
            type(self.page), page=self.page, request=self.request, submission=submission
        )
        journeys.event(self.request, self.page, "submitted", CHECK_ANSWERS_STEP)
        self.storage.reset()
        return self.after_sending(submission)

    def after_sending(self, submission: Any) -> HttpResponse:
        """Free requests go to the confirmation; paid ones to the payment page (the same
        checkout again after a double click), then back to the confirmation once paid."""
        if submission.fee_pence:
            self.request.session[done_session_key(self.page)] = submission.reference
            return get_checkout().start(submission, self.request)
        return confirmation_redirect(self.request, submission, self.page)

    # rendering

    def page_context(self) -> dict[str, Any]:
        return {"page": self.page, "service": self.page.service, "self": self.page}

    def get_context_data(self, form: forms.Form, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(form=form, **kwargs)
        step_name = self.steps.current
        step = self.flow_steps.steps[step_name]
        fields = list(form) if not self.flow_steps.is_end_point(step_name) else []
        if len(fields) == 1 and not step.value.get("heading"):
            fields[0].field.is_page_heading = True
        context.update(self.page_context())
        context.update(
            {
                "step": step,
                "is_end_point": self.flow_steps.is_end_point(step_name),
                "heading": step.value.get("heading") or "",
                "errors": [
                    {"anchor": error_anchor(field), "message": message}
                    for field in fields
                    for message in field.errors
                ]
                + [{"anchor": "", "message": message} for message in form.non_field_errors()],
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


def _only_choose_address(errors: list[str]) -> bool:
    from forms.flows.questions import CHOOSE_ADDRESS_MESSAGES

    return all(str(e) in CHOOSE_ADDRESS_MESSAGES for e in errors)
