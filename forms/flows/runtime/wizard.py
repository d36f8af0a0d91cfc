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
from contextlib import AbstractContextManager, nullcontext
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.files.storage import FileSystemStorage
from django.forms.utils import ErrorDict
from django.http import HttpRequest, HttpResponse, QueryDict
from django.http.response import HttpResponseBase
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import translation
from django.utils.functional import cached_property
from django.views.generic import View
from formtools.wizard.forms import ManagementForm
from formtools.wizard.storage import get_storage
from formtools.wizard.storage.base import BaseStorage
from formtools.wizard.views import NamedUrlSessionWizardView, StepsHelper

from core import ratelimits
from forms.flows import journeys
from forms.flows.constants import CHECK_ANSWERS_STEP
from forms.flows.models import FlowPage
from forms.flows.questions import StepForm
from forms.flows.questions.addresses import address_to_look_up

from .check_answers import CheckAnswersMixin
from .pages import (
    CONFIRMATION_STEP,
    EXPIRED_STEP,
    START_AGAIN_STEP,
    already_sent,
    confirmation,
    expired_redirect,
    flow_url,
    start_again,
)
from .question_pages import QuestionPageMixin
from .steps import FlowSteps


class InProgressStorage(FileSystemStorage):
    """Where formtools keeps a flow's uploads until it is sent, each under a random name the
    site makes: the resident's own name (which formtools keeps in the session, as text) never
    becomes a file name on our disk, whatever it holds."""

    def get_available_name(self, name: str, max_length: int | None = None) -> str:
        return uuid.uuid4().hex


# The page a POST led to without moving on (Post/Redirect/Get): what the resident sent and its
# errors, or the addresses found for a postcode, kept in the journey's extra data. Every GET of
# that step shows it (Reload, Back then Forward) until the next POST or a GET of another step.
SHOWN = "shown"


class FlowWizard(QuestionPageMixin, CheckAnswersMixin, NamedUrlSessionWizardView):
    """Serves one FlowPage. Made per request by `serve_flow`, with the page's form list.

    Every POST answers with a redirect to a GET (Post/Redirect/Get), so Back, Forward and
    Reload always show a page with the resident's answers and never send anything again. Each
    journey (one a tab) keeps its own answers, under the key its links and forms carry."""

    # Given by serve_flow: as_view() takes only names the class already has.
    if TYPE_CHECKING:
        page: FlowPage
        flow_steps: FlowSteps
    else:
        page = None
        flow_steps = None
    template_name = "flows/step.html"
    journey: str | None = None

    @classmethod
    def page_around(
        cls, page: FlowPage, request: HttpRequest, step: str | None
    ) -> HttpResponse | None:
        """The pages served without a journey's answers: the confirmation, and "You need to
        start again" (where a POST that cannot go on is redirected). None for the others."""
        if step == CONFIRMATION_STEP:
            return confirmation(page, request)
        if step == EXPIRED_STEP:
            return start_again(request, page)
        return None

    @cached_property
    def file_storage(self) -> FileSystemStorage:
        # Files of a flow in progress wait here, out of the web folder, until it is sent.
        return InProgressStorage(location=str(settings.PRIVATE_MEDIA_ROOT / "in-progress"))

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        # formtools' own dispatch, but with the answers of the journey this request is about.
        self.prefix = self.get_prefix(request, *args, **kwargs)
        self.use_journey(journeys.key(request, self.page))
        return View.dispatch(self, request, *args, **kwargs)

    # journeys: one set of answers each

    def storage_for(self, key: str | None) -> BaseStorage:
        prefix = f"{self.prefix}-{key}" if key else self.prefix
        return get_storage(self.storage_name, prefix, self.request, self.file_storage)

    def use_journey(self, key: str | None) -> None:
        self.journey = key
        self.storage = self.storage_for(key)
        self.steps = StepsHelper(self)
        # formtools' caches of the form list belong to the answers they were worked out from
        for name in ("_resolved_form_list", "_cache_signature"):
            self.__dict__.pop(name, None)
        self.valid_forms.clear()

    def forget_answers(self, key: str) -> None:
        storage = self.storage_for(key)
        storage.reset()  # (deletes the journey's uploads waiting to be sent)
        self.request.session.pop(storage.prefix, None)

    def begin_journey(self) -> None:
        """A new journey with no answers; the oldest are forgotten to keep the session small."""
        new, dropped = journeys.begin(self.request, self.page)
        for old in dropped:
            self.forget_answers(old)
        # (formtools made an empty store for "no journey" on the way here: not kept)
        self.request.session.pop(f"wizard_{self.prefix}", None)
        self.use_journey(new)
        self.storage.reset()
        self.storage.current_step = self.steps.first
        self._extra(started=True)

    def has_answers(self) -> bool:
        return bool(self.storage.data.get(self.storage.step_data_key))

    # formtools hooks

    def get_prefix(self, request: HttpRequest, *args: Any, **kwargs: Any) -> str:
        return f"flow-{self.page.source_flow.pk}"

    def get_step_url(self, step: str) -> str:
        return self.step_url(step)

    def step_url(self, step: str, **params: str) -> str:
        """The URL of one of this flow's pages, in this journey."""
        query = {journeys.PARAMETER: self.journey} if self.journey else {}
        query.update(params)
        return f"{self.page_url}{step}/" + (f"?{urlencode(query)}" if query else "")

    @cached_property
    def page_url(self) -> str:
        return flow_url(self.request, self.page)

    # state kept beside the answers

    def _extra(self, **changes: Any) -> dict[str, Any]:
        data = dict(self.storage.extra_data or {})
        if changes:
            data.update(changes)
            self.storage.extra_data = data
        return data

    @property
    def started(self) -> bool:
        return self.journey is not None and bool(self._extra().get("started"))

    @property
    def sent_reference(self) -> str:
        return str(self._extra().get("sent") or "")

    def expired(self) -> HttpResponse:
        return expired_redirect(self.request, self.page)

    def notify(self, notice: str) -> None:
        """A plain word for the next page shown in this journey (see QuestionPageMixin)."""
        self._extra(notice=notice)

    def stale(self) -> HttpResponse | None:
        """A page of a journey this session no longer has (started again, or forgotten to make
        room) while another goes on: say so, and show where the resident is in the latest."""
        asked = journeys.requested_key(self.request)
        if not asked or journeys.known(self.request, self.page, asked) or not self.started:
            return None
        self.notify("not_saved" if self.request.method == "POST" else "ended")
        if self.sent_reference:
            return redirect(self.get_step_url(CHECK_ANSWERS_STEP))
        return redirect(self.get_step_url(self.steps.current))

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
        if step == START_AGAIN_STEP:
            return self.start_again_page()
        stale = self.stale()
        if stale is not None:
            return stale
        if step is None:
            return self.start_page()
        if not self.started:
            if step != self.steps.first:
                return start_again(request, self.page)
            self.begin_journey()
            return redirect(self.get_step_url(step))
        if self.sent_reference and not self.reopened(step):
            return already_sent(request, self.page, self.sent_reference, self.journey)
        if request.GET.get("change"):
            self._extra(changing=True)
            journeys.event(request, self.page, "change", step)
        form = self.shown_form(step)
        if form is not None:
            # The page the resident's POST led to: already counted (its errors) then.
            return self.render(form)
        response = super().get(request, *args, **kwargs)
        self.track_view(step, response)
        return response

    def start_page(self) -> HttpResponse:
        """The flow's own address ("Start now"): a new journey, unless one is going on, when
        the resident chooses to go on with it or start again (nothing is wiped unasked)."""
        if (
            "reset" in self.request.GET
            or not self.started
            or self.sent_reference
            or not self.flow_steps.steps
        ):
            self.begin_journey()
            return redirect(self.get_step_url(self.steps.first))
        if journeys.requested_key(self.request) or not self.has_answers():
            return redirect(self.get_step_url(self.steps.current))
        return TemplateResponse(
            self.request,
            "flows/already_started.html",
            {
                **self.page_context(),
                "continue_url": self.get_step_url(self.steps.current),
                "back_url": self.page.service.get_url(self.request),
            },
        )

    def start_again_page(self) -> HttpResponse:
        """ "Are you sure you want to start again?": the button posts (see start_again_now)."""
        if not self.started:
            return start_again(self.request, self.page)
        where = CHECK_ANSWERS_STEP if self.sent_reference else self.steps.current
        return TemplateResponse(
            self.request,
            "flows/start_again.html",
            {
                **self.page_context(),
                "back_url": self.get_step_url(where),
                "action_url": self.get_step_url(START_AGAIN_STEP),
            },
        )

    def start_again_now(self) -> HttpResponse:
        """Delete this journey's answers (only this flow's, only this journey's) and begin
        another."""
        if self.journey is not None:
            self.forget_answers(self.journey)
            journeys.forget(self.request, self.page, self.journey)
        self.begin_journey()
        return redirect(self.get_step_url(self.steps.first))

    def shown_form(self, step: str) -> StepForm | None:
        """The form a POST left for this step (what was typed, and its errors): kept while the
        resident reloads it or comes back to it, forgotten once another page is shown."""
        shown = self._extra().get(SHOWN)
        if not shown:
            return None
        if shown.get("step") != step or step not in self.get_form_list():
            self._extra(**{SHOWN: None})
            return None
        self.storage.current_step = step
        data = QueryDict(mutable=True)
        for key, values in (shown.get("data") or {}).items():
            data.setlist(key, values)
        # No files: a file kept for this step is shown from the form's initial value, not
        # checked (and virus-scanned) again on every reload.
        form = self.get_form(step=step, data=data, files=None)
        form.full_clean()
        # The errors as they were found then (a file chosen then is not sent again now).
        form._errors = ErrorDict(
            {
                name: form.error_class(
                    [ValidationError(e["message"], code=e.get("code") or None) for e in errors],
                    error_class="nonfield" if name == NON_FIELD_ERRORS else None,
                    renderer=form.renderer,
                )
                for name, errors in (shown.get("errors") or {}).items()
            }
        )
        return form

    def show_once(self, form: forms.Form) -> HttpResponse:
        """After a POST that does not move on: keep what was sent and its errors for the next
        GET of this step, and redirect there."""
        step = self.steps.current
        data = {
            key: self.request.POST.getlist(key)
            for key in self.request.POST
            if key not in ("csrfmiddlewaretoken", journeys.PARAMETER)
        }
        self._extra(**{SHOWN: {"step": step, "data": data, "errors": form.errors.get_json_data()}})
        return redirect(self.get_step_url(step))

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
        if step == START_AGAIN_STEP:
            return self.start_again_now()
        if step == CHECK_ANSWERS_STEP:
            return self.submit()
        stale = self.stale()
        if stale is not None:
            return stale
        if not self.started:
            return self.expired()
        if self.sent_reference:  # Back after sending, then Continue: nothing more to send
            return redirect(self.get_step_url(CHECK_ANSWERS_STEP))
        form_list = self.get_form_list()
        management = ManagementForm(self.request.POST, prefix=self.prefix)
        if (
            step not in form_list
            or not management.is_valid()
            or management.cleaned_data["current_step"] != step
        ):
            if step in self.flow_steps.steps and management.is_valid():
                # This page is no longer on the resident's path: an answer before it was
                # changed in another tab or window.
                self.notify("changed")
            # (Else a tampered form.)
            return redirect(self.get_step_url(self.steps.current))
        self.storage.current_step = step
        if self._extra().get(SHOWN):
            self._extra(**{SHOWN: None})  # this answer replaces what was shown before it
        if self.flow_steps.is_end_point(step):
            return redirect(self.get_step_url(step))
        if self.over_rate_limit():
            return self.render_rate_limited(step)
        with self.page_language():
            return self.answer(*args, **kwargs)

    def over_rate_limit(self) -> bool:
        """Counts this answer against its address's limit: True when there are too many."""
        return ratelimits.over_limit(self.request, "flows.step")

    def page_language(self) -> AbstractContextManager[Any]:
        """While answers are checked: the language of the flow's own text. A flow not translated
        yet is English throughout, its error messages too (kept as text for the page shown
        next), never English questions with errors in another language. Only the checking: the
        request keeps the resident's language, and so do the addresses made for it."""
        if self.page.alias_of_id is None:
            return nullcontext()
        return translation.override(settings.LANGUAGE_CODE)

    def answer(self, *args: Any, **kwargs: Any) -> HttpResponse:
        """Check the answer posted for the current step: the next page, or this one again."""
        step = self.steps.current
        if "find_address" in self.request.POST:
            return self.render_address_choice(self.request.POST["find_address"])
        # Enter in a postcode box sends the form without "Find address": the addresses are
        # shown as if it had been pressed, rather than "Select your address".
        looked_up = self.flow_steps.finds_addresses(step) and address_to_look_up(
            self.get_form(data=self.request.POST, files=self.request.FILES)
        )
        if looked_up:
            return self.render_address_choice(looked_up)
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
