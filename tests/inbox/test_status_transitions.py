"""Staff are offered only the statuses that fit a request: a free one never waits for payment,
a paid one is not worked on before the money is in, and a finished one is reopened with a note.
A move the form did not offer (an old page, a changed form) is refused and changes nothing."""

from __future__ import annotations

from typing import Any

from bs4 import BeautifulSoup
from django.core import mail

from forms.flows import statuses
from forms.flows.constants import SubmissionStatus as S
from forms.flows.models import Submission
from tests.inbox.test_inbox import INBOX, InboxTestCase


class StatusFormTests(InboxTestCase):
    """`self.birth` is a free request (received); `self.bulky` a paid one waiting for payment."""

    def offered(self, submission: Submission) -> list[str]:
        soup = self.soup(f"{INBOX}{submission.pk}/")
        return [o.get_text(strip=True) for o in soup.select("select[name=status] option")]

    def post(self, submission: Submission, status: str, note: str = "") -> Any:
        return self.client.post(f"{INBOX}{submission.pk}/", {"status": status, "note": note})

    def set(self, submission: Submission, status: str) -> None:
        Submission.objects.filter(pk=submission.pk).update(status=status)
        submission.refresh_from_db()

    def assert_refused(self, response: Any, submission: Submission, reason: str) -> None:
        self.assertEqual(response.status_code, 200)
        soup = BeautifulSoup(response.content, "html.parser")
        text = " ".join(soup.get_text(" ").split())
        self.assertIn("The status could not be changed.", text)
        self.assertIn(reason, text)
        before = submission.status
        events = submission.events.count()
        submission.refresh_from_db()
        self.assertEqual(submission.status, before)
        self.assertEqual(submission.events.count(), events)
        self.assertEqual(mail.outbox, [])

    def test_a_free_request_is_never_offered_payment_statuses(self):
        self.assertEqual(
            self.offered(self.birth), ["Received", "In progress", "Completed", "Closed"]
        )

    def test_a_request_waiting_for_payment_can_be_marked_paid_or_closed(self):
        self.assertEqual(self.offered(self.bulky), ["Waiting for payment", "Paid", "Closed"])

    def test_a_paid_request_goes_forward_only(self):
        self.set(self.bulky, S.PAID)
        self.assertEqual(self.offered(self.bulky), ["Paid", "In progress", "Completed", "Closed"])

    def test_a_finished_request_can_be_reopened(self):
        self.set(self.birth, S.COMPLETED)
        self.assertEqual(self.offered(self.birth), ["In progress", "Completed", "Closed"])
        self.set(self.birth, S.CLOSED)
        self.assertEqual(self.offered(self.birth), ["In progress", "Closed"])

    def test_marking_a_free_request_paid_is_refused(self):
        response = self.post(self.birth, S.PAID, "Thanks")
        self.assert_refused(response, self.birth, "This request has no fee")

    def test_working_on_an_unpaid_request_is_refused(self):
        response = self.post(self.bulky, S.IN_PROGRESS, "On it")
        self.assert_refused(response, self.bulky, "The resident has not paid yet.")

    def test_moving_back_to_waiting_for_payment_is_refused(self):
        self.set(self.bulky, S.PAID)
        response = self.post(self.bulky, S.WAITING_FOR_PAYMENT, "Pay again")
        self.assert_refused(response, self.bulky, "cannot be moved back to 'Waiting for payment'")

    def test_a_stale_form_is_refused(self):
        # The page was shown while the request was received; someone closed it since.
        self.set(self.birth, S.CLOSED)
        response = self.post(self.birth, S.COMPLETED, "Done")
        self.assert_refused(
            response, self.birth, "A request that is 'Closed' cannot be moved to 'Completed'."
        )

    def test_reopening_needs_a_note(self):
        self.set(self.birth, S.COMPLETED)
        response = self.post(self.birth, S.IN_PROGRESS)
        self.assert_refused(response, self.birth, "Write a note to tell the resident why")

    def test_reopening_with_a_note(self):
        self.set(self.birth, S.CLOSED)
        self.post(self.birth, S.IN_PROGRESS, "We missed one item; we will come back on Friday.")
        self.birth.refresh_from_db()
        self.assertEqual(self.birth.status, S.IN_PROGRESS)
        self.assertEqual(len(mail.outbox), 1)

    def test_an_allowed_move_is_made(self):
        self.post(self.birth, S.IN_PROGRESS, "We have started.")
        self.birth.refresh_from_db()
        self.assertEqual(self.birth.status, S.IN_PROGRESS)


class Request:
    """Just what the table reads of a request."""

    def __init__(self, status: str, fee_pence: int | None = None) -> None:
        self.status = status
        self.fee_pence = fee_pence

    def get_status_display(self) -> str:
        return S(self.status).label


def test_payment_news_and_a_resent_request_are_allowed_moves():
    waiting = Request(S.WAITING_FOR_PAYMENT, fee_pence=2500)
    assert statuses.system_can_move(waiting, S.PAID)  # forms.payments.transitions
    assert statuses.system_can_move(waiting, S.CLOSED)  # replaced by the request sent again
    assert not statuses.system_can_move(Request(S.RECEIVED), S.PAID)


def test_nobody_on_staff_moves_a_request_back_to_waiting_for_payment_or_paid():
    for status in S:
        for fee in (None, 2500):
            request = Request(status, fee)
            if status != S.WAITING_FOR_PAYMENT:
                assert not statuses.staff_can_move(request, S.WAITING_FOR_PAYMENT)
            if status not in (S.WAITING_FOR_PAYMENT, S.PAID):
                assert not statuses.staff_can_move(request, S.PAID)


def test_every_staff_move_stays_within_the_kind_of_request():
    for kind, allowed in statuses.STATUSES.items():
        fee = 2500 if kind == statuses.PAID else None
        for status in allowed:
            for to, _label in statuses.staff_choices(Request(status, fee)):
                assert to in allowed, (kind, status, to)
