"""Requests are deleted, with their uploaded files, once their flow's retention period is over."""

from __future__ import annotations

import datetime
import io
import os
import shutil
import uuid
from typing import Any

from django.core.files.base import ContentFile
from django.core.management import call_command
from django.test import TestCase, override_settings
from django.utils import timezone

from forms.flows.models import Submission, SubmissionEvent, SubmissionFile
from tests.flows.factories import make_flow, page, question


def make_submission(flow: Any, reference: str, age_days: int) -> Submission:
    submission = Submission.objects.create(
        reference=reference,
        idempotency_key=uuid.uuid4(),
        flow=flow,
        service_title="Bulky waste",
        language="en-gb",
    )
    submission.events.create(status=submission.status)
    sent = timezone.now() - datetime.timedelta(days=age_days)
    Submission.objects.filter(pk=submission.pk).update(created_at=sent)
    return submission


def attach_file(submission: Submission, name: str) -> SubmissionFile:
    upload = SubmissionFile(
        submission=submission,
        question_name="photo",
        original_name=name,
        content_type="image/jpeg",
        size=5,
    )
    upload.file.save(name, ContentFile(b"photo"), save=True)
    return upload


class DeleteExpiredSubmissionsTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.flow = make_flow([page("items", question("short_text", "items"))], retention_days=30)

    def setUp(self):
        self.expired = make_submission(self.flow, "FCC-2222-AAAA", age_days=31)
        self.kept = make_submission(self.flow, "FCC-2222-BBBB", age_days=29)
        self.expired_file = attach_file(self.expired, "sofa.jpg")
        self.kept_file = attach_file(self.kept, "chair.jpg")
        self.expired_path = self.expired_file.file.path
        self.kept_path = self.kept_file.file.path
        for path in (self.expired_path, self.kept_path):
            self.addCleanup(shutil.rmtree, os.path.dirname(path), True)

    def run_command(self, *args: str) -> str:
        out = io.StringIO()
        call_command("delete_expired_submissions", *args, stdout=out)
        return out.getvalue()

    def test_expired_requests_go_with_their_files_and_history(self):
        output = self.run_command()
        self.assertEqual(
            set(Submission.objects.values_list("reference", flat=True)), {"FCC-2222-BBBB"}
        )
        self.assertFalse(os.path.exists(self.expired_path))
        self.assertFalse(os.path.exists(os.path.dirname(self.expired_path)))
        self.assertTrue(os.path.exists(self.kept_path))
        self.assertFalse(SubmissionFile.objects.filter(pk=self.expired_file.pk).exists())
        self.assertFalse(SubmissionEvent.objects.filter(submission_id=self.expired.pk).exists())
        self.assertIn("FCC-2222-AAAA", output)
        self.assertNotIn("FCC-2222-BBBB", output)
        self.assertIn("Deleted 1 request and 1 file.", output)

    def test_a_dry_run_lists_what_would_go_and_deletes_nothing(self):
        output = self.run_command("--dry-run")
        self.assertEqual(Submission.objects.count(), 2)
        self.assertTrue(os.path.exists(self.expired_path))
        self.assertIn("Would delete FCC-2222-AAAA (Bulky waste", output)
        self.assertIn("Dry run: would delete 1 request and 1 file. Nothing was deleted.", output)

    def test_each_flow_keeps_its_own_period(self):
        self.flow.retention_days = 365
        self.flow.save()
        self.run_command()
        self.assertEqual(Submission.objects.count(), 2)

    def test_requests_of_a_deleted_flow_are_kept_for_a_year_by_default(self):
        orphan_old = make_submission(None, "FCC-2222-CCCC", age_days=366)
        orphan_recent = make_submission(None, "FCC-2222-DDDD", age_days=364)
        self.run_command()
        remaining = set(Submission.objects.values_list("pk", flat=True))
        self.assertNotIn(orphan_old.pk, remaining)
        self.assertIn(orphan_recent.pk, remaining)

    @override_settings(SUBMISSION_RETENTION_FALLBACK_DAYS=10)
    def test_the_period_for_a_deleted_flow_can_be_set(self):
        orphan = make_submission(None, "FCC-2222-EEEE", age_days=11)
        self.run_command()
        self.assertFalse(Submission.objects.filter(pk=orphan.pk).exists())

    def test_a_file_already_missing_does_not_stop_the_run(self):
        os.remove(self.expired_path)
        output = self.run_command()
        self.assertFalse(Submission.objects.filter(pk=self.expired.pk).exists())
        self.assertIn("Deleted 1 request and 1 file.", output)

    def test_nothing_to_delete(self):
        Submission.objects.filter(pk=self.expired.pk).update(created_at=timezone.now())
        self.assertIn("Deleted 0 requests and 0 files.", self.run_command())


class AbandonedUploadsTests(TestCase):
    """Photos uploaded in a form nobody sent are deleted once their session has expired."""

    def test_only_uploads_older_than_a_session_are_deleted(self):
        import os
        import time
        from pathlib import Path

        from django.conf import settings

        from forms.flows.management.commands.delete_expired_submissions import (
            delete_abandoned_uploads,
        )

        folder = Path(settings.PRIVATE_MEDIA_ROOT) / "in-progress"
        folder.mkdir(parents=True, exist_ok=True)
        old, new = folder / "old-photo.png", folder / "new-photo.png"
        old.write_bytes(b"x")
        new.write_bytes(b"x")
        long_ago = time.time() - settings.SESSION_COOKIE_AGE - 60
        os.utime(old, (long_ago, long_ago))
        self.assertEqual(delete_abandoned_uploads(dry_run=True), 1)
        self.assertTrue(old.exists())
        self.assertEqual(delete_abandoned_uploads(), 1)
        self.assertFalse(old.exists())
        self.assertTrue(new.exists())
        new.unlink()
