"""GOV.UK Notify's API answered in the test: a `requests` transport adapter that the real
NotificationsAPIClient's session is given instead of the network. It keeps every request the
client made (URL, headers, JSON body) and answers as Notify does (201 with the notification, or
Notify's error JSON), or fails to connect at all."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from unittest import mock

import requests
from requests.adapters import BaseAdapter

SERVICE_ID = "26785a09-ab16-4eb0-8407-a37497a57506"
SECRET = "3d844edf-8d35-48ac-975b-e847b4f122b0"
API_KEY = f"council_test-{SERVICE_ID}-{SECRET}"
EMAIL_TEMPLATE = "f33517ff-2a88-4f6e-b855-c550268ce08a"
SMS_TEMPLATE = "8a31520f-4751-4789-8ea1-fe54496725eb"
UPDATE_EMAIL_TEMPLATE = "b0e6a1a4-5d3e-4c4e-9a2e-52f5d0f3b5a1"
NOTIFY_SETTINGS = {
    "MESSAGE_PROVIDER": "notify",
    "NOTIFY_API_KEY": API_KEY,
    "NOTIFY_BASE_URL": "https://api.notifications.service.gov.uk",
    "NOTIFY_TEMPLATES": {
        "email": EMAIL_TEMPLATE,
        "sms": SMS_TEMPLATE,
        "status_update.email": UPDATE_EMAIL_TEMPLATE,
    },
    "NOTIFY_CALLBACK_TOKEN": "a-long-random-callback-token-0123456789",
}

ERRORS = {
    400: ("BadRequestError", "Can't send to this recipient using a team-only API key"),
    403: ("AuthError", "Invalid token: API key not found"),
    429: (
        "RateLimitError",
        "Exceeded rate limit for key type LIVE of 3000 requests per 60 seconds",
    ),
    500: ("Exception", "Internal server error"),
}


class FakeNotify(BaseAdapter):
    def __init__(self) -> None:
        super().__init__()
        self.requests: list[requests.PreparedRequest] = []
        self.answers: list[tuple[int, Any] | Exception] = []
        self.ids: list[str] = []

    # what the test asks for

    def answer_error(self, status: int, error: str = "", message: str = "") -> None:
        default_error, default_message = ERRORS.get(status, ("Error", "Error"))
        body = {
            "status_code": status,
            "errors": [{"error": error or default_error, "message": message or default_message}],
        }
        self.answers.append((status, body))

    def fail_to_connect(self) -> None:
        self.answers.append(requests.ConnectionError("Connection refused"))

    def sent(self, n: int = -1) -> dict[str, Any]:
        return json.loads(self.requests[n].body or b"{}")

    # the adapter

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        self.requests.append(request)
        answer = self.answers.pop(0) if self.answers else None
        if isinstance(answer, Exception):
            raise answer
        if answer is None:
            sent = json.loads(request.body or b"{}")
            notification_id = str(uuid.uuid4())
            self.ids.append(notification_id)
            content: dict[str, Any] = {"body": sent.get("personalisation", {}).get("body", "")}
            if "email_address" in sent:
                content |= {"subject": sent["personalisation"]["subject"], "from_email": "x@y"}
            answer = (
                201,
                {
                    "id": notification_id,
                    "reference": sent.get("reference"),
                    "content": content,
                    "uri": f"https://api.notifications.service.gov.uk/v2/notifications/{notification_id}",
                    "template": {"id": sent.get("template_id"), "version": 1, "uri": ""},
                },
            )
        status, body = answer
        response = requests.Response()
        response.status_code = status
        response._content = json.dumps(body).encode()
        response.headers["Content-Type"] = "application/json"
        response.url = request.url or ""
        response.request = request
        response.reason = "Fake"
        return response

    def close(self) -> None:
        pass


@contextmanager
def fake_notify() -> Iterator[FakeNotify]:
    """Every requests Session (the Notify client's included) talks to the fake."""
    fake = FakeNotify()
    with mock.patch.object(requests.Session, "get_adapter", return_value=fake):
        yield fake
