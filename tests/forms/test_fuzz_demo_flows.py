"""Whatever a person types or sends on any page of any demo flow, the answer is a page, never
a server error (hypothesis generates the input)."""

import re

from django.test import TestCase
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from forms.models import FlowPage
from services.demo.loader import DemoLoader
from tests.forms.walker import FlowWalker

AWKWARD = st.sampled_from(
    [
        "",
        " ",
        "0",
        "-1",
        "1e9",
        "99999999999999999999999",
        "31",
        "13",
        "29",
        "2",
        "1900",
        "£1,00.000",
        "12.345",
        "FE1 1AA",
        "fe11aa",
        "ZZ99 9ZZ",
        "100090000001",
        "999999999999999999",
        "\x00",
        "<script>alert(1)</script>",
        "yes",
        "no",
        "é" * 400,
        "x" * 5000,
        "FE12345671",
        "51234565",
    ]
)
VALUES = st.one_of(AWKWARD, st.text(max_size=60), st.integers().map(str))


def field_names(html: bytes) -> list[str]:
    return sorted(set(re.findall(rb'name="([^"]+)"', html)) - {b"csrfmiddlewaretoken"})


class FuzzDemoFlowsTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        DemoLoader().load()

    def test_no_input_on_any_step_gives_a_server_error(self):
        for flow in FlowPage.objects.live().order_by("path"):
            self.client.cookies.clear()
            walker = FlowWalker(self.client, flow)
            walker.walk()
            for step, _valid in walker.path:
                page = self.client.get(f"{walker.base}{step}/")
                names = [n.decode() for n in field_names(page.content)]
                self.fuzz_step(walker, step, names)

    def fuzz_step(self, walker: FlowWalker, step: str, names: list[str]) -> None:
        management = f"flow-{walker.flow.pk}-current_step"

        @settings(
            max_examples=6,
            deadline=None,
            database=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
        )
        @given(
            data=st.fixed_dictionaries(
                {name: st.one_of(VALUES, st.lists(VALUES, max_size=3)) for name in names}
            ),
            keep_step=st.booleans(),
        )
        def send(data, keep_step):
            if keep_step:
                data[management] = step
            response = walker.post(step, data)
            self.assertLess(response.status_code, 500, (walker.flow.url, step, data))
            # put the valid answers back so the next page is still reachable
            for valid_step, valid in walker.path:
                if valid_step == step:
                    walker.post(step, valid)

        send()
