"""The GOV.UK satisfaction question at the end of every flow: on the confirmation page and on
each end point, five answers from "Very satisfied" to "Very dissatisfied" and an optional
comment.

The form on those pages posts to `satisfaction` (one URL per flow). The same URL shown with
GET is the question on its own page: for a resident who comes back to it after an error, or
without JavaScript. One answer is kept per journey (the tracking journey in the session): a
second answer, a refresh or a double click thanks the resident again and saves nothing.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.db import IntegrityError, transaction
from django.forms.utils import ErrorDict
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from core import ratelimits
from forms.flows import journeys
from forms.flows.constants import CHECK_ANSWERS_STEP
from forms.flows.models import FlowPage
from forms.flows.runtime import start_again
from forms.insights.models import Satisfaction, SatisfactionResponse

COMMENT_MAX_LENGTH = 1200
CONFIRMATION = "confirmation"
RATING_REQUIRED = _("Select how satisfied you are with this service")


class CommentField(forms.CharField):
    """Counts a line break as one character, as the GOV.UK character count does (browsers
    send "\\r\\n")."""

    def to_python(self, value: Any) -> str:
        value = super().to_python(value)
        return value.replace("\r\n", "\n") if value else value


class SatisfactionForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("Overall, how did you feel about the service you received today?"),
        choices=Satisfaction.choices,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": RATING_REQUIRED, "invalid_choice": RATING_REQUIRED},
    )
    comment = CommentField(
        label=_("How could we improve this service? (optional)"),
        required=False,
        max_length=COMMENT_MAX_LENGTH,
        widget=forms.Textarea,
        error_messages={
            "max_length": _("Your comment must be 1,200 characters or fewer"),
        },
    )
    asked_at = forms.CharField(required=False, max_length=100, widget=forms.HiddenInput)

    # Ids as the include writes them: the first radio carries the field's id (GOV.UK).
    anchors = {"rating": "satisfaction-rating", "comment": "satisfaction-comment"}

    def error_list(self) -> list[dict[str, str]]:
        """For the error summary: each message linked to its field."""
        return [
            {"anchor": self.anchors.get(name, ""), "message": str(message)}
            for name in ("rating", "comment")
            for message in self.errors.get(name, [])
        ]


def end_points(page: FlowPage) -> set[str]:
    return {step.value["name"] for step in page.steps if step.block_type == "end_point"}


def asked_where(page: FlowPage, value: str) -> str:
    """'confirmation', the look-up result (shown at check your answers) or the name of one of
    the flow's end points; '' for anything else."""
    value = (value or "").strip()
    if value in (CONFIRMATION, CHECK_ANSWERS_STEP) or value in end_points(page):
        return value
    return ""


def back_url(page: FlowPage, request: HttpRequest, asked_at: str) -> str:
    if asked_at:
        return f"{page.get_url(request)}{asked_at}/"
    return page.service.get_url(request)


def _context(page: FlowPage, request: HttpRequest, asked_at: str, **extra: Any) -> dict[str, Any]:
    return {
        "page": page,
        "self": page,
        "service": page.service,
        "asked_at": asked_at,
        "back_url": back_url(page, request, asked_at),
        **extra,
    }


@require_http_methods(["GET", "HEAD", "POST"])
def satisfaction(request: HttpRequest, flow_id: int) -> HttpResponse:
    page = FlowPage.objects.live().filter(pk=flow_id).first()
    if page is None:
        raise Http404
    page = page.in_language(get_language() or "")  # the flow as the resident reads it
    journey = journeys.journey_id(request, page)
    if journey is None:  # no journey through this flow in this session (or it has ended)
        return start_again(request, page)
    source = request.POST if request.method == "POST" else request.GET
    asked_at = asked_where(page, source.get("asked_at", ""))
    if SatisfactionResponse.objects.filter(journey=journey).exists():
        return TemplateResponse(
            request, "insights/satisfaction_thanks.html", _context(page, request, asked_at)
        )
    if request.method != "POST":  # GET or HEAD
        form = SatisfactionForm(initial={"asked_at": asked_at})
        return _form_page(request, page, asked_at, form)
    form = SatisfactionForm(request.POST)
    if ratelimits.over_limit(request, "flows.satisfaction"):
        return _rate_limited(request, page, asked_at, form)
    if not form.is_valid():
        return _form_page(request, page, asked_at, form)
    try:
        with transaction.atomic():
            SatisfactionResponse.objects.create(
                flow=page.source_flow,
                rating=form.cleaned_data["rating"],
                comment=form.cleaned_data["comment"],
                asked_at=asked_at,
                journey=journey,
                language=(get_language() or "")[:12],
            )
    except IntegrityError:  # the same journey answered in another tab a moment ago
        pass
    url = reverse("flow_satisfaction", args=[page.source_flow.pk])
    return redirect(f"{url}?asked_at={asked_at}" if asked_at else url)


def _form_page(
    request: HttpRequest,
    page: FlowPage,
    asked_at: str,
    form: SatisfactionForm,
    errors: list[dict[str, Any]] | None = None,
) -> TemplateResponse:
    if errors is None:
        errors = form.error_list() if form.is_bound else []
    return TemplateResponse(
        request,
        "insights/satisfaction.html",
        _context(page, request, asked_at, satisfaction_form=form, errors=errors),
    )


def _rate_limited(
    request: HttpRequest, page: FlowPage, asked_at: str, form: SatisfactionForm
) -> HttpResponse:
    """Too much feedback from this address: the question again with the resident's answer and
    comment still in it (not checked, not saved), and "wait a minute" (429)."""
    form.cleaned_data = {}
    form._errors = ErrorDict()  # type: ignore[attr-defined]  # Django's, not in the stubs
    errors = [{"anchor": "", "message": ratelimits.TOO_MANY_FEEDBACK}]
    return ratelimits.too_many_requests(_form_page(request, page, asked_at, form, errors))
