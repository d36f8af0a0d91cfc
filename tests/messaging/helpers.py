"""A request to send messages about, as the flows' notification tests make one."""

from __future__ import annotations

import uuid
from typing import Any

from forms.flows.constants import SubmissionStatus
from forms.flows.models import Submission
from tests.flows.factories import make_flow, page, question


def make_message_flow():
    return make_flow([page("items", question("short_text", "items", "What to collect?"))])


def make_submission(flow, **fields: Any) -> Submission:
    values = {
        "flow": flow,
        "service_title": "Bulky waste",
        "language": "en-gb",
        "answers": [
            {"name": "items", "label": "What to collect?", "value": "A sofa", "display": "A sofa"}
        ],
        "contact_email": "resident@example.com",
        "status": SubmissionStatus.RECEIVED,
        **fields,
    }
    submission, _created = Submission.create_once(uuid.uuid4(), **values)
    return submission
