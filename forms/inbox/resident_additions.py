"""What the resident did from "your requests" (forms.residents), as staff read it on the
request: the information they added, new until a member of staff has opened the request, and
whether they withdrew it."""

from __future__ import annotations

from typing import Any

from django.contrib.admin.utils import quote
from django.urls import reverse
from django.utils import timezone

from forms.flows.models import Submission
from forms.residents.models import AddedInformation, Withdrawal


def added_information(
    submission: Submission, user: Any, download_url_name: str | None
) -> list[dict[str, Any]]:
    """Each addition, oldest first, marked new if no member of staff had seen it before this
    page; seen by `user` from now on."""
    additions = list(
        AddedInformation.objects.filter(submission=submission).prefetch_related("files")
    )
    rows = [
        {
            "when": timezone.localtime(added.created_at),
            "message": added.message,
            "new": added.seen_at is None,
            "files": [
                {
                    "name": upload.original_name,
                    "download_name": upload.site_name,
                    "url": reverse(download_url_name, args=(quote(submission.pk), upload.pk))
                    if download_url_name
                    else "",
                }
                for upload in added.files.all()
            ],
        }
        for added in additions
    ]
    unseen = [added.pk for added in additions if added.seen_at is None]
    if unseen and getattr(user, "is_authenticated", False):
        AddedInformation.objects.filter(pk__in=unseen, seen_at__isnull=True).update(
            seen_at=timezone.now(), seen_by=user
        )
    return rows


def withdrawal(submission: Submission) -> Withdrawal | None:
    return Withdrawal.objects.filter(submission=submission).first()
