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
from django.db.models import Q, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import dateformat, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.defaults import permission_denied
from wagtail.admin import messages
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.utils import get_user_display_name
from wagtail.admin.views.generic import IndexView, InspectView, PermissionCheckedMixin

from core.converters import is_database_id
from core.languages import language_label
from core.money import format_pence
from core.spreadsheets import SafeSpreadsheetExportMixin
from forms.flows.constants import SubmissionStatus
from forms.flows.models import FlowPage, PendingEmail, Submission, normalise_reference
from forms.flows.notifications import send_status_update
from forms.flows.permissions import editable_flow_ids, submission_permission_policy
from forms.inbox.payments import REFUND_ACTION, RefundForm, can_refund, payment_sections
from forms.payments import ProviderError
from forms.payments.models import Refund
from forms.payments.refunds import refund_payment

logger = logging.getLogger(__name__)

# Content types a browser may be told about; anything else downloads as plain bytes.
KNOWN_UPLOAD_TYPES = frozenset({"image/jpeg", "image/png", "application/pdf"})
# A spreadsheet opens a cell starting with one of these as a formula; residents type the answers.


def visible_flows(request: HttpRequest | None) -> QuerySet:
    """The flows whose requests this user sees, for the "Service" filter."""
    flows = FlowPage.objects.order_by("title")
    if request is None:
        return flows.none()
    if request.user.is_superuser:
        return flows
    return flows.filter(pk__in=editable_flow_ids(request.user))


class FlowChoiceField(django_filters.fields.ModelChoiceField):
    def to_python(self, value: Any) -> Any:
        # "?flow=99999999999999999999" is an unknown service, not a database error (a 500).
        if value not in self.empty_values and not is_database_id(value):
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)

    def label_from_instance(self, obj: FlowPage) -> str:
        # Teams know a flow by its service ("Bulky waste"), not its page title ("Book one").
        return f"{obj.get_parent().title}: {obj.title}"


class FlowFilter(django_filters.ModelChoiceFilter):
    field_class = FlowChoiceField


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


def local_datetime(value: Any) -> str:
    return dateformat.format(timezone.localtime(value), "j M Y, H:i") if value else ""


def sent_column(submission: Submission) -> str:
    return local_datetime(submission.created_at)


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

    def get_list_more_buttons(self, instance: Submission) -> list:
        return []  # the reference links to the request; there is nothing else to do from here

    def get_base_queryset(self) -> QuerySet:
        queryset = submission_permission_policy.instances_user_has_permission_for(
            self.request.user, "view"
        )
        return queryset.select_related("flow")

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
        )
        if reference := normalise_reference(text):
            matches |= Q(reference=reference)
        return queryset.filter(matches)

    # export: one row a request, the answers as "question: answer" lines

    def to_row_dict(self, item: Submission) -> OrderedDict:
        fee = decimal.Decimal(item.fee_pence) / 100 if item.fee_pence is not None else None
        # One line an answer: an address's lines are joined with commas.
        answers = "\n".join(
            f"{answer.get('source_label') or answer.get('label', '')}: "
            f"{', '.join(str(answer.get('display', '')).splitlines())}"
            for answer in item.answers
        )
        return OrderedDict(
            [
                ("reference", item.reference),
                ("service", item.service_title),
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
    """A new status for a request, with the note the resident will read."""

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
        self.fields["status"].initial = submission.status

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        if cleaned.get("status") == self.submission.status and not cleaned.get("note"):
            raise forms.ValidationError(
                _("Choose a new status, or write a note to tell the resident something.")
            )
        return cleaned


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
        form = StatusChangeForm(request.POST, submission=self.object)
        if not form.is_valid():
            messages.validation_error(request, _("The status could not be changed."), form)
            return self.render_to_response(self.get_context_data(form=form))
        event = self.object.set_status(
            form.cleaned_data["status"], note=form.cleaned_data["note"], user=request.user
        )
        emailed = send_status_update(self.object, event)
        message = _("%(reference)s is now '%(status)s'.") % {
            "reference": self.object.reference,
            "status": event.get_status_display(),
        }
        if emailed:
            messages.success(request, f"{message} {_('We emailed the resident.')}")
        elif not self.object.contact_email:
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
                "answers": [
                    {
                        "label": answer.get("source_label") or answer.get("label", ""),
                        # the question as the resident read it, where that was not English
                        "asked": answer.get("label", "") if answer.get("source_label") else "",
                        "display": answer.get("display", ""),
                        "files": files_by_question.get(answer.get("name"), []),
                    }
                    for answer in submission.answers
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
                "email_problems": email_problems(submission),
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


def email_problems(submission: Submission) -> list[str]:
    """Emails to the resident that the mail server has not taken (PendingEmail)."""
    problems = []
    for email in submission.pending_emails.exclude(state=PendingEmail.State.SENT):
        if email.state == PendingEmail.State.WAITING:
            text = (
                _("Confirmation email not sent yet: will retry")
                if email.kind == PendingEmail.Kind.CONFIRMATION
                else _("Status update email not sent yet: will retry")
            )
        else:
            text = (
                _("Confirmation email could not be sent")
                if email.kind == PendingEmail.Kind.CONFIRMATION
                else _("Status update email could not be sent")
            )
        problems.append(text)
    return problems
