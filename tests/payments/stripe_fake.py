"""A fake Stripe for tests: no network, real stripe-python.

`FakeStripe` is a `stripe.HTTPClient` (the interface stripe-python 16 calls: `request(method,
url, headers, post_data)` returning `(body, status, headers)`). The provider's `StripeClient`
uses it when `forms.payments.stripe_checkout.http_client` is set, which `FakeStripeMixin` does
for each test. Everything else (encoding, headers, retries, error classes) is stripe-python's
own, so what a test sees in `fake.calls` is what would have gone to api.stripe.com.

It answers as Stripe does where it matters here: Checkout Sessions and refunds, the same answer
(a stored error too) for the same `Idempotency-Key`, an idempotency error when a key is reused
with other parameters, and errors queued by the test (500, 402, a dropped connection).

`signed_webhook()` builds a webhook body and its `Stripe-Signature` header with
`stripe.WebhookSignature.generate_signature_header`; `post_webhook()` sends one to our site.
"""

from __future__ import annotations

import copy
import itertools
import json
import secrets
import time
from dataclasses import dataclass, field
from typing import Any
from unittest import mock
from urllib.parse import parse_qsl, urlsplit

import stripe
from django.test import Client
from django.urls import reverse

from forms.payments import stripe_checkout

API_BASE = "https://api.stripe.com"
WEBHOOK_SECRET = "whsec_x"
STRIPE_SETTINGS = {
    "PAYMENT_PROVIDER": "stripe",
    "STRIPE_SECRET_KEY": "sk_test_x",
    "STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET,
}


def nest(form: list[tuple[str, str]]) -> dict[str, Any]:
    """Stripe's form encoding back into objects: `a[b][0][c]=1` is {"a": {"b": [{"c": "1"}]}}."""
    root: dict[str, Any] = {}
    for key, value in form:
        parts = key.replace("]", "").split("[")
        node = root
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = value
    return listify(root)


def listify(node: Any) -> Any:
    if not isinstance(node, dict):
        return node
    node = {k: listify(v) for k, v in node.items()}
    if node and all(k.isdigit() for k in node):
        return [node[k] for k in sorted(node, key=int)]
    return node


@dataclass
class Call:
    """One request stripe-python made."""

    method: str
    url: str
    headers: dict[str, str]
    form: dict[str, str]  # the form fields exactly as sent, e.g. "line_items[0][quantity]"
    params: dict[str, Any]  # the same, nested
    status: int = 0
    dropped: bool = False  # the connection failed: Stripe never saw it

    @property
    def path(self) -> str:
        return urlsplit(self.url).path

    @property
    def idempotency_key(self) -> str | None:
        return self.headers.get("Idempotency-Key")

    @property
    def api_version(self) -> str | None:
        return self.headers.get("Stripe-Version")


@dataclass
class Failure:
    status: int
    body: dict[str, Any] = field(default_factory=dict)
    connection: bool = False


class FakeStripe(stripe.HTTPClient):
    name = "fake-stripe"

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[Call] = []
        self.sessions: dict[str, dict[str, Any]] = {}
        self.refunds: dict[str, dict[str, Any]] = {}
        self.charges: dict[str, dict[str, Any]] = {}  # by payment intent
        self.failures: list[Failure] = []
        self.replies: dict[str, tuple[dict[str, str], tuple[str, int, dict[str, str]]]] = {}
        self.ids = itertools.count(1)

    # what a test sets up

    def fail_next(
        self,
        status: int = 500,
        error_type: str = "api_error",
        message: str = "Something went wrong on Stripe's end.",
        code: str | None = None,
        times: int = 1,
    ) -> None:
        """The next `times` requests get this error (stored against their idempotency key)."""
        error = {"type": error_type, "message": message}
        if code:
            error["code"] = code
        self.failures += [Failure(status, {"error": error}) for _ in range(times)]

    def drop_next(self, times: int = 1) -> None:
        """The next `times` requests never reach Stripe (a connection error)."""
        self.failures += [Failure(0, connection=True) for _ in range(times)]

    def complete(self, session_id: str, payment_status: str = "paid") -> dict[str, Any]:
        """The resident paid (or, with "unpaid", chose a method that clears later)."""
        session = self.sessions[session_id]
        session["status"] = "complete"
        session["payment_status"] = payment_status
        if not session["payment_intent"]:
            session["payment_intent"] = f"pi_test_{secrets.token_hex(12)}"
        if payment_status == "paid":
            self.charge(session)
        return copy.deepcopy(session)

    def settle(self, session_id: str, succeeded: bool = True) -> dict[str, Any]:
        """A delayed payment method cleared (or did not)."""
        session = self.sessions[session_id]
        session["payment_status"] = "paid" if succeeded else "unpaid"
        if succeeded:
            self.charge(session)
        return copy.deepcopy(session)

    def expire(self, session_id: str) -> dict[str, Any]:
        session = self.sessions[session_id]
        session.update(status="expired", url=None)
        return copy.deepcopy(session)

    def charge(self, session: dict[str, Any]) -> dict[str, Any]:
        intent = session["payment_intent"]
        return self.charges.setdefault(
            intent,
            {
                "id": f"ch_test_{secrets.token_hex(12)}",
                "object": "charge",
                "amount": session["amount_total"],
                "amount_captured": session["amount_total"],
                "amount_refunded": 0,
                "currency": session["currency"],
                "payment_intent": intent,
                "paid": True,
                "refunded": False,
                "metadata": dict(session["metadata"]),
            },
        )

    def refund_charge(self, intent: str, amount: int) -> dict[str, Any]:
        """Someone refunded `amount` in the Stripe dashboard: the charge as Stripe now has it."""
        charge = self.charges[intent]
        charge["amount_refunded"] += amount
        charge["refunded"] = charge["amount_refunded"] >= charge["amount"]
        return copy.deepcopy(charge)

    # what a test checks

    def calls_to(self, method: str, path: str) -> list[Call]:
        return [
            c
            for c in self.calls
            if c.method == method and (c.path == path or c.path.startswith(path + "/"))
        ]

    @property
    def session_creates(self) -> list[Call]:
        return [c for c in self.calls if c.method == "post" and c.path == "/v1/checkout/sessions"]

    @property
    def refund_creates(self) -> list[Call]:
        return [c for c in self.calls if c.method == "post" and c.path == "/v1/refunds"]

    def last_session(self) -> dict[str, Any]:
        return copy.deepcopy(list(self.sessions.values())[-1])

    # stripe.HTTPClient

    def request(self, method, url, headers, post_data=None, *, _usage=None):
        headers = dict(headers or {})
        raw = post_data.decode() if isinstance(post_data, bytes) else (post_data or "")
        if method == "get":
            raw = urlsplit(url).query
        form = parse_qsl(raw, keep_blank_values=True)
        call = Call(method, url, headers, dict(form), nest(form))
        self.calls.append(call)
        if self.failures and self.failures[0].connection:
            self.failures.pop(0)
            call.dropped = True
            raise stripe.APIConnectionError(
                "Unexpected error communicating with Stripe. (Network error: fake)",
                should_retry=True,
            )
        key = call.idempotency_key if method == "post" else None
        if key and key in self.replies:
            sent, reply = self.replies[key]
            if sent != call.form:
                reply = self.error(
                    400,
                    "idempotency_error",
                    "Keys for idempotent requests can only be used with the same parameters "
                    "they were first used with.",
                )
            else:
                reply = (reply[0], reply[1], {**reply[2], "idempotent-replayed": "true"})
        else:
            if self.failures:
                failure = self.failures.pop(0)
                reply = self.answer(failure.status, failure.body)
            else:
                reply = self.route(method, call)
            if key:
                self.replies[key] = (call.form, reply)
        call.status = reply[1]
        return reply

    def request_stream(self, method, url, headers, post_data=None, *, _usage=None):
        raise NotImplementedError("The fake Stripe does not stream")

    def close(self) -> None:
        pass

    def _sleep_time_seconds(self, num_retries: int) -> float:
        return 0.0  # stripe-python's retries, without the wait

    # answering

    def answer(self, status: int, body: dict[str, Any]) -> tuple[str, int, dict[str, str]]:
        headers = {"request-id": f"req_{secrets.token_hex(7)}", "content-type": "application/json"}
        if status >= 500:
            headers["stripe-should-retry"] = "false"  # replayed for this key anyway
        return json.dumps(body), status, headers

    def error(self, status: int, error_type: str, message: str, param: str | None = None):
        error = {"type": error_type, "message": message}
        if param:
            error["param"] = param
        return self.answer(status, {"error": error})

    def route(self, method: str, call: Call) -> tuple[str, int, dict[str, str]]:
        path = call.path
        if method == "post" and path == "/v1/checkout/sessions":
            return self.create_session(call.params)
        if method == "get" and path.startswith("/v1/checkout/sessions/"):
            session = self.sessions.get(path.rsplit("/", 1)[1])
            if session is None:
                return self.error(404, "invalid_request_error", "No such checkout.session")
            return self.answer(200, session)
        if method == "post" and path == "/v1/refunds":
            return self.create_refund(call.params)
        return self.error(404, "invalid_request_error", f"Unrecognized request URL ({path})")

    def create_session(self, params: dict[str, Any]) -> tuple[str, int, dict[str, str]]:
        for required in ("mode", "line_items", "success_url"):
            if required not in params:
                return self.error(
                    400, "invalid_request_error", f"Missing required param: {required}.", required
                )
        expires_at = int(params.get("expires_at") or time.time() + 24 * 3600)
        if not 30 * 60 <= expires_at - time.time() <= 24 * 3600:
            return self.error(
                400,
                "invalid_request_error",
                "The `expires_at` timestamp must be between 30 minutes and 24 hours from "
                "Checkout Session creation.",
                "expires_at",
            )
        item = params["line_items"][0]
        price = item["price_data"]
        amount = int(price["unit_amount"]) * int(item.get("quantity", 1))
        session_id = f"cs_test_a1{secrets.token_hex(24)}"
        session = {
            "id": session_id,
            "object": "checkout.session",
            "amount_subtotal": amount,
            "amount_total": amount,
            "cancel_url": params.get("cancel_url"),
            "client_reference_id": params.get("client_reference_id"),
            "created": int(time.time()),
            "currency": price["currency"],
            "customer_email": params.get("customer_email"),
            "expires_at": expires_at,
            "livemode": False,
            "metadata": params.get("metadata", {}),
            "mode": params["mode"],
            "payment_intent": None,
            "payment_method_types": params.get("payment_method_types", ["card"]),
            "payment_status": "unpaid",
            "status": "open",
            "success_url": params["success_url"],
            "url": f"https://checkout.stripe.com/c/pay/{session_id}#fidkdWxOYHwnPyd1blpxYHZxWjA0",
        }
        self.sessions[session_id] = session
        return self.answer(200, session)

    def create_refund(self, params: dict[str, Any]) -> tuple[str, int, dict[str, str]]:
        intent = params.get("payment_intent")
        charge = self.charges.get(intent)
        if charge is None:
            return self.error(
                400,
                "invalid_request_error",
                f"No such payment_intent: '{intent}'",
                "payment_intent",
            )
        amount = int(params.get("amount") or charge["amount"] - charge["amount_refunded"])
        if amount > charge["amount"] - charge["amount_refunded"]:
            return self.error(
                400,
                "invalid_request_error",
                f"Refund amount ({amount}) is greater than unrefunded amount on charge.",
                "amount",
            )
        charge["amount_refunded"] += amount
        charge["refunded"] = charge["amount_refunded"] >= charge["amount"]
        refund = {
            "id": f"re_test_{next(self.ids):04d}{secrets.token_hex(10)}",
            "object": "refund",
            "amount": amount,
            "charge": charge["id"],
            "currency": charge["currency"],
            "metadata": params.get("metadata", {}),
            "payment_intent": intent,
            "status": "succeeded",
            "created": int(time.time()),
        }
        self.refunds[refund["id"]] = refund
        return self.answer(200, refund)


class FakeStripeMixin:
    """For a TestCase: `self.stripe` is a new FakeStripe that the provider talks to."""

    def setUp(self) -> None:
        super().setUp()
        self.stripe = FakeStripe()
        patcher = mock.patch.object(stripe_checkout, "http_client", self.stripe)
        patcher.start()
        self.addCleanup(patcher.stop)


# webhooks


def event(
    event_type: str, obj: dict[str, Any], event_id: str | None = None, created: int | None = None
) -> dict[str, Any]:
    """A Stripe event (a "snapshot" webhook body) about `obj`."""
    return {
        "id": event_id or f"evt_test_{secrets.token_hex(12)}",
        "object": "event",
        "api_version": stripe_checkout.STRIPE_API_VERSION,
        "created": created or int(time.time()),
        "data": {"object": copy.deepcopy(obj)},
        "livemode": False,
        "pending_webhooks": 1,
        "request": {"id": None, "idempotency_key": None},
        "type": event_type,
    }


def signed_webhook(
    body: dict[str, Any] | str, secret: str = WEBHOOK_SECRET, timestamp: int | None = None
) -> tuple[str, str]:
    """The body as Stripe sends it and its Stripe-Signature header."""
    payload = body if isinstance(body, str) else json.dumps(body, indent=2)
    header = stripe.WebhookSignature.generate_signature_header(payload, secret, timestamp=timestamp)
    return payload, header


def stale_webhook(body: dict[str, Any] | str, secret: str = WEBHOOK_SECRET) -> tuple[str, str]:
    """Correctly signed, but ten minutes ago (the tolerance is five): a replayed request."""
    return signed_webhook(body, secret, timestamp=int(time.time()) - 600)


def post_webhook(
    client: Client,
    body: dict[str, Any] | str,
    secret: str = WEBHOOK_SECRET,
    timestamp: int | None = None,
    header: str | None = None,
):
    """Send a (signed) webhook to our endpoint, as Stripe would."""
    payload, signature = signed_webhook(body, secret, timestamp)
    extra = {} if header == "" else {"HTTP_STRIPE_SIGNATURE": header or signature}
    return client.post(
        reverse("payment_webhook", args=["stripe"]),
        data=payload,
        content_type="application/json",
        **extra,
    )


# a paid flow to pay for


class PaidFlowMixin:
    """A bulky waste flow (£25 for up to 3 items, £8 each after) at /bins/bulky-waste/apply/,
    and `send()`, which answers it and presses "Send" as a resident would."""

    base = "/bins/bulky-waste/apply/"
    email = "sam@example.org"

    @classmethod
    def setUpTestData(cls) -> None:
        from tests.flows.factories import make_flow, page, question

        super().setUpTestData()
        cls.flow = make_flow(
            [
                page("items", question("quantity", "items", "How many items?", max_value=10)),
                page("contact", question("email", "email", "Email address")),
            ],
            fee_handler="bulky-waste",
        )

    def answer(self, items: str = "5") -> str:
        """Answer every question; returns the check-your-answers token."""
        self.client.get(self.base)
        management = f"flow-{self.flow.pk}-current_step"
        self.client.post(f"{self.base}items/", {management: "items", "items-items": items})
        self.client.post(
            f"{self.base}contact/", {management: "contact", "contact-email": self.email}
        )
        return self.client.get(f"{self.base}check-your-answers/").context["token"]

    def send(self, items: str = "5", extra: dict[str, Any] | None = None, token: str = ""):
        token = token or self.answer(items)
        return self.client.post(
            f"{self.base}check-your-answers/", {"token": token, **(extra or {})}
        ), token


def make_payment(amount_pence: int = 4100, email: str = "sam@example.org", flow: Any = None):
    """A submission waiting for payment, and its (not yet started) Stripe payment."""
    import uuid as uuid_module

    from forms.flows.constants import SubmissionStatus
    from forms.flows.models import Submission
    from forms.payments.models import Payment

    submission, _created = Submission.create_once(
        uuid_module.uuid4(),
        flow=flow,
        service_title="Bulky waste collection",
        language="en-gb",
        answers=[{"name": "email", "label": "Email", "value": email, "display": email}],
        contact_email=email,
        fee_pence=amount_pence,
        status=SubmissionStatus.WAITING_FOR_PAYMENT,
    )
    return Payment.objects.create(
        submission=submission, provider="stripe", amount_pence=amount_pence
    )
