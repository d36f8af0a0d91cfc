"""How a request with a fee is paid for: the one hook that the payments app fills when it is
ready. The flows app knows that a fee must be paid before the request goes on, not how."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse

if TYPE_CHECKING:
    from .models import Submission


class Checkout(Protocol):
    def open(self, submission: Submission) -> None:
        """Make the submission's payment for its fee (in the transaction that saves it)."""

    def start(self, submission: Submission, request: HttpRequest) -> HttpResponse:
        """Send the resident to pay: the same checkout again after a double click."""

    def pay_now_url(self, submission: Submission) -> str:
        """Where a "Pay now" button for `submission` posts (with the CSRF token): it sends a
        resident who may pay for it (this session sent it, or looked it up on "track your
        request") to pay, while it is still waiting for payment; anyone else gets a clear page."""


_checkout: Checkout | None = None


def install_checkout(checkout: Checkout) -> None:
    global _checkout
    _checkout = checkout


def get_checkout() -> Checkout:
    if _checkout is None:
        raise ImproperlyConfigured("A flow with a fee needs a checkout: install forms.payments.")
    return _checkout
