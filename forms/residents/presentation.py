"""How a request is shown to the resident who made it, on "track your request" and "your
requests" alike: its status tag, its history, its payment and refunds, what happens next."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from forms.flows.constants import SubmissionStatus
from forms.flows.models import Submission, SubmissionEvent
from forms.payments.constants import SETTLED
from forms.payments.models import Payment

# The colour of each status's tag, as GOV.UK services use them ("track your request" too).
STATUS_TAG_CLASSES: dict[str, str] = {
    SubmissionStatus.RECEIVED: "govuk-tag--blue",
    SubmissionStatus.WAITING_FOR_PAYMENT: "govuk-tag--yellow",
    SubmissionStatus.PAID: "govuk-tag--turquoise",
    SubmissionStatus.IN_PROGRESS: "govuk-tag--light-blue",
    SubmissionStatus.COMPLETED: "govuk-tag--green",
    SubmissionStatus.CLOSED: "govuk-tag--grey",
}

# Requests a resident can still add information to.
OPEN_STATUSES = frozenset(
    {
        SubmissionStatus.RECEIVED,
        SubmissionStatus.WAITING_FOR_PAYMENT,
        SubmissionStatus.PAID,
        SubmissionStatus.IN_PROGRESS,
    }
)
# The statuses a request has before anyone at the council starts on it.
NOT_STARTED = frozenset(
    {SubmissionStatus.RECEIVED, SubmissionStatus.WAITING_FOR_PAYMENT, SubmissionStatus.PAID}
)
# A resident may withdraw a request in one of these, if nobody has started on it.
WITHDRAWABLE = frozenset({SubmissionStatus.RECEIVED, SubmissionStatus.PAID})


def status_tag_class(submission: Submission) -> str:
    return STATUS_TAG_CLASSES.get(submission.status, "")


def history(submission: Submission) -> QuerySet[SubmissionEvent]:
    """Every status change and note, newest first."""
    return submission.events.order_by("-created_at", "-pk")


def payments(submission: Submission) -> list[dict[str, Any]]:
    """The payments taken for the request, each with its refunds."""
    settled = Payment.objects.filter(submission=submission, status__in=SETTLED).order_by(
        "created_at", "pk"
    )
    return [
        {
            "amount_pence": payment.amount_pence,
            "paid_at": payment.paid_at or payment.updated_at,
            "refunded_pence": payment.refunded_pence,
            "refunds": [
                {"amount_pence": refund.amount_pence, "when": refund.created_at}
                for refund in payment.refunds.order_by("created_at", "pk")
            ],
        }
        for payment in settled.prefetch_related("refunds")
    ]


def what_happens_next(submission: Submission) -> Any:
    """The flow's "what happens next", in the resident's language (rich text), if it has one."""
    flow = submission.flow
    if flow is None:
        return ""
    return flow.in_language(submission.language).what_happens_next


def nobody_started(submission: Submission) -> bool:
    """Whether the request is as the resident (and the payment) left it: every entry in its
    history is the site's own (no member of staff), and none is beyond payment."""
    return not submission.events.exclude(status__in=NOT_STARTED, user__isnull=True).exists()


def can_withdraw(submission: Submission) -> bool:
    if submission.status not in WITHDRAWABLE:
        return False
    if hasattr(submission, "withdrawal"):
        return False
    return nobody_started(submission)


def is_finished(submission: Submission) -> bool:
    """Completed or closed: the flow's "what happens next" no longer applies."""
    return submission.status not in OPEN_STATUSES


def can_add_information(submission: Submission) -> bool:
    return submission.status in OPEN_STATUSES
