"""`manage.py simulate_flow_journeys`: made-up journeys through every demo flow, shaped like
the runtime's events, so the reports have something to show; idempotent, and `--reset` redoes
exactly the simulated rows."""

import datetime
import uuid
from collections import defaultdict
from io import StringIO

from django.core.management import call_command
from django.test import TestCase
from django.utils import timezone

from demo.loader import DemoLoader
from demo.management.commands.simulate_flow_journeys import FIRST_ID, LAST_ID, simulated
from forms.flows.constants import CHECK_ANSWERS_STEP
from forms.flows.models import FlowPage
from forms.insights.models import ChannelVolume, FlowDay, FlowEvent, SatisfactionResponse


def simulate(*args: str) -> str:
    out = StringIO()
    call_command("simulate_flow_journeys", "--days", "7", *args, stdout=out)
    return out.getvalue()


class SimulateJourneysTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        DemoLoader().load()
        cls.flows = list(FlowPage.objects.live().order_by("path"))
        simulate("--no-rollup")

    def journeys(self, flow=None) -> dict[uuid.UUID, list[FlowEvent]]:
        events = FlowEvent.objects.order_by("created_at", "pk")
        if flow is not None:
            events = events.filter(flow=flow)
        journeys = defaultdict(list)
        for event in events:
            journeys[event.journey].append(event)
        return journeys

    def test_every_demo_flow_has_journeys_shaped_like_the_runtime_s(self):
        self.assertEqual(len(self.flows), 20)
        now = timezone.now()
        for flow in self.flows:
            with self.subTest(flow=flow.get_parent().slug):
                journeys = self.journeys(flow)
                self.assertGreater(len(journeys), 5)
                pages = {s.value["name"] for s in flow.steps if s.block_type == "question_page"}
                ends = {s.value["name"] for s in flow.steps if s.block_type == "end_point"}
                questions = {q.value["name"] for _, q in flow.iter_questions()}
                for events in journeys.values():
                    self.assertEqual(events[0].kind, "started")
                    self.assertEqual(sum(e.kind == "started" for e in events), 1)
                    self.assertTrue(FIRST_ID <= events[0].journey <= LAST_ID)
                    for event in events:
                        self.assertLessEqual(event.created_at, now)
                        if event.kind in ("step_viewed", "step_completed", "back", "change"):
                            self.assertIn(event.step, pages)
                        elif event.kind == "step_failed":
                            self.assertIn(event.step, pages)
                            self.assertIn(event.field, questions)
                            self.assertTrue(event.error)
                        elif event.kind == "end_point" and flow.result_handler:
                            # a look-up's answer, shown where check your answers would be
                            self.assertEqual(event.step, CHECK_ANSWERS_STEP)
                        elif event.kind == "end_point":
                            self.assertIn(event.step, ends)
                        elif event.kind in ("check_viewed", "submitted"):
                            self.assertEqual(event.step, CHECK_ANSWERS_STEP)
                        elif event.kind.startswith("payment_"):
                            self.assertTrue(flow.has_fee)
                            self.assertEqual(event.step, "payment")
                    times = [e.created_at for e in events]
                    self.assertEqual(times, sorted(times))
                    self.assertLess(times[-1] - times[0], datetime.timedelta(hours=3))
                kinds = {e.kind for events in journeys.values() for e in events}
                if flow.result_handler:
                    self.assertNotIn("submitted", kinds)
                    self.assertIn("end_point", kinds)
                else:
                    self.assertIn("submitted", kinds)
                if flow.has_fee:
                    self.assertIn("payment_succeeded", kinds)

    def test_journeys_vary_like_residents(self):
        events = FlowEvent.objects.all()
        kinds = set(events.values_list("kind", flat=True))
        self.assertTrue(
            {"step_failed", "back", "change", "end_point", "payment_cancelled"} <= kinds, kinds
        )
        errors = set(events.filter(kind="step_failed").values_list("error", flat=True))
        self.assertIn("required", errors)
        self.assertIn("invalid", errors)
        self.assertEqual(
            set(events.values_list("source", flat=True)), {"search", "service_page", "elsewhere"}
        )
        self.assertLessEqual({"mobile", "desktop"}, set(events.values_list("device", flat=True)))
        days = {timezone.localdate(t) for t in events.values_list("created_at", flat=True)}
        self.assertGreaterEqual(len(days), 6)
        self.assertIn(timezone.localdate() - datetime.timedelta(days=6), days)
        # some journeys give up before sending
        journeys = self.journeys()
        unfinished = [
            j
            for j in journeys.values()
            if not {"submitted", "end_point"} & {e.kind for e in j}
            and not FlowPage.objects.get(pk=j[0].flow_id).result_handler
        ]
        self.assertGreater(len(unfinished), len(journeys) // 20)

    def test_some_finished_journeys_answer_the_satisfaction_question(self):
        answers = SatisfactionResponse.objects.all()
        self.assertGreater(answers.count(), 10)
        journeys = self.journeys()
        finished = {
            journey
            for journey, events in journeys.items()
            if {"submitted", "end_point"} & {e.kind for e in events}
        }
        share = answers.count() / len(finished)
        self.assertTrue(0.15 < share < 0.45, share)
        for answer in answers:
            kinds = {e.kind for e in journeys[answer.journey]}
            self.assertTrue({"submitted", "end_point"} & kinds)
            self.assertEqual(answer.flow_id, journeys[answer.journey][0].flow_id)
            self.assertTrue(answer.asked_at)
            self.assertLessEqual(len(answer.comment), 1200)
        ratings = list(answers.values_list("rating", flat=True))
        self.assertGreater(sum(r >= 4 for r in ratings), len(ratings) / 2)  # mostly positive
        self.assertTrue(answers.exclude(comment="").exists())

    def test_channel_volumes_for_the_last_six_months_of_each_service_with_a_flow(self):
        services = {f.get_parent().pk for f in self.flows if not f.result_handler}
        volumes = ChannelVolume.objects.all()
        self.assertEqual({v.service_id for v in volumes}, services)
        months = {v.month for v in volumes}
        self.assertEqual(len(months), 6)
        self.assertIn(timezone.localdate().replace(day=1), months)
        self.assertTrue(all(v.month.day == 1 for v in volumes))
        self.assertEqual(volumes.count(), 6 * len(services))
        self.assertTrue(all(v.phone > 0 for v in volumes.exclude(month=max(months))))

    def test_a_second_run_changes_nothing(self):
        before = (
            FlowEvent.objects.count(),
            SatisfactionResponse.objects.count(),
            ChannelVolume.objects.count(),
        )
        output = simulate("--no-rollup")
        self.assertIn("already", output)
        after = (
            FlowEvent.objects.count(),
            SatisfactionResponse.objects.count(),
            ChannelVolume.objects.count(),
        )
        self.assertEqual(before, after)

    def test_reset_redoes_only_the_simulated_rows(self):
        flow = self.flows[0]
        real = FlowEvent.objects.create(flow=flow, kind="started")
        real_answer = SatisfactionResponse.objects.create(flow=flow, rating=5, journey=uuid.uuid4())
        entered = ChannelVolume.objects.first()
        entered.phone = 12345
        entered.save()
        old = set(simulated(FlowEvent.objects).values_list("journey", flat=True))

        simulate("--reset", "--no-rollup")
        self.assertTrue(FlowEvent.objects.filter(pk=real.pk).exists())
        self.assertTrue(SatisfactionResponse.objects.filter(pk=real_answer.pk).exists())
        self.assertEqual(ChannelVolume.objects.get(pk=entered.pk).phone, 12345)  # staff's
        new = set(simulated(FlowEvent.objects).values_list("journey", flat=True))
        # the same seed gives the same journeys (bar any that today's clock cuts off)
        self.assertGreater(len(old & new), 0.9 * len(old))
        self.assertEqual(
            SatisfactionResponse.objects.count(),
            simulated(SatisfactionResponse.objects).count() + 1,
        )

        simulate("--delete", "--no-rollup")
        self.assertEqual(list(FlowEvent.objects.all()), [real])
        self.assertEqual(list(SatisfactionResponse.objects.all()), [real_answer])

    def test_the_simulated_days_are_rolled_up(self):
        simulate("--reset")
        day = timezone.localdate() - datetime.timedelta(days=2)  # complete, so rolled up
        started = sum(FlowDay.objects.filter(day=day).values_list("started", flat=True))
        journeys = {
            e.journey
            for e in FlowEvent.objects.filter(kind="started")
            if timezone.localdate(e.created_at) == day
        }
        self.assertEqual(started, len(journeys))
        self.assertGreater(started, 0)
