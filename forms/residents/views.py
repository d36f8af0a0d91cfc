"""The pages of "your requests": sign in (by link or code), the list of requests, one request,
add information, withdraw, sign out.

Every page is never cached. A request that is not the signed-in resident's is "not found",
never "forbidden". The sign-in pages say the same thing whether or not the address has
requests, and tries are limited per client and per address.
"""

from __future__ import annotations

from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from django_ratelimit.decorators import ratelimit

from forms.flows.checkout import get_checkout
from forms.flows.constants import SubmissionStatus
from forms.flows.models import Submission, SubmissionFile
from forms.flows.questions.uploads import clean_copy
from forms.payments.checkout import allow_paying

from . import presentation, signin
from .forms import (
    ADDED_FILE_MAX_MB,
    LONGEST_INPUT,
    AddInformationForm,
    AddressForm,
    CodeForm,
    normalise_mobile,
)
from .models import AddedInformation, Withdrawal

TRIES_PER_CLIENT = "10/10m"  # addresses given, links followed or codes typed, from one client
TRIES_PER_ADDRESS = "5/10m"  # links or codes asked for one address
ADDITIONS_PER_CLIENT = "20/10m"
RETRY_AFTER = "600"
ADDED_FILES = "added-information"  # the question name the resident's added files are kept under
WITHDRAWN_NOTE = "Withdrawn by the resident before work started."
FORM_METHODS = ["GET", "HEAD", "POST"]
WRONG_CODE = _("The code is not right. Check the text message and try again")


def too_many_tries(request: HttpRequest) -> HttpResponse:
    response = render(request, "residents/too_many_tries.html", status=429)
    response["Retry-After"] = RETRY_AFTER
    return response


def tried_address(group: str, request: HttpRequest) -> str:
    value = request.POST.get("address", "")[:LONGEST_INPUT].strip()
    if "@" in value:
        return value.casefold()
    return normalise_mobile(value) or ""


def address_rate(group: str, request: HttpRequest) -> str | None:
    # Only a well-formed address counts against that address: bad input is not looked up,
    # and counting it all under one key would lock every resident out together.
    return TRIES_PER_ADDRESS if tried_address(group, request) else None


def signed_in_or_start(request: HttpRequest) -> tuple[str | None, HttpResponse | None]:
    address = signin.signed_in_address(request)
    if address is None:
        return None, redirect("residents_start")
    return address, None


def own_request(address: str, pk: int) -> Submission:
    """The request `pk` if it was made with the signed-in address; 404 otherwise."""
    return get_object_or_404(signin.requests_for(address).select_related("flow"), pk=pk)


# --- signing in -------------------------------------------------------------------------------


@never_cache
@require_http_methods(FORM_METHODS)
@ratelimit(
    group="residents.start.client", key="ip", rate=TRIES_PER_CLIENT, method="POST", block=False
)
@ratelimit(
    group="residents.start.address",
    key=tried_address,
    rate=address_rate,
    method="POST",
    block=False,
)
def start(request: HttpRequest) -> HttpResponse:
    """Your requests: the resident gives their email address (or mobile number)."""
    if request.method != "POST":
        if signin.signed_in_address(request):
            return redirect("residents_list")
        return render(request, "residents/start.html", {"form": AddressForm(), "errors": []})
    if getattr(request, "limited", False):
        return too_many_tries(request)
    form = AddressForm(request.POST)
    if not form.is_valid():
        return render(request, "residents/start.html", {"form": form, "errors": form.error_list()})
    address = form.cleaned_data["address"]
    if "@" in address:
        signin.send_link(request, address)
        request.session["residents.sent_to"] = address
        return redirect("residents_check_email")
    signin.send_code(request, address)
    request.session["residents.sent_to"] = address
    return redirect("residents_code")


@never_cache
@require_http_methods(["GET", "HEAD"])
def check_email(request: HttpRequest) -> HttpResponse:
    """The same words whether or not a link was sent."""
    sent_to = request.session.get("residents.sent_to")
    if not isinstance(sent_to, str) or "@" not in sent_to:
        return redirect("residents_start")
    return render(
        request,
        "residents/check_email.html",
        {"sent_to": sent_to, "minutes": signin.minutes()},
    )


@never_cache
@require_http_methods(FORM_METHODS)
@ratelimit(
    group="residents.link.client", key="ip", rate=TRIES_PER_CLIENT, method="POST", block=False
)
def link(request: HttpRequest, token: str) -> HttpResponse:
    """The link from the email. Opening it (GET) spends nothing: email scanners and link
    previews fetch links before the resident does, and would use it up. The page shows a "Sign
    in" button, whose POST spends the link and signs this browser in."""
    if request.method != "POST":
        if signin.find_link(token) is None:
            return render(request, "residents/link_refused.html", status=404)
        return render(request, "residents/link.html", {"token": token})
    if getattr(request, "limited", False):
        return too_many_tries(request)
    address = signin.use_link(token)
    if address is None:
        return render(request, "residents/link_refused.html", status=404)
    signin.sign_in(request, address)
    return redirect("residents_list")


@never_cache
@require_http_methods(FORM_METHODS)
@ratelimit(
    group="residents.code.client", key="ip", rate=TRIES_PER_CLIENT, method="POST", block=False
)
def code(request: HttpRequest) -> HttpResponse:
    """Enter the code from the text message."""
    sent_to = request.session.get("residents.sent_to")
    if not signin.code_waiting(request) or not isinstance(sent_to, str):
        return redirect("residents_start")
    context: dict[str, Any] = {"sent_to": sent_to, "minutes": signin.minutes()}
    if request.method != "POST":
        return render(request, "residents/code.html", {**context, "form": CodeForm(), "errors": []})
    if getattr(request, "limited", False):
        return too_many_tries(request)
    form = CodeForm(request.POST)
    if form.is_valid():
        address, void = signin.use_code(request, form.cleaned_data["code"])
        if address is not None:
            signin.sign_in(request, address)
            return redirect("residents_list")
        if void:
            request.session.pop(signin.SESSION_CODE, None)
            return render(request, "residents/code_refused.html", status=400)
        form.add_error("code", WRONG_CODE)
    return render(
        request, "residents/code.html", {**context, "form": form, "errors": form.error_list()}
    )


@never_cache
@require_http_methods(["POST"])
def sign_out(request: HttpRequest) -> HttpResponse:
    signin.sign_out(request)
    return render(request, "residents/signed_out.html")


# --- signed in --------------------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "HEAD"])
def request_list(request: HttpRequest) -> HttpResponse:
    address, elsewhere = signed_in_or_start(request)
    if address is None:
        return elsewhere  # type: ignore[return-value]
    submissions = signin.requests_for(address).order_by("-created_at", "-pk")
    rows = [
        {"submission": s, "status_tag_class": presentation.status_tag_class(s)} for s in submissions
    ]
    return render(
        request,
        "residents/list.html",
        {**signin.describe(address), "rows": rows},
    )


@never_cache
@require_http_methods(["GET", "HEAD"])
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    address, elsewhere = signed_in_or_start(request)
    if address is None:
        return elsewhere  # type: ignore[return-value]
    submission = own_request(address, pk)
    pay_now_url = ""
    if submission.status == SubmissionStatus.WAITING_FOR_PAYMENT and submission.fee_pence:
        # Signed in with the address it was sent with: proof enough to pay for it.
        allow_paying(request, submission)
        pay_now_url = get_checkout().pay_now_url(submission)
    return render(
        request,
        "residents/detail.html",
        {
            **signin.describe(address),
            "submission": submission,
            "status_tag_class": presentation.status_tag_class(submission),
            "events": presentation.history(submission),
            "payments": presentation.payments(submission),
            "pay_now_url": pay_now_url,
            "what_happens_next": ""
            if presentation.is_finished(submission)
            else presentation.what_happens_next(submission),
            "added": AddedInformation.objects.filter(submission=submission).prefetch_related(
                "files"
            ),
            "can_add": presentation.can_add_information(submission),
            "can_withdraw": presentation.can_withdraw(submission),
            # The history's note for a withdrawal is in English, for staff; the resident reads
            # it in their own language.
            "withdrawn_event_id": Withdrawal.objects.filter(submission=submission)
            .values_list("event_id", flat=True)
            .first(),
            "added_now": request.GET.get("added") == "1",
        },
    )


@never_cache
@require_http_methods(FORM_METHODS)
@ratelimit(
    group="residents.add.client", key="ip", rate=ADDITIONS_PER_CLIENT, method="POST", block=False
)
def add_information(request: HttpRequest, pk: int) -> HttpResponse:
    address, elsewhere = signed_in_or_start(request)
    if address is None:
        return elsewhere  # type: ignore[return-value]
    submission = own_request(address, pk)
    if not presentation.can_add_information(submission):
        raise Http404
    context: dict[str, Any] = {"submission": submission, "max_mb": ADDED_FILE_MAX_MB}
    if request.method != "POST":
        form = AddInformationForm()
        return render(request, "residents/add.html", {**context, "form": form, "errors": []})
    if getattr(request, "limited", False):
        return too_many_tries(request)
    form = AddInformationForm(request.POST, request.FILES)
    if not form.is_valid():
        return render(
            request, "residents/add.html", {**context, "form": form, "errors": form.error_list()}
        )
    save_added_information(submission, form.cleaned_data["message"], form.cleaned_data["file"])
    return redirect(reverse("residents_detail", args=[submission.pk]) + "?added=1")


def save_added_information(submission: Submission, message: str, upload: Any) -> AddedInformation:
    """The message, and the file as the site's clean copy under a name the site makes (as a
    flow's upload question keeps it), new to staff."""
    with transaction.atomic():
        # One addition at a time per request, so its files' numbers never collide.
        Submission.objects.select_for_update().filter(pk=submission.pk).first()
        added = AddedInformation.objects.create(submission=submission, message=message)
        if upload:
            content_type = getattr(upload, "content_type", "") or ""
            content = clean_copy(upload, content_type)
            last = submission.files.aggregate(last=Max("number"))["last"] or 0
            stored = SubmissionFile.objects.create(
                submission=submission,
                question_name=ADDED_FILES,
                number=last + 1,
                original_name=(upload.name or "")[-255:],
                content_type=content_type,
                size=len(content),
                file=ContentFile(content, name="upload"),  # renamed by submission_file_path
            )
            added.files.add(stored)
    return added


@never_cache
@require_http_methods(FORM_METHODS)
def withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    address, elsewhere = signed_in_or_start(request)
    if address is None:
        return elsewhere  # type: ignore[return-value]
    submission = own_request(address, pk)
    if request.method != "POST":
        if not presentation.can_withdraw(submission):
            return render(
                request, "residents/cannot_withdraw.html", {"submission": submission}, status=409
            )
        return render(request, "residents/withdraw.html", {"submission": submission})
    with transaction.atomic():
        # Decided under a row lock, against the request as it is now: staff may have started
        # on it since the page was shown.
        submission = Submission.objects.select_for_update().get(pk=submission.pk)
        if not presentation.can_withdraw(submission):
            allowed = False
        else:
            allowed = True
            event = submission.set_status(SubmissionStatus.CLOSED, note=WITHDRAWN_NOTE)
            Withdrawal.objects.create(submission=submission, event=event)
    if not allowed:
        return render(
            request, "residents/cannot_withdraw.html", {"submission": submission}, status=409
        )
    return render(request, "residents/withdrawn.html", {"submission": submission})
