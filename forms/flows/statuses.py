"""Which statuses a request can take, and which moves between them are allowed.

One table for everyone who changes a status: staff in the inbox, the payments code when money
comes in, and the runtime when a resident sends a request again. A free request never waits for
payment; a paid one (it has a fee) starts by waiting for it. Only payment news marks a request
paid, and nobody moves a request back to waiting for payment.
"""

from __future__ import annotations

from typing import Any

from forms.flows.constants import SubmissionStatus

S = SubmissionStatus

FREE = "free"
PAID = "paid"

# The statuses each kind of request can take, in the order a request goes through them.
STATUSES: dict[str, tuple[SubmissionStatus, ...]] = {
    FREE: (S.RECEIVED, S.IN_PROGRESS, S.COMPLETED, S.CLOSED),
    PAID: (S.WAITING_FOR_PAYMENT, S.PAID, S.IN_PROGRESS, S.COMPLETED, S.CLOSED),
}

# Moves staff may make, from each status. A request nobody paid for can only be closed (or
# marked paid, for money taken another way, such as by phone); a finished one can be reopened.
STAFF_MOVES: dict[SubmissionStatus, frozenset[SubmissionStatus]] = {
    S.RECEIVED: frozenset({S.IN_PROGRESS, S.COMPLETED, S.CLOSED}),
    S.WAITING_FOR_PAYMENT: frozenset({S.PAID, S.CLOSED}),
    S.PAID: frozenset({S.IN_PROGRESS, S.COMPLETED, S.CLOSED}),
    S.IN_PROGRESS: frozenset({S.COMPLETED, S.CLOSED}),
    S.COMPLETED: frozenset({S.IN_PROGRESS, S.CLOSED}),
    S.CLOSED: frozenset({S.IN_PROGRESS}),
}

# Moves the site makes itself: the payment arrives (forms.payments.transitions), or an unpaid
# request is closed because the resident sent it again (the flow runtime).
SYSTEM_MOVES: dict[SubmissionStatus, frozenset[SubmissionStatus]] = {
    S.WAITING_FOR_PAYMENT: frozenset({S.PAID, S.CLOSED}),
}

# Reopening a finished request: the resident is told why, so a note is needed.
REOPENING: frozenset[tuple[SubmissionStatus, SubmissionStatus]] = frozenset(
    {(S.COMPLETED, S.IN_PROGRESS), (S.CLOSED, S.IN_PROGRESS)}
)


def kind_of(submission: Any) -> str:
    """FREE or PAID: a request with a fee to pay is a paid one."""
    return PAID if submission.fee_pence else FREE


def statuses_for(submission: Any) -> tuple[SubmissionStatus, ...]:
    return STATUSES[kind_of(submission)]


def staff_can_move(submission: Any, to: str) -> bool:
    """Whether staff may move this request from its status to `to` (staying put is a note)."""
    if to == submission.status:
        return True
    if to not in statuses_for(submission):
        return False
    current = _status(submission.status)
    return current is not None and to in STAFF_MOVES.get(current, frozenset())


def system_can_move(submission: Any, to: str) -> bool:
    """Whether the site itself (payment news, a request sent again) may make this move."""
    current = _status(submission.status)
    return current is not None and to in SYSTEM_MOVES.get(current, frozenset())


def staff_choices(submission: Any) -> list[tuple[str, Any]]:
    """The statuses the staff form offers: the current one (to add a note) and where it can go,
    in the order a request goes through them."""
    choices = [
        (status.value, status.label)
        for status in statuses_for(submission)
        if staff_can_move(submission, status)
    ]
    if submission.status not in {value for value, _label in choices}:
        choices.insert(0, (submission.status, submission.get_status_display()))
    return choices


def needs_note(current: str, to: str) -> bool:
    return (_status(current), _status(to)) in REOPENING


def _status(value: str) -> SubmissionStatus | None:
    try:
        return SubmissionStatus(value)
    except ValueError:
        return None
