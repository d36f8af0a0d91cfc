"""Track your request: a resident enters their reference and the email address or mobile number
they gave, and sees where their request is, with every status change and note.

The pair is sent by POST so it stays out of addresses and server logs. A wrong reference and a
wrong email address or mobile number get the same answer, and tries are limited per client and
per reference, so the page cannot be used to find out which references exist or to guess an
address or number.
"""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import ProhibitNullCharactersValidator, validate_email
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from django_ratelimit.decorators import ratelimit

from forms.flows.checkout import get_checkout
from forms.flows.constants import SubmissionStatus
from forms.flows.models import Submission, normalise_reference
from forms.flows.questions.contact import MOBILE_MESSAGE, parse_mobile
from forms.payments.checkout import allow_paying
from forms.residents import presentation

TEMPLATE = "inbox/track.html"
TRIES_PER_CLIENT = "10/10m"
TRIES_PER_REFERENCE = "5/10m"
LONGEST_INPUT = 254  # the longest email address; no reference comes near it

NOT_FOUND = _(
    "We could not find a request with that reference and email address or mobile number. "
    "Check them and try again."
)


def example_reference() -> str:
    return f"{settings.SUBMISSION_REFERENCE_PREFIX}-4K7Q-M2XD"


class TrackForm(forms.Form):
    """A reference and the email address or UK mobile number given, each with GOV.UK error
    messages. The second box keeps the name `email` (the page's links and older bookmarks)."""

    reference = forms.CharField(label=_("Reference"), required=False)
    email = forms.CharField(label=_("Email address or mobile number"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Null characters get the same "correct format" message as any other bad input.
        for field in self.fields.values():
            field.validators = [
                v for v in field.validators if not isinstance(v, ProhibitNullCharactersValidator)
            ]

    def clean_reference(self) -> str:
        value = self.cleaned_data["reference"]
        if not value:
            raise ValidationError(_("Enter your reference"))
        reference = normalise_reference(value) if len(value) <= LONGEST_INPUT else ""
        if "\x00" in value or not re.fullmatch(r"[A-Z0-9]+-[A-Z0-9]{4}-[A-Z0-9]{4}", reference):
            raise ValidationError(
                _("Enter your reference in the correct format, like %(example)s")
                % {"example": example_reference()}
            )
        return reference

    def clean_email(self) -> str:
        value = self.cleaned_data["email"]
        if not value:
            raise ValidationError(_("Enter your email address or mobile number"))
        looks_like_a_number = "@" not in value and any(ch.isdigit() for ch in value)
        if looks_like_a_number:
            mobile = parse_mobile(value) if len(value) <= LONGEST_INPUT else ""
            if not mobile:
                raise ValidationError(MOBILE_MESSAGE)
            return mobile
        try:
            if len(value) > LONGEST_INPUT or "\x00" in value:
                raise ValidationError("too long")
            validate_email(value)
        except ValidationError:
            raise ValidationError(
                _("Enter an email address in the correct format, like name@example.com")
            ) from None
        return value

    def find_submission(self) -> Submission | None:
        """The request with this reference, if it was sent with this email address or mobile
        number (cleaned to E.164, so it starts with "+").

        Both wrong-reference and wrong-address cases run the same query and end the same way."""
        submission = Submission.objects.filter(reference=self.cleaned_data["reference"]).first()
        given = self.cleaned_data["email"].strip().casefold()
        stored = ""
        if submission is not None:
            by_mobile = given.startswith("+")
            stored = submission.contact_mobile if by_mobile else submission.contact_email
        stored = stored.strip().casefold()
        if stored and constant_time_compare(stored, given):
            return submission
        return None

    def error_list(self) -> list[dict[str, str]]:
        """The errors for the error summary, each linking to its field."""
        errors = [
            {"anchor": name, "message": str(message)}
            for name in self.fields
            for message in self.errors.get(name, [])
        ]
        errors += [{"anchor": "reference", "message": str(m)} for m in self.non_field_errors()]
        return errors


def tried_reference(group: str, request: HttpRequest) -> str:
    return normalise_reference(request.POST.get("reference", "")[:LONGEST_INPUT])


def reference_rate(group: str, request: HttpRequest) -> str | None:
    # Only a well-formed reference counts against that reference: bad input is not looked up,
    # and counting it all under one key would lock every resident out together.
    return TRIES_PER_REFERENCE if tried_reference(group, request) else None


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
@ratelimit(group="flows.track.client", key="ip", rate=TRIES_PER_CLIENT, method="POST", block=False)
@ratelimit(
    group="flows.track.reference",
    key=tried_reference,
    rate=reference_rate,
    method="POST",
    block=False,
)
def track(request: HttpRequest) -> HttpResponse:
    """The form; then, for a matching reference and email address, the request's history."""
    context: dict[str, Any] = {"example_reference": example_reference()}
    if request.method != "POST":
        return render(request, TEMPLATE, {**context, "form": TrackForm(), "errors": []})

    if getattr(request, "limited", False):
        response = render(request, TEMPLATE, {**context, "too_many_tries": True}, status=429)
        response["Retry-After"] = "600"
        return response

    form = TrackForm(request.POST)
    submission = form.find_submission() if form.is_valid() else None
    if form.is_valid() and submission is None:
        form.add_error(None, NOT_FOUND)
    if submission is None:
        return render(request, TEMPLATE, {**context, "form": form, "errors": form.error_list()})

    pay_now_url = ""
    if submission.status == SubmissionStatus.WAITING_FOR_PAYMENT and submission.fee_pence:
        # The reference and the email address it was sent with are proof enough to pay for it
        # (not to see its answers): the "Pay now" button below works for this session.
        allow_paying(request, submission)
        pay_now_url = get_checkout().pay_now_url(submission)
    return render(
        request,
        TEMPLATE,
        {
            **context,
            "submission": submission,
            "pay_now_url": pay_now_url,
            "status_tag_class": presentation.status_tag_class(submission),
            "events": presentation.history(submission),
        },
    )
