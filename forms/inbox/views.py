"""The staff inbox's views: the list of requests (with filters, search and export), one request
with its answers, files and history, and the download of an uploaded file."""

from __future__ import annotations

import decimal
import logging
from collections import OrderedDict
from typing import Any

import django_filters
from django import forms
from django.contrib.admin.utils import quote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Case, CharField, Exists, F, OuterRef, Q, QuerySet, Value, When
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import dateformat, timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.defaults import permission_denied
from wagtail.admin import messages
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.utils import get_user_display_name
from wagtail.admin.views.generic import IndexView, InspectView, PermissionCheckedMixin
from wagtail.models import Locale

from core.converters import is_database_id
from core.languages import language_label
from core.money import format_pence
from core.spreadsheets import SafeSpreadsheetExportMixin
from forms.flows import statuses
from forms.flows.constants import SubmissionStatus
from forms.flows.models import FlowPage, Submission, normalise_reference
from forms.flows.notifications import send_status_update
from forms.flows.permissions import editable_flow_ids, submission_permission_policy
from forms.inbox import resident_additions
from forms.inbox.english import (
    english_answers,
    english_service_expression,
    english_service_title,
    english_service_titles,
)
from forms.inbox.payments import REFUND_ACTION, RefundForm, can_refund, payment_sections
from forms.inbox.sent_messages import message_problems, message_rows
from forms.payments import ProviderError
from forms.payments.models import Refund
from forms.payments.refunds import refund_payment
from forms.residents.models import AddedInformation

logger = logging.getLogger(__name__)

# Content types a browser may be told about; anything else downloads as plain bytes.
KNOWN_UPLOAD_TYPES = frozenset({"image/jpeg", "image/png", "application/pdf"})
# A spreadsheet opens a cell starting with one of these as a formula; residents type the answers.


def visible_flows(request: HttpRequest | None) -> QuerySet:
    """The services whose requests this user sees, for the "Service" filter: one English flow
    a service (its translations' requests are filtered with it), in order of its title."""
    if request is None:
        return FlowPage.objects.none()
    flows = FlowPage.objects.filter(locale=Locale.get_default())
    if not request.user.is_superuser:
        editable = FlowPage.objects.filter(pk__in=editable_flow_ids(request.user))
        flows = flows.filter(translation_key__in=editable.values("translation_key"))
    titles = english_service_titles()
    whens = [When(translation_key=key, then=Value(title)) for key, title in titles.items()]
    service = Case(*whens, default=F("title"), output_field=CharField())
    return flows.annotate(english_service=service).order_by("english_service", "pk")


class FlowChoiceField(django_filters.fields.ModelChoiceField):
    def to_python(self, value: Any) -> Any:
        # "?flow=99999999999999999999" is an unknown service, not a database error (a 500).
        if value not in self.empty_values and not is_database_id(value):
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)

    def label_from_instance(self, obj: FlowPage) -> str:
        # Teams know a flow by its service ("Bulky waste"), not its page title ("Book one").
        return getattr(obj, "english_service", "") or obj.title


class FlowFilter(django_filters.ModelChoiceFilter):
    """A service's requests in every language: they share its flow's translation key."""

    field_class = FlowChoiceField

    def filter(self, qs: QuerySet, value: Any) -> QuerySet:
        if not value:
            return qs
        return qs.filter(flow__translation_key=value.translation_key)


class SubmissionFilterSet(WagtailFilterSet):
    """Filters of the inbox: service, status and the dates a request was sent between."""

    flow = FlowFilter(
        label=gettext_lazy("Service"), queryset=visible_flows, empty_label=gettext_lazy("All")
    )
    status = django_filters.MultipleChoiceFilter(
        label=gettext_lazy("Status"),
        choices=SubmissionStatus.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    created_at = django_filters.DateFromToRangeFilter(
        label=gettext_lazy("Sent"), widget=DateRangePickerWidget
    )

    class Meta:
        model = Submission
        fields = ["flow", "status", "created_at"]


def one_line(text: str) -> str:
    return ", ".join(str(text).splitlines())


def service_column(submission: Submission) -> str:
    return english_service_title(submission)


def local_datetime(value: Any) -> str:
    return dateformat.format(timezone.localtime(value), "j M Y, H:i") if value else ""


def sent_column(submission: Submission) -> str:
    return local_datetime(submission.created_at)


def status_column(submission: Submission) -> str:
    """The status, and "new information" while the resident's latest addition is unread."""
    status = submission.get_status_display()
    if getattr(submission, "new_information", False):
        # A whole sentence to translate: gettext finds no text inside an f-string.
        return _("%(status)s (new information)") % {"status": status}
    return status


def fee_column(submission: Submission) -> str:
    return format_pence(submission.fee_pence) if submission.fee_pence else ""


class SubmissionIndexView(SafeSpreadsheetExportMixin, IndexView):
    """Requests the user may see; search finds a reference however it is typed."""

    any_permission_required = ["view"]
    page_title = gettext_lazy("Requests")
    # In the council's words: residents send requests (the model is called Submission).
    verbose_name = gettext_lazy("request")
    verbose_name_plural = gettext_lazy("requests")
    list_export = ["reference", "service", "status", "sent", "email", "fee", "answers"]
    export_headings = {
        "reference": gettext_lazy("Reference"),
        "service": gettext_lazy("Service"),
        "status": gettext_lazy("Status"),
        "sent": gettext_lazy("Sent"),
        "email": gettext_lazy("Contact email"),
        "fee": gettext_lazy("Fee (£)"),
        "answers": gettext_lazy("Answers"),
    }

    @cached_property
    def flow_questions(self) -> dict[Any, Any]:
        """Each flow's questions, read once for a whole export (see english_answers)."""
        return {}

    def get_list_more_buttons(self, instance: Submission) -> list:
        return []  # the reference links to the request; there is nothing else to do from here

    def get_base_queryset(self) -> QuerySet:
        queryset = submission_permission_policy.instances_user_has_permission_for(
            self.request.user, "view"
        )
        # Each request under its service's English title, whatever language it was sent in.
        service = english_service_expression(english_service_titles())
        return queryset.select_related("flow").annotate(
            english_service=service,
            # Information the resident added from "your requests" that no one has opened yet.
            new_information=Exists(
                AddedInformation.objects.filter(submission=OuterRef("pk"), seen_at__isnull=True)
            ),
        )

    def search_queryset(self, queryset: QuerySet) -> QuerySet:
        if not self.is_searching:
            return queryset
        text = self.search_query.strip()
        # "fcc 4k7q m2xd" is a reference; "4K7Q", "smith@" or "bulky" are parts of one, of an
        # email address or of a service.
        matches = (
            Q(reference__icontains=text)
            | Q(contact_email__icontains=text)
            | Q(service_title__icontains=text)
            | Q(english_service__icontains=text)
        )
        if reference := normalise_reference(text):
            matches |= Q(reference=reference)
        return queryset.filter(matches)

    # export: one row a request, the answers as "question: answer" lines

    def to_row_dict(self, item: Submission) -> OrderedDict:
        fee = decimal.Decimal(item.fee_pence) / 100 if item.fee_pence is not None else None
        # One line an answer, in English with the resident's words after it in brackets where
        # they differ: an address's lines are joined with commas.
        answers = "\n".join(
            f"{answer['label']}: {one_line(answer['display'])}"
            + (f" ({one_line(answer['resident'])})" if answer["resident"] else "")
            for answer in english_answers(item, cache=self.flow_questions)
        )
        return OrderedDict(
            [
                ("reference", item.reference),
                ("service", english_service_title(item)),
                ("status", item.get_status_display()),
                # Local time, as staff read it; a spreadsheet cell has no time zone.
                ("sent", timezone.localtime(item.created_at).replace(tzinfo=None)),
                ("email", item.contact_email),
                ("fee", fee.quantize(decimal.Decimal("0.01")) if fee is not None else ""),
                ("answers", answers),
            ]
        )

    def get_filename(self) -> str:
        return f"requests-{timezone.localdate():%Y-%m-%d}"


class StatusChangeForm(forms.Form):
    """A new status for a request, with the note the resident will read. It offers only the
    moves the status table (forms.flows.statuses) allows from where the request is now, and
    refuses any other that is sent (an old page, or a changed form)."""

    status = forms.ChoiceField(label=gettext_lazy("Status"), choices=SubmissionStatus.choices)
    note = forms.CharField(
        label=gettext_lazy("Note to the resident"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy(
            "The resident reads this in the email we send and on 'Track your request'. "
            "Write it for them: what happens next and when."
        ),
    )

    def __init__(self, *args: Any, submission: Submission, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.submission = submission
        field = self.fields["status"]
        field.initial = submission.status
        # Every status is known (anything else is "Select a valid choice"); only the allowed
        # ones are shown, and clean_status says why another is refused.
        field.widget.choices = statuses.staff_choices(submission)

    def clean_status(self) -> str:
        status = self.cleaned_data["status"]
        if not statuses.staff_can_move(self.submission, status):
            raise forms.ValidationError(refusal(self.submission, status), code="not_allowed")
        return status

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        status, note = cleaned.get("status"), cleaned.get("note")
        if status == self.submission.status and not note:
            raise forms.ValidationError(
                _("Choose a new status, or write a note to tell the resident something.")
            )
        if status and not note and statuses.needs_note(self.submission.status, status):
            self.add_error(
                "note", _("Write a note to tell the resident why their request is reopened.")
            )
        return cleaned


def refusal(submission: Submission, status: str) -> str:
    """Why staff may not move this request to `status`, in words they can act on."""
    if status in (SubmissionStatus.WAITING_FOR_PAYMENT, SubmissionStatus.PAID):
        if not submission.fee_pence:
            return _("This request has no fee, so it cannot be waiting for payment or paid.")
        if status == SubmissionStatus.WAITING_FOR_PAYMENT:
            return _("A request cannot be moved back to 'Waiting for payment'.")
        return _("Only a request that is waiting for payment can be marked 'Paid'.")
    if submission.status == SubmissionStatus.WAITING_FOR_PAYMENT:
        return _(
            "The resident has not paid yet. Mark the request 'Paid' when the money is in, "
            "or close it."
        )
    return _(
        "A request that is '%(current)s' cannot be moved to '%(new)s'. The page may be out of "
        "date: look at the status above and try again."
    ) % {"current": submission.get_status_display(), "new": SubmissionStatus(status).label}


class SubmissionDetailView(InspectView):
    """One request: its answers, its files, its history and the status form."""

    any_permission_required = ["view"]
    template_name = "inbox/detail.html"
    page_title = gettext_lazy("Request")
    download_url_name: str | None = None

    def get_object(self, queryset: QuerySet | None = None) -> Submission:
        # Someone else's request is "not found", never "forbidden": no hint that it exists.
        visible = submission_permission_policy.instances_user_has_permission_for(
            self.request.user, "view"
        )
        return get_object_or_404(visible.select_related("flow"), pk=self.pk)

    def get_page_subtitle(self) -> str:
        return self.object.reference

    def get_breadcrumbs_items(self) -> list[dict[str, Any]]:
        return [
            *self.breadcrumbs_items,
            {"url": reverse(self.index_url_name), "label": _("Requests")},
            {"url": "", "label": self.get_page_title(), "sublabel": self.get_page_subtitle()},
        ]

    def get_fields(self) -> list[str]:
        return []  # the template lays the request out itself

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.POST.get("action") == REFUND_ACTION:
            return self.post_refund(request)
        if not self.user_has_permission_for_instance("change", self.object):
            raise PermissionDenied
        with transaction.atomic():
            # Checked and changed under a row lock, against the status as it is now: another
            # member of staff may have moved it since this page was shown.
            self.object.refresh_from_db(from_queryset=Submission.objects.select_for_update())
            form = StatusChangeForm(request.POST, submission=self.object)
            if form.is_valid():
                event = self.object.set_status(
                    form.cleaned_data["status"], note=form.cleaned_data["note"], user=request.user
                )
        if not form.is_valid():
            messages.validation_error(request, _("The status could not be changed."), form)
            return self.render_to_response(self.get_context_data(form=form))
        emailed = send_status_update(self.object, event)
        message = _("%(reference)s is now '%(status)s'.") % {
            "reference": self.object.reference,
            "status": event.get_status_display(),
        }
        # "Is being told", not "was": with a task worker the message is still queued here; the
        # Messages table on the request says when it went and whether it arrived.
        if emailed and not self.object.email_for_updates:
            told = _("The resident is being told by text message.")
            messages.success(request, f"{message} {told}")
        elif emailed and self.object.mobile_for_updates:
            told = _("The resident is being told by email and text message.")
            messages.success(request, f"{message} {told}")
        elif emailed:
            told = _("The resident is being told by email.")
            messages.success(request, f"{message} {told}")
        elif not self.object.wants_updates:
            no_address = _("The resident gave no email address, so they were not emailed.")
            messages.success(request, f"{message} {no_address}")
        else:
            messages.success(request, message)
            messages.warning(
                request,
                _(
                    "The email to the resident could not be sent. It will be tried again for "
                    "a day. Phone them if it matters."
                ),
            )
        return redirect(request.path)

    def post_refund(self, request: HttpRequest) -> HttpResponse:
        """Give money back: once per form shown (its hidden key), however often it is sent."""
        if not can_refund(request.user):
            # A plain 403 (raising PermissionDenied would be turned into a redirect by Wagtail):
            # the form is never shown to them, so this is a forged or stale request.
            return permission_denied(request, PermissionDenied())
        payment = get_object_or_404(
            self.object.payments.all(), pk=request.POST.get("refund-payment") or 0
        )
        # The same form sent again (a double click, a refresh): what it asked for is done.
        key = request.POST.get("refund-key", "")
        done = Refund.objects.filter(payment=payment, idempotency_key=key).first() if key else None
        if done is not None:
            messages.success(
                request,
                _("This refund of %(amount)s has already been made. Nothing more was refunded.")
                % {"amount": format_pence(done.amount_pence)},
            )
            return redirect(request.path)
        form = RefundForm(request.POST, payment=payment)
        if not form.is_valid():
            return self.refund_not_made(form)
        try:
            refund = refund_payment(
                payment,
                form.cleaned_data["amount_pence"],
                user=request.user,
                idempotency_key=form.cleaned_data["key"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            form.add_error(form.error_field, error)
            return self.refund_not_made(form)
        except ProviderError as error:
            # Nothing was recorded. The form keeps its key: if the provider did refund before
            # the connection failed, trying again gets that same refund back, not a second one.
            logger.exception("Refund of %s refused by %s", self.object.reference, payment.provider)
            messages.error(
                request,
                _(
                    "The refund was not made: the payment provider did not accept it "
                    "(%(error)s). Nothing was refunded. Try again later, or ask finance."
                )
                % {"error": str(error) or _("no reason given")},
            )
            return self.render_to_response(self.get_context_data(refund_form=form))
        messages.success(
            request,
            _(
                "%(amount)s refunded for %(reference)s. It can take 5 to 10 days to reach the "
                "resident's card."
            )
            % {"amount": format_pence(refund.amount_pence), "reference": self.object.reference},
        )
        return redirect(request.path)

    def refund_not_made(self, form: RefundForm) -> HttpResponse:
        messages.validation_error(self.request, _("The refund was not made."), form)
        return self.render_to_response(self.get_context_data(refund_form=form))

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        submission = self.object
        files = list(submission.files.order_by("pk"))
        files_by_question: dict[str, list[dict[str, Any]]] = {}
        for upload in files:
            files_by_question.setdefault(upload.question_name, []).append(self.file_row(upload))
        context.update(
            {
                "submission": submission,
                "sent": local_datetime(submission.created_at),
                "language": language_label(submission.language) if submission.language else "",
                "fee": fee_column(submission),
                "service": english_service_title(submission),
                "answers": [
                    {**answer, "files": files_by_question.get(answer["name"], [])}
                    for answer in english_answers(submission)
                ],
                "files": [self.file_row(upload) for upload in files],
                "events": [
                    {
                        "status": event.get_status_display(),
                        "note": event.note,
                        "when": local_datetime(event.created_at),
                        "by": get_user_display_name(event.user) if event.user else "",
                    }
                    for event in submission.events.select_related("user").order_by(
                        "-created_at", "-pk"
                    )
                ],
                "form": kwargs.get("form") or StatusChangeForm(submission=submission),
                "can_change": self.user_has_permission_for_instance("change", submission),
                "payments": payment_sections(
                    submission, self.request.user, refund_form=kwargs.get("refund_form")
                ),
                "refund_action": REFUND_ACTION,
                "added_information": resident_additions.added_information(
                    submission, self.request.user, self.download_url_name
                ),
                "withdrawal": resident_additions.withdrawal(submission),
                "message_problems": message_problems(submission),
                "sent_messages": message_rows(submission),
            }
        )
        return context

    def file_row(self, upload: Any) -> dict[str, Any]:
        return {
            # The resident's name for the file is only text to read; the link downloads it
            # under the site's name, whose extension matches the type read from its content.
            "name": upload.original_name,
            "download_name": upload.site_name,
            "size": upload.size,
            "content_type": upload.content_type,
            "url": reverse(self.download_url_name, args=(quote(self.object.pk), upload.pk)),
        }


class SubmissionFileDownloadView(PermissionCheckedMixin, View):
    """A resident's uploaded file, streamed from private storage as an attachment, only to
    staff who may see its request."""

    model = Submission
    any_permission_required = ["view"]

    def get(self, request: HttpRequest, pk: int, file_pk: int) -> FileResponse:
        visible = submission_permission_policy.instances_user_has_permission_for(
            request.user, "view"
        )
        submission = get_object_or_404(visible, pk=pk)
        upload = get_object_or_404(submission.files, pk=file_pk)
        try:
            handle = upload.file.open("rb")
        except FileNotFoundError:
            raise Http404(_("The file is no longer stored.")) from None
        content_type = (
            upload.content_type
            if upload.content_type in KNOWN_UPLOAD_TYPES
            else "application/octet-stream"
        )
        # Never the resident's name: 'proof.bat' would be opened by its extension on a staff
        # computer. Rows stored before site-made names download under one as well.
        response = FileResponse(
            handle, as_attachment=True, filename=upload.site_name, content_type=content_type
        )
        # Were a browser to show it anyway, nothing in it may run.
        response["Content-Security-Policy"] = "sandbox"
        response["Cache-Control"] = "private, no-store"
        return response
