"""Check your answers and sending: FlowWizard's part after the last question page.

Every answer is validated again before the check page is shown and again before the request is
saved. The check page carries a token that becomes the submission's idempotency key, so a
request is saved once whatever the clicks (a double click, a refresh, back-then-send)."""

from __future__ import annotations

import logging
import uuid
from collections import OrderedDict
from typing import TYPE_CHECKING, Any

from django.core.files.uploadedfile import UploadedFile
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse

from forms.flows import journeys
from forms.flows.checkout import get_checkout
from forms.flows.constants import CHECK_ANSWERS_STEP
from forms.flows.handlers import results
from forms.flows.models import Submission
from forms.flows.questions import StepForm, answer_for_display
from forms.flows.signals import flow_finished

from .pages import (
    confirmation_redirect,
    done_session_key,
    may_change_answers,
    remember_sent_journey,
    sent_journey,
)
from .submit import save_submission

if TYPE_CHECKING:
    # The checker's view only: at run time this mixin stands before formtools' view in
    # FlowWizard's bases.
    from formtools.wizard.views import NamedUrlSessionWizardView as _Wizard
else:
    _Wizard = object


logger = logging.getLogger(__name__)


class FeeUnavailable(Exception):  # noqa: N818 - reads as what the resident is told
    """The fee cannot be worked out from these answers; nothing is sent or charged."""


class CheckAnswersMixin(_Wizard):
    """The check-your-answers page (or a look-up's result, for a flow with a result handler),
    then saving the request and sending the resident on to pay or to the confirmation."""

    def validated_forms(self) -> OrderedDict[str, StepForm] | HttpResponse:
        """Every active step's form, validated again; or a redirect to where the resident must
        go first (an end point they reached, or the first step not answered yet)."""
        final: OrderedDict[str, StepForm] = OrderedDict()
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

    def render_done(self, form: StepForm, **kwargs: Any) -> HttpResponse:
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
                **self.priced(answers),
                "token": token,
                "replaces": self._extra().get("replaces") or "",
                "back_url": self.get_step_url(self.steps.last),
            },
        )

    def reopened(self, step: str) -> bool:
        """Whether this GET reopens the sent journey's answers to change them and send them
        again (the link `change_answers_url` gives, while the request waits for payment)."""
        reference = self.request.GET.get("reopen")
        if step != CHECK_ANSWERS_STEP or not reference or reference != self.sent_reference:
            return False
        submission = Submission.objects.filter(
            reference=reference, flow=self.page.source_flow
        ).first()
        if submission is None or not may_change_answers(submission):
            return False
        if sent_journey(self.request, submission) != self.journey:
            return False
        # Sent again with a new token: the old request is closed as the new one is saved.
        self._extra(sent=None, token=None, replaces=reference)
        return True

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

    def priced(self, answers: list[dict[str, Any]]) -> dict[str, Any]:
        """The fee for check your answers, or, if these answers cannot be priced (fee rules
        an editor left unfinished, a quantity above a rule's maximum), that it cannot be:
        the page says so and offers no button to send, rather than failing."""
        try:
            return {"fee": self.fee_for(answers), "fee_unavailable": False}
        except FeeUnavailable:
            return {"fee": None, "fee_unavailable": True}

    def fee_for(self, answers: list[dict[str, Any]]) -> Any:
        handler = self.page.fee_calculator()
        if handler is None:
            return None
        try:
            return handler.calculate({a["name"]: a["value"] for a in answers})
        except ValueError as error:
            logger.warning("Flow %s: no fee for these answers: %s", self.page.pk, error)
            raise FeeUnavailable from error

    def collect_answers(self, final: OrderedDict[str, StepForm]) -> list[dict[str, Any]]:
        """Each answer with its question as asked, in the order asked."""
        answers = []
        for step, form in final.items():
            stored = form.stored_answers()
            for question in self.page.questions_in(self.flow_steps.steps[step]):
                name = question.value["name"]
                answers.append(
                    {
                        "name": name,
                        "type": question.block_type,
                        "label": question.value["label"],
                        "value": stored[name],
                        "display": str(answer_for_display(question, stored[name])),
                        "step": step,
                        "change_url": self.step_url(step, change="1"),
                    }
                )
        return answers

    # sending

    def submit(self) -> HttpResponse:
        try:
            token = uuid.UUID(self.request.POST.get("token", ""))
        except ValueError:
            return redirect(self.get_step_url(CHECK_ANSWERS_STEP))
        already = Submission.objects.filter(idempotency_key=token).first()
        if already is not None:  # a double click, a refresh, or back-then-send
            return self.after_sending(already)
        if self.sent_reference:  # an older check page of a journey that has sent its request
            return redirect(self.get_step_url(CHECK_ANSWERS_STEP))
        if not self.started or self._extra().get("token") != str(token):
            return self.stale() or self.expired()
        final = self.validated_forms()
        if isinstance(final, HttpResponse):
            return final
        answers = self.collect_answers(final)
        try:
            fee = self.fee_for(answers)
        except FeeUnavailable:  # check your answers says why
            return redirect(self.get_step_url(CHECK_ANSWERS_STEP))
        files: dict[str, UploadedFile] = {}
        for form in final.values():
            files.update(form.uploaded_files())
        submission = save_submission(
            self.page,
            self.request,
            token,
            answers,
            files,
            fee,
            replaces=self._extra().get("replaces") or "",
        )
        flow_finished.send_robust(
            type(self.page), page=self.page, request=self.request, submission=submission
        )
        journeys.event(self.request, self.page, "submitted", CHECK_ANSWERS_STEP)
        # The answers stay (Back shows "You have already sent this"; a request waiting for
        # payment may be changed and sent again) until the journey is forgotten.
        self._extra(sent=submission.reference, replaces=None, changing=False)
        remember_sent_journey(self.request, self.page, submission, self.journey)
        return self.after_sending(submission)

    def after_sending(self, submission: Submission) -> HttpResponse:
        """Free requests go to the confirmation; paid ones to the payment page (the same
        checkout again after a double click), then back to the confirmation once paid."""
        if submission.fee_pence:
            self.request.session[done_session_key(self.page)] = submission.reference
            return get_checkout().start(submission, self.request)
        return confirmation_redirect(self.request, submission, self.page)
