"""Send the emails the mail server did not take the first time (forms.flows.models.PendingEmail).

Run it from cron every 5 minutes:

    */5 * * * *  cd /srv/council && .venv/bin/python manage.py send_pending_emails

Each email is tried again after 5, 10, 20 and 40 minutes, then every hour, and given up (marked
"could not be sent", its contents cleared) a day after the first try. Two runs at once do not
send the same email twice: each takes its rows with SELECT ... FOR UPDATE SKIP LOCKED.
"""

from __future__ import annotations

import smtplib
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import connection, transaction
from django.utils import timezone

from forms.flows.models import PendingEmail
from forms.flows.notifications import describe_error, send_email

BATCH_SIZE = 100


class Command(BaseCommand):
    help = "Send residents' emails that could not be sent before (cron: every 5 minutes)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--all-now",
            action="store_true",
            help="Try every waiting email now, however recently it was last tried.",
        )

    def handle(self, *args: Any, all_now: bool = False, **options: Any) -> None:
        now = timezone.now()
        due = PendingEmail.objects.filter(state=PendingEmail.State.WAITING)
        if not all_now:
            due = due.filter(next_attempt_at__lte=now)
        pks = list(due.order_by("next_attempt_at", "pk").values_list("pk", flat=True))
        sent = failed = given_up = 0
        for pk in pks:
            outcome = self.try_one(pk)
            sent += outcome == "sent"
            failed += outcome == "waiting"
            given_up += outcome == "failed"
        self.stdout.write(
            f"Sent {sent}, still waiting {failed}, given up {given_up} (of {len(pks)} due)."
        )

    def try_one(self, pk: int) -> str:
        with transaction.atomic():
            rows = PendingEmail.objects.filter(pk=pk, state=PendingEmail.State.WAITING)
            if connection.features.has_select_for_update_skip_locked:
                rows = rows.select_for_update(skip_locked=True)
            email = rows.select_related("submission").first()
            if email is None:
                return "taken"  # sent by another run meanwhile
            reference = email.submission.reference
            try:
                send_email(email.to, email.subject, email.body)
            except (smtplib.SMTPException, OSError) as error:
                email.mark_failed_attempt(describe_error(error))
                self.stderr.write(
                    f"{email.get_kind_display()} email for {reference}: not sent "
                    f"({email.last_error}), tried {email.attempts} times."
                )
                return email.state
            email.mark_sent()
            self.stdout.write(f"{email.get_kind_display()} email for {reference}: sent.")
            return email.state
