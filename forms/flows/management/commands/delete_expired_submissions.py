"""Delete residents' requests older than their flow keeps them, with their uploaded files."""

from __future__ import annotations

import contextlib
import datetime
import os
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.db.models import Q, QuerySet
from django.utils import timezone

from forms.flows.models import FlowPage, Submission, SubmissionFile

BATCH_SIZE = 200


def expired_submissions(now: datetime.datetime | None = None) -> QuerySet[Submission]:
    """Requests sent longer ago than their flow's `retention_days`; a request whose flow was
    deleted is kept for SUBMISSION_RETENTION_FALLBACK_DAYS (365 unless set)."""
    now = now or timezone.now()
    fallback_days = getattr(settings, "SUBMISSION_RETENTION_FALLBACK_DAYS", 365)
    expired = Q(flow__isnull=True, created_at__lt=now - datetime.timedelta(days=fallback_days))
    retention_periods = FlowPage.objects.values_list("retention_days", flat=True).distinct()
    for days in retention_periods:
        cutoff = now - datetime.timedelta(days=days)
        expired |= Q(flow__retention_days=days, created_at__lt=cutoff)
    return Submission.objects.filter(expired).order_by("created_at", "pk")


def delete_stored_file(upload: SubmissionFile) -> None:
    """The file itself, then its folder (submissions/<reference>/) once it is empty, so not even
    the reference is left on disk."""
    storage = upload.file.storage
    name = upload.file.name
    if not name:
        return
    storage.delete(name)
    try:
        folder = storage.path(os.path.dirname(name))
    except NotImplementedError:  # storage without folders, such as S3
        return
    with contextlib.suppress(OSError):  # not empty, or already gone
        os.rmdir(folder)


class Command(BaseCommand):
    help = (
        "Delete requests older than their flow's retention period, with their uploaded files. "
        "Requests whose flow was deleted are kept for SUBMISSION_RETENTION_FALLBACK_DAYS."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="List what would be deleted, and delete nothing.",
        )

    def handle(self, *args: Any, dry_run: bool = False, **options: Any) -> None:
        # The rows are read before any is deleted: deleting while a cursor reads the same table
        # is not safe on every database.
        pks = list(expired_submissions().values_list("pk", flat=True))
        requests = files = 0
        for start in range(0, len(pks), BATCH_SIZE):
            batch = (
                Submission.objects.filter(pk__in=pks[start : start + BATCH_SIZE])
                .order_by("created_at", "pk")
                .prefetch_related("files")
            )
            for submission in batch:
                uploads = list(submission.files.all())
                requests += 1
                files += len(uploads)
                sent = timezone.localtime(submission.created_at).date().isoformat()
                self.stdout.write(
                    f"{'Would delete' if dry_run else 'Deleting'} {submission.reference} "
                    f"({submission.service_title}, sent {sent}, {plural(len(uploads), 'file')})"
                )
                if dry_run:
                    continue
                # Files first: if this stops half-way, the next run finds the row and finishes
                # the job, whereas a row deleted first would leave its files on disk for ever.
                for upload in uploads:
                    delete_stored_file(upload)
                submission.delete()

        abandoned = delete_abandoned_uploads(dry_run=dry_run)
        self.stdout.write(
            f"{'Would delete' if dry_run else 'Deleted'} {plural(abandoned, 'upload')} "
            "from forms that were never sent."
        )
        summary = f"{plural(requests, 'request')} and {plural(files, 'file')}"
        if dry_run:
            self.stdout.write(f"Dry run: would delete {summary}. Nothing was deleted.")
        else:
            self.stdout.write(self.style.SUCCESS(f"Deleted {summary}."))


def delete_abandoned_uploads(dry_run: bool = False, now: float | None = None) -> int:
    """Files uploaded in flows that were never sent wait in PRIVATE_MEDIA_ROOT/in-progress;
    once the session that held them has expired nobody can send them, so they go."""
    folder = Path(settings.PRIVATE_MEDIA_ROOT) / "in-progress"
    cutoff = (now or time.time()) - settings.SESSION_COOKIE_AGE
    old = [f for f in folder.glob("*") if f.is_file() and f.stat().st_mtime < cutoff]
    if not dry_run:
        for path in old:
            path.unlink(missing_ok=True)
    return len(old)


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"
