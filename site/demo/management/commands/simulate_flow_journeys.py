"""`manage.py simulate_flow_journeys`: made-up resident journeys through every live flow, so the
drop-off report, the satisfaction figures and the service KPIs have something to show on a
demo site (`make db` runs it).

For each of the last N days (default 60, ending today) each flow gets a plausible number of
journeys. A journey is the events the runtime would record: started, each page viewed and
completed in the flow's order (conditional pages on about half the journeys), errors on the
real questions with the codes their fields raise ("required", "invalid", "rule", ...),
going back, changing an answer from check your answers, giving up (more often on long pages,
file uploads and at payment), end points, payment for flows with a fee, and submitted. Seconds
to minutes pass on each page, depending on the questions. About 30% of the journeys that
finish answer the satisfaction question, mostly satisfied, some with a short comment. Each
service with a flow gets phone, face-to-face and post volumes for the last 6 months (only the
months staff have not entered).

Simulated journeys are recognisable: their ids all start with the same 32 bits (`MARKER`), so
`--reset` removes exactly them (and their satisfaction answers) before simulating again, and a
second run without it does nothing. The roll-up (`rollup_flow_events`) is run afterwards for
the simulated days, when that command exists.
"""

from __future__ import annotations

import datetime
import math
import random
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from io import StringIO
from typing import Any

from django.conf import settings
from django.core.management import call_command, get_commands
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from forms.flows.constants import CHECK_ANSWERS_STEP
from forms.flows.models import FlowPage
from forms.insights.models import ChannelVolume, FlowEvent, SatisfactionResponse

MARKER = 0x5111A7ED  # the first 32 bits of every simulated journey id
FIRST_ID = uuid.UUID(int=MARKER << 96)
LAST_ID = uuid.UUID(int=(MARKER << 96) | ((1 << 96) - 1))

# Seconds on a page, per question: (typical, spread) of a log-normal.
SECONDS = {
    "yes_no": (7, 0.5),
    "radios": (10, 0.5),
    "checkboxes": (14, 0.5),
    "select": (9, 0.5),
    "declaration": (9, 0.6),
    "short_text": (14, 0.6),
    "email": (14, 0.4),
    "uk_phone": (12, 0.4),
    "contact_preference": (18, 0.5),
    "whole_number": (8, 0.5),
    "quantity": (8, 0.5),
    "money": (12, 0.5),
    "date": (20, 0.5),
    "address": (35, 0.5),
    "location": (50, 0.6),
    "long_text": (90, 0.8),
    "file_upload": (70, 0.7),
}
# How often a question stops a resident at least once, and with which error codes.
FAILS = {
    "yes_no": (0.03, ["required"]),
    "radios": (0.04, ["required"]),
    "checkboxes": (0.05, ["required"]),
    "select": (0.03, ["required"]),
    "declaration": (0.05, ["required"]),
    "short_text": (0.04, ["required", "required", "max_length"]),
    "email": (0.09, ["invalid", "invalid", "required"]),
    "uk_phone": (0.08, ["invalid", "invalid", "required"]),
    "contact_preference": (0.08, ["contact_email", "contact_mobile", "required"]),
    "whole_number": (0.06, ["invalid", "rule", "required"]),
    "quantity": (0.07, ["rule", "rule", "required"]),
    "money": (0.07, ["invalid", "required"]),
    "date": (0.12, ["invalid", "invalid", "rule", "required"]),
    "address": (0.13, ["address_postcode", "address_postcode", "address_uprn"]),
    "location": (0.10, ["location_postcode", "location_uprn", "description_too_long"]),
    "long_text": (0.04, ["required", "max_length"]),
    "file_upload": (0.09, ["file_type", "too_big", "required"]),
}
# Extra chance of giving up on a page, per question of the type.
HARD = {"file_upload": 0.05, "address": 0.02, "location": 0.03, "long_text": 0.02, "date": 0.01}
SOURCES = (["service_page", "search", "elsewhere"], [62, 23, 15])
DEVICES = (["mobile", "desktop", "tablet", "unknown"], [58, 32, 8, 2])
# Journeys per hour of the day (local time), for when journeys start.
HOURS = [1, 1, 0, 0, 0, 1, 2, 4, 7, 9, 10, 10, 11, 10, 9, 9, 8, 8, 9, 10, 9, 7, 4, 2]
RATINGS = [5, 4, 3, 2, 1]
RATING_WEIGHTS = {
    "sent": [46, 31, 11, 7, 5],
    "result": [50, 30, 10, 6, 4],
    "end_point": [12, 22, 30, 20, 16],
}
COMMENTS = {
    5: ["Quick and easy.", "Much easier than phoning.", "Done in a few minutes, thank you."],
    4: ["Easy enough.", "Clear questions.", "Good, but I had to look up my reference."],
    3: ["It was OK.", "Took longer than I expected.", "Not sure what happens next."],
    2: ["The address finder did not find my flat.", "Too many questions.", "Confusing."],
    1: ["I could not do what I needed online.", "It kept saying my date was wrong."],
}


@dataclass
class Step:
    name: str
    end_point: bool
    conditional: bool
    questions: list[tuple[str, str, bool]] = field(default_factory=list)  # name, type, required


@dataclass
class Flow:
    page: Any
    steps: list[Step]
    paid: bool
    lookup: bool
    daily: float  # journeys started on a usual weekday

    @classmethod
    def of(cls, page: Any, rng: random.Random) -> Flow:
        steps = []
        for block in page.steps:
            condition = block.value.get("show_if") or {}
            step = Step(
                name=block.value["name"],
                end_point=block.block_type == "end_point",
                conditional=bool(condition and condition.get("question")),
            )
            for question in page.questions_in(block):
                step.questions.append(
                    (
                        question.value["name"],
                        question.block_type,
                        bool(question.value.get("required", True)),
                    )
                )
            steps.append(step)
        return cls(
            page=page,
            steps=steps,
            paid=page.has_fee,
            lookup=bool(page.result_handler),
            daily=rng.uniform(8, 20) if page.result_handler else rng.uniform(2.5, 9),
        )


def simulated(queryset: Any) -> Any:
    return queryset.filter(journey__gte=FIRST_ID, journey__lte=LAST_ID)


def journey_id(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=(MARKER << 96) | rng.getrandbits(96), version=4)


class Journey:
    """One resident's way through one flow: a list of events and how it ended."""

    def __init__(self, flow: Flow, rng: random.Random, start: datetime.datetime) -> None:
        self.flow = flow
        self.rng = rng
        self.at = start
        self.id = journey_id(rng)
        self.source = rng.choices(*SOURCES)[0]
        self.device = rng.choices(*DEVICES)[0]
        self.language = settings.LANGUAGE_CODE
        self.events: list[FlowEvent] = []
        self.outcome = ""  # "sent", "end_point", "result" or "" (gave up)
        self.ended_at = ""  # "confirmation" or the end point's name

    def event(self, kind: str, step: str = "", **detail: str) -> None:
        self.events.append(
            FlowEvent(
                flow_id=self.flow.page.pk,
                journey=self.id,
                kind=kind,
                step=step,
                field=detail.get("field", ""),
                error=detail.get("error", ""),
                language=self.language,
                device=self.device,
                source=self.source,
                created_at=self.at,
            )
        )

    def wait(self, typical: float, spread: float = 0.5) -> None:
        seconds = self.rng.lognormvariate(math.log(typical), spread)
        self.at += datetime.timedelta(seconds=max(1.0, min(seconds, 1800.0)))

    def page_seconds(self, step: Step) -> float:
        return sum(SECONDS.get(kind, (12, 0.5))[0] for _, kind, _ in step.questions) or 8

    def walk(self) -> None:
        rng = self.rng
        self.event("started")
        shown: list[Step] = []
        end_chance = 0.07
        for step in self.flow.steps:
            if step.end_point:
                if rng.random() < end_chance:
                    self.wait(2, 0.3)
                    self.event("end_point", step.name)
                    self.outcome, self.ended_at = "end_point", step.name
                    self.wait(40, 0.7)
                    return
                continue
            if step.conditional and rng.random() < 0.5:
                continue
            self.wait(2, 0.3)
            if shown and rng.random() < 0.03:  # back to the page before, and on again
                previous = shown[-1]
                self.event("back", previous.name)
                self.event("step_viewed", previous.name)
                self.wait(6, 0.5)
                self.event("step_completed", previous.name)
                self.wait(1.5, 0.3)
            self.event("step_viewed", step.name)
            if rng.random() < self.give_up_chance(step, first=not shown):
                self.wait(self.page_seconds(step) * 0.6, 0.7)
                return
            if not self.answer(step):
                return
            shown.append(step)
        if self.flow.lookup:  # the answer is shown where check your answers would be
            self.event("end_point", CHECK_ANSWERS_STEP)
            self.outcome, self.ended_at = "result", CHECK_ANSWERS_STEP
            return
        self.check_and_send(shown)

    def give_up_chance(self, step: Step, first: bool) -> float:
        chance = 0.02 + 0.012 * len(step.questions)
        chance += sum(HARD.get(kind, 0) for _, kind, _ in step.questions)
        return chance + (0.05 if first else 0)

    def answer(self, step: Step) -> bool:
        """The page's questions answered (after errors, perhaps); False if the resident gave
        up after an error."""
        rng = self.rng
        self.wait(self.page_seconds(step), 0.6)
        failures = []
        for name, kind, required in step.questions:
            chance, codes = FAILS.get(kind, (0.04, ["required"]))
            codes = [c for c in codes if required or c != "required"]
            if codes and rng.random() < chance:
                failures.append((name, rng.choice(codes)))
        if failures:
            for name, code in failures:
                self.event("step_failed", step.name, field=name, error=code)
            if rng.random() < 0.12:
                self.wait(30, 0.8)
                return False
            self.wait(15 * len(failures), 0.6)
        self.event("step_completed", step.name)
        return True

    def check_and_send(self, shown: list[Step]) -> None:
        rng = self.rng
        self.wait(2, 0.3)
        self.event("check_viewed", CHECK_ANSWERS_STEP)
        self.wait(25, 0.6)
        if rng.random() < 0.03:
            return
        if shown and rng.random() < 0.1:
            step = rng.choice(shown)
            self.event("change", step.name)
            self.event("step_viewed", step.name)
            self.wait(10, 0.5)
            self.event("step_completed", step.name)
            self.wait(1.5, 0.3)
            self.event("check_viewed", CHECK_ANSWERS_STEP)
            self.wait(10, 0.5)
        self.event("submitted", CHECK_ANSWERS_STEP)
        if self.flow.paid and not self.pay():
            return
        self.outcome, self.ended_at = "sent", "confirmation"
        self.wait(30, 0.6)

    def pay(self) -> bool:
        rng = self.rng
        for attempt in range(2):
            self.wait(3, 0.3)
            self.event("payment_started", "payment")
            self.wait(60, 0.5)
            roll = rng.random()
            if roll < (0.86 if attempt == 0 else 0.9):
                self.event("payment_succeeded", "payment")
                return True
            self.event("payment_cancelled" if roll < 0.94 else "payment_failed", "payment")
            if rng.random() < 0.5:  # gives up at payment
                return False
        return False

    def satisfaction(self) -> SatisfactionResponse | None:
        if self.outcome not in ("sent", "end_point", "result") or self.rng.random() >= 0.3:
            return None
        rng = self.rng
        rating = rng.choices(RATINGS, RATING_WEIGHTS[self.outcome])[0]
        comment = rng.choice(COMMENTS[rating]) if rng.random() < 0.3 else ""
        return SatisfactionResponse(
            flow_id=self.flow.page.pk,
            rating=rating,
            comment=comment,
            asked_at=self.ended_at,
            journey=self.id,
            language=self.language,
            created_at=self.at,
        )


def days_back(today: datetime.date, days: int) -> list[datetime.date]:
    return [today - datetime.timedelta(days=n) for n in range(days - 1, -1, -1)]


def journeys_for(
    flow: Flow, day: datetime.date, index: int, total: int, rng: random.Random, now: Any
) -> Iterator[Journey]:
    weekend = day.weekday() >= 5
    mean = flow.daily * (0.6 if weekend else 1.0) * (0.85 + 0.3 * index / max(total, 1))
    count = max(0, round(rng.gauss(mean, math.sqrt(mean))))
    tz = timezone.get_current_timezone()
    midnight = datetime.datetime.combine(day, datetime.time(), tzinfo=tz)
    for _ in range(count):
        hour = rng.choices(range(24), HOURS)[0]
        start = midnight + datetime.timedelta(hours=hour, seconds=rng.uniform(0, 3600))
        journey = Journey(flow, rng, start)
        journey.walk()  # even if it starts later today: the same seed, the same journeys
        journey.events = [event for event in journey.events if event.created_at <= now]
        if not journey.events:
            continue
        if journey.at > now:  # still going: not finished yet, so no satisfaction answer
            journey.outcome = ""
        yield journey


def month_starts(today: datetime.date, months: int) -> list[datetime.date]:
    starts, month = [], today.replace(day=1)
    for _ in range(months):
        starts.append(month)
        month = (month - datetime.timedelta(days=1)).replace(day=1)
    return starts


def channel_volumes(
    flows: list[Flow], today: datetime.date, rng: random.Random
) -> list[ChannelVolume]:
    """Phone, face-to-face and post volumes for the last 6 months of each service with a
    flow, more in earlier months (residents move online), the current month so far."""
    services = {flow.page.get_parent().pk for flow in flows if not flow.lookup}
    months = month_starts(today, 6)
    existing = set(
        ChannelVolume.objects.filter(service_id__in=services, month__in=months).values_list(
            "service_id", "month"
        )
    )
    next_month = (today.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    so_far = today.day / (next_month - today.replace(day=1)).days
    volumes = []
    for service_id in sorted(services):
        offline = rng.randint(40, 450)
        shares = (rng.uniform(0.5, 0.7), rng.uniform(0.15, 0.35), rng.uniform(0.05, 0.15))
        for age, month in enumerate(months):
            if (service_id, month) in existing:
                continue
            scale = (1 + 0.05 * age) * (so_far if age == 0 else 1) * rng.uniform(0.9, 1.1)
            phone, face_to_face, post = (round(offline * share * scale) for share in shares)
            volumes.append(
                ChannelVolume(
                    service_id=service_id,
                    month=month,
                    phone=phone,
                    face_to_face=face_to_face,
                    post=post,
                )
            )
    return volumes


class Command(BaseCommand):
    help = (
        "Simulate realistic resident journeys through every live flow (events, errors, "
        "drop-offs, payments, satisfaction answers) and other-channel volumes, for the demo."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--days", type=int, default=60, help="Days to simulate (to today).")
        parser.add_argument("--seed", type=int, default=2026, help="Random seed.")
        parser.add_argument(
            "--reset", action="store_true", help="Remove simulated journeys and simulate again."
        )
        parser.add_argument("--delete", action="store_true", help="Only remove simulated journeys.")
        parser.add_argument(
            "--no-rollup", action="store_true", help="Do not run rollup_flow_events afterwards."
        )

    def handle(self, *args, **options) -> None:
        if options["days"] < 1:
            raise CommandError("--days must be 1 or more.")
        rollup_from = None  # the first day whose roll-up the changes make stale
        if options["reset"] or options["delete"]:
            rollup_from, events, answers = self.delete()
            self.stdout.write(f"Removed {events} simulated events and {answers} answers.")
            if options["delete"]:
                if rollup_from and not options["no_rollup"]:
                    self.rollup(rollup_from)
                return
        elif simulated(FlowEvent.objects).exists():
            self.stdout.write("Simulated journeys are there already (use --reset to redo them).")
            return
        rng = random.Random(options["seed"])
        now = timezone.now()
        today = timezone.localdate(now)
        pages = FlowPage.objects.live().filter(locale__language_code=settings.LANGUAGE_CODE)
        flows = [Flow.of(page, rng) for page in pages.order_by("path") if len(page.steps)]
        days = days_back(today, options["days"])
        events: list[FlowEvent] = []
        answers: list[SatisfactionResponse] = []
        journeys = 0
        for flow in flows:
            for index, day in enumerate(days):
                for journey in journeys_for(flow, day, index, len(days), rng, now):
                    journeys += 1
                    events.extend(journey.events)
                    answer = journey.satisfaction()
                    if answer is not None:
                        answers.append(answer)
        volumes = channel_volumes(flows, today, rng)
        with transaction.atomic():
            FlowEvent.objects.bulk_create(events, batch_size=5000)
            SatisfactionResponse.objects.bulk_create(answers, batch_size=5000)
            ChannelVolume.objects.bulk_create(volumes, ignore_conflicts=True)
        self.stdout.write(
            self.style.SUCCESS(
                f"Simulated {journeys} journeys through {len(flows)} flows over {len(days)} "
                f"days: {len(events)} events, {len(answers)} satisfaction answers, "
                f"{len(volumes)} months of channel volumes."
            )
        )
        if not options["no_rollup"]:
            self.rollup(min(filter(None, [rollup_from, days[0]])))

    def rollup(self, since: datetime.date) -> None:
        """Roll up the days the simulation changed again (days already rolled up would show
        the old figures), with the roll-up command where the project has it."""
        if "rollup_flow_events" in get_commands():
            call_command("rollup_flow_events", since=since.isoformat(), stdout=StringIO())
            self.stdout.write(f"Rolled up the days since {since}.")

    def delete(self) -> tuple[datetime.date | None, int, int]:
        first = simulated(FlowEvent.objects).order_by("created_at").first()
        with transaction.atomic():
            answers, _ = simulated(SatisfactionResponse.objects).delete()
            events, _ = simulated(FlowEvent.objects).delete()
        first_day = timezone.localdate(first.created_at) if first else None
        return first_day, events, answers
