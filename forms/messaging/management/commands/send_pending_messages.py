"""Send the messages that could not be sent the first time (a mail server or GOV.UK Notify down,
a rate limit), and any whose task was lost.

Run it from cron every 5 minutes:

    */5 * * * *  cd /srv/council && .venv/bin/python manage.py send_pending_messages

Each message is tried again after 5, 10, 20 and 40 minutes, then every hour, and given up
("could not be sent", its contents cleared) a day after it was written. Two runs at once, or a
run and a task, never send the same message twice: each takes its row with SELECT ... FOR
UPDATE SKIP LOCKED (forms.messaging.sending.attempt).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from forms.messaging.constants import SENDABLE, State
from forms.messaging.models import Message
from forms.messaging.sending import attempt, due_messages


class Command(BaseCommand):
    help = "Send residents' messages that could not be sent before (cron: every 5 minutes)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--all-now",
            action="store_true",
            help="Try every waiting message now, however recently it was last tried.",
        )

    def handle(self, *args: Any, all_now: bool = False, **options: Any) -> None:
        pks = due_messages(all_now=all_now)
        sent = failed = given_up = 0
        for pk in pks:
            outcome = attempt(pk)
            if outcome == "taken":
                continue
            message = Message.objects.select_related("submission").get(pk=pk)
            reference = message.submission.reference if message.submission else "no request"
            label = f"{message.get_kind_display()} {message.get_channel_display().lower()}"
            if outcome in SENDABLE:
                failed += 1
                self.stderr.write(
                    f"{label} for {reference}: not sent ({message.last_error}), "
                    f"tried {message.attempts} times."
                )
            elif outcome in (State.SENT, State.DELIVERED):
                sent += 1
                self.stdout.write(f"{label} for {reference}: sent.")
            else:
                given_up += 1
                self.stderr.write(f"{label} for {reference}: given up ({message.last_error}).")
        self.stdout.write(
            f"Sent {sent}, still waiting {failed}, given up {given_up} (of {len(pks)} due)."
        )
