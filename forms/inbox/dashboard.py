"""The inbox on the admin's dashboard: a team's newest requests and those waiting longest, for
the flows the team may see (the same permission policy as the inbox itself)."""

from __future__ import annotations

from typing import Any

from django.contrib.admin.utils import quote
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.timesince import timesince
from wagtail.admin.ui.components import Component

from forms.flows.constants import SubmissionStatus
from forms.flows.models import Submission
from forms.flows.permissions import editable_flow_ids, submission_permission_policy

SHOWN = 5
# Requests the council still has to act on. "Waiting for payment" is the resident's turn, and
# "completed" and "closed" are done, so none of those is waiting for the team.
OPEN_STATUSES = [SubmissionStatus.RECEIVED, SubmissionStatus.PAID, SubmissionStatus.IN_PROGRESS]


def visible_requests(request: HttpRequest) -> QuerySet[Submission]:
    return submission_permission_policy.instances_user_has_permission_for(request.user, "view")


def sees_requests(request: HttpRequest) -> bool:
    """Whether the panel is worth showing: only to people who handle some flow's requests (the
    web team, with no flows, would always see an empty panel)."""
    user = request.user
    if not submission_permission_policy.user_has_permission(user, "view"):
        return False
    return user.is_superuser or bool(editable_flow_ids(user))


def inbox_url(**filters: Any) -> str:
    url = reverse("requests:index")
    return f"{url}?{urlencode(filters, doseq=True)}" if filters else url


def request_row(submission: Submission, now: Any) -> dict[str, Any]:
    return {
        "reference": submission.reference,
        "service": submission.service_title,
        "status": submission.get_status_display(),
        "sent": submission.created_at,
        "waiting": timesince(submission.created_at, now, depth=1),
        "url": reverse("requests:inspect", args=[quote(submission.pk)]),
    }


class RequestsPanel(Component):
    """New requests (newest first) and open requests waiting longest (oldest first)."""

    name = "council_requests"
    template_name = "inbox/dashboard_panel.html"
    order = 50  # before Wagtail's own panels: requests are the team's first job

    def __init__(self, request: HttpRequest) -> None:
        self.request = request

    def get_context_data(self, parent_context: Any) -> dict[str, Any]:
        context = super().get_context_data(parent_context)
        requests = visible_requests(self.request).only(
            "pk", "reference", "service_title", "status", "created_at"
        )
        now = timezone.now()
        new = requests.filter(status=SubmissionStatus.RECEIVED)
        waiting = requests.filter(status__in=OPEN_STATUSES)
        context.update(
            {
                "new_requests": [request_row(s, now) for s in new.order_by("-created_at")[:SHOWN]],
                "new_count": new.count(),
                "waiting_requests": [
                    request_row(s, now) for s in waiting.order_by("created_at", "pk")[:SHOWN]
                ],
                "waiting_count": waiting.count(),
                "new_url": inbox_url(status=SubmissionStatus.RECEIVED.value),
                "waiting_url": inbox_url(status=[status.value for status in OPEN_STATUSES]),
                "inbox_url": inbox_url(),
            }
        )
        return context


def add_requests_panel(request: HttpRequest, panels: list[Any]) -> None:
    """For the `construct_homepage_panels` hook."""
    if sees_requests(request):
        panels.append(RequestsPanel(request))
