"""Roll up the flow events into daily figures: `manage.py rollup_flow_events` (daily, by cron).

Without options it rolls up every complete day with no roll-up yet, and yesterday again (late
events, such as payment news, may have changed it). A day is complete an hour after its end,
once the journeys that started on it can no longer change; today is never rolled up (the
reports compute it from the events). `--date` rolls up (again) one day, `--since` every day
from that date to the last complete day.
"""

from __future__ import annotations

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from forms.insights.rollup import day_complete, rollup


def _date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError as error:
        raise CommandError(f"Not a date (YYYY-MM-DD): {value}") from error


class Command(BaseCommand):
    help = "Roll up the flow events into daily figures for the drop-off report and the KPIs."

    def add_arguments(self, parser) -> None:
        group = parser.add_mutually_exclusive_group()
        group.add_argument("--date", help="Roll up this day (YYYY-MM-DD), again if done.")
        group.add_argument("--since", help="Roll up every day from this one (YYYY-MM-DD).")

    def handle(self, *args, **options) -> None:
        now = timezone.now()
        days = None
        if options["date"]:
            days = [_date(options["date"])]
        elif options["since"]:
            day = _date(options["since"])
            days = []
            while day_complete(day, now):
                days.append(day)
                day += datetime.timedelta(days=1)
        if days is not None:
            for day in days:
                if not day_complete(day, now):
                    self.stdout.write(f"{day}: not complete yet, left for the live figures")
        done = rollup(days, now=now)
        for day, journeys in done:
            self.stdout.write(f"{day}: {journeys} journeys rolled up")
        self.stdout.write(f"Rolled up {len(done)} day(s).")
