"""Whatever a person types or sends on any page of any demo flow, the answer is a page, never
a server error.

Two ways of generating the input: hypothesis, a few examples per step; and a seeded generator
(`GeneratedInputs`) that sends FUZZ_INPUTS_PER_FLOW values (10,000 in `make test-fuzz`, a hundred
in the normal suites) at every step of each of the 20 demo flows: text, unicode, control
characters, huge strings, numbers, dates, wrong choices, missing, extra and repeated fields,
and files with the wrong content, no content or absurd names.
"""

import io
import os
import random
import re
import time
import uuid
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase, override_settings
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image
from wagtail.models import Locale

from demo.loader import DemoLoader
from demo.walker import FlowWalker
from forms.flows.models import FlowPage

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
            if response.status_code == 302:  # the page the answer led to (its errors, or on)
                shown = self.client.get(response["Location"])
                self.assertLess(shown.status_code, 500, (walker.flow.url, step, data))
            # put the valid answers back so the next page is still reachable
            for valid_step, valid in walker.path:
                if valid_step == step:
                    walker.post(step, valid)

        send()


# --- generated inputs, many per flow ------------------------------------------------------------

INPUTS_PER_FLOW = int(os.environ.get("FUZZ_INPUTS_PER_FLOW", "100"))
SEED = int(os.environ.get("FUZZ_SEED", "8"))
# "k/n": this process takes every n-th flow from the k-th (make test-fuzz runs two at once)
SHARD, SHARDS = (int(part) for part in os.environ.get("FUZZ_SHARD", "0/1").split("/"))


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "blue").save(buffer, "PNG")
    return buffer.getvalue()


PNG = _png()
WORDS = ["yes", "no", "Yes", "YES", "true", "on", "1", "none", "null", "undefined", "__all__"]
INJECTIONS = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "'; DROP TABLE flows_submission; --",
    "{{ 7*7 }}",
    "{% debug %}",
    "${7*7}",
    "../../../../etc/passwd",
    "%s%s%s%n",
    '=HYPERLINK("http://example.com")',
    "\\x00",
    "%00",
]
UNICODE = [
    "Zoë Ó Ceallaigh",
    "عبد الله",
    "Łódź żółć",
    "Llanfair­pwllgwyngyll",
    "👩🏽‍🚒🏳️‍🌈",
    "e\u0301\u0301\u0301",
    "\u202eevil\u202c",
    "\ufeffBOM",
    "\u200b\u200b",
    "\uff46\uff55\uff4c\uff4c\u3000\uff11\uff12\uff13",  # full-width "full 123"
    "ß" * 50,
    "\U0001d54f\U0001d550",
]


class GeneratedInputs:
    """Awkward values from a seeded random generator (reproducible: FUZZ_SEED)."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)

    def text(self) -> str:
        rng = self.rng
        kind = rng.randrange(12)
        if kind == 0:
            return rng.choice(AWKWARD.elements)
        if kind == 1:  # any character but the surrogates, which cannot be sent as UTF-8
            return "".join(
                chr(rng.choice([rng.randrange(0x20, 0xD800), rng.randrange(0xE000, 0x110000)]))
                for _ in range(rng.randrange(1, 40))
            )
        if kind == 2:  # control characters, NUL and friends, among letters
            return "".join(
                rng.choice(
                    [
                        "a",
                        "\x00",
                        "\x01",
                        "\x08",
                        "\x0b",
                        "\x1b",
                        "\x7f",
                        "\r",
                        "\n",
                        "\t",
                        "\u2028",
                    ]
                )
                for _ in range(rng.randrange(1, 30))
            )
        if kind == 3:  # huge
            return rng.choice(["x", "9", "é", "😀", "a b "]) * rng.choice(
                [256, 1001, 5000, 20_000, 100_000]
            )
        if kind == 4:  # numbers
            return rng.choice(
                [
                    str(rng.randint(-(10**15), 10**15)),
                    f"{rng.uniform(-1e6, 1e6):.{rng.randrange(0, 6)}f}",
                    rng.choice(
                        [
                            "1e308",
                            "-1e308",
                            "NaN",
                            "inf",
                            "-0",
                            "0x1F",
                            "1_000",
                            "١٢٣",
                            "²",
                            "½",
                            "1,000.50",
                            "£12.345",
                            "12p",
                            " 7 ",
                        ]
                    ),
                ]
            )
        if kind == 5:  # dates in every shape
            return rng.choice(
                [
                    f"{rng.randint(-5, 40)}/{rng.randint(-1, 14)}/{rng.randint(0, 99999)}",
                    f"{rng.randint(0, 3000)}-{rng.randint(0, 13):02d}-{rng.randint(0, 32):02d}",
                    "29/02/2023",
                    "31/04/2026",
                    "0",
                    "9999999999",
                    "tomorrow",
                    "2026-02-30T25:61",
                ]
            )
        if kind == 6:
            return rng.choice(WORDS)
        if kind == 7:
            return rng.choice(INJECTIONS)
        if kind == 8:
            return rng.choice(UNICODE)
        if kind == 9:  # near misses of the formats the flows ask for
            return rng.choice(
                [
                    "FE1 1AA",
                    "FE11AA",
                    "fe1  1aa",
                    "FE1 1AAA",
                    "ZZ99 9ZZ",
                    "FE-1234",
                    "FE12345671 ",
                    "fe12345671",
                    "51234565",
                    "5123456",
                    "01632 960 001",
                    "+44 1632 960001",
                    "0044",
                    "resident@example.org",
                    "email",
                    "sms",
                    "none",
                    "07700 900 982",
                    "+447700900123",
                    "+33 6 12 34 56 78",
                    "a@b",
                    "@@",
                    "résident@exämple.org",
                    "x@" + "y" * 300 + ".org",
                    "100090000001",
                    "-1",
                    "0",
                ]
            )
        if kind == 10:
            return ""
        return "".join(rng.choice("abcXYZ019 -'.,") for _ in range(rng.randrange(1, 60)))

    def upload(self, field: str) -> Any:
        rng = self.rng
        name = rng.choice(
            [
                "photo.png",
                "",
                ".png",
                "a" * 300 + ".png",
                "../../etc/passwd",
                "photo.png.exe",
                "写真.jpg",
                "nul\x00.png",
                "con.pdf",
                "x.PDF",
                "space .jpg",
            ]
        )
        content = rng.choice(
            [
                b"",
                PNG,
                PNG[:20],
                b"%PDF-1.4 not really",
                b"MZ\x90\x00 windows",
                b"GIF89a",
                b"\xff\xd8\xff" + bytes(rng.randrange(256) for _ in range(64)),
                ("x" * 2000).encode(),
            ]
        )
        content_type = rng.choice(
            [
                "image/png",
                "application/pdf",
                "text/plain",
                "",
                "image/jpeg; charset=evil",
                "application/octet-stream",
            ]
        )
        return SimpleUploadedFile(name or "noname", content, content_type=content_type)

    def value(self, field: str, is_file: bool) -> tuple[Any, int]:
        """A value for `field` and how many inputs it counts as (None: leave the field out)."""
        roll = self.rng.random()
        if roll < 0.08:
            return None, 1  # missing
        if is_file and roll < 0.75:
            return self.upload(field), 1
        if roll < 0.2:  # repeated field
            values = [self.text() for _ in range(self.rng.randrange(2, 4))]
            return values, len(values)
        return self.text(), 1

    def request_data(
        self, step: str, fields: list[tuple[str, bool]], management: str, journey: str = ""
    ) -> tuple[dict[str, Any], int]:
        data: dict[str, Any] = {}
        count = 0
        for field, is_file in fields:
            value, n = self.value(field, is_file)
            count += n
            if value is not None:
                data[field] = value
        roll = self.rng.random()
        if roll < 0.9:
            data[management] = step
        elif roll < 0.95:
            data[management] = self.text()
        # The journey's key, like the management form: mostly right, so that the answers reach
        # the questions, sometimes made up (the resident's latest page is shown) or missing.
        roll = self.rng.random()
        if roll < 0.9:
            data["journey"] = journey
        elif roll < 0.95:
            data["journey"] = self.text()
        if self.rng.random() < 0.15:  # fields nobody asked for
            extra = self.rng.choice(
                [
                    f"{step}-unknown",
                    "find_address",
                    "csrfmiddlewaretoken",
                    "token",
                    f"{step}-{self.text()[:30]}",
                    "wizard_goto_step",
                ]
            )
            data[extra] = self.text()
            count += 1
        return data, count


def step_fields(html: bytes) -> list[tuple[str, bool]]:
    """The form's fields on a step page, each with whether it is a file input."""
    fields = {}
    for tag in re.findall(rb"<(?:input|select|textarea)\b[^>]*>", html):
        name = re.search(rb'name="([^"]+)"', tag)
        if name is None or name.group(1) in (b"csrfmiddlewaretoken", b"journey"):
            continue
        fields[name.group(1).decode()] = b'type="file"' in tag
    return sorted(fields.items())


def english_demo_flows() -> list[FlowPage]:
    return list(
        FlowPage.objects.live()
        .filter(locale=Locale.get_default(), alias_of__isnull=True)
        .order_by("path")
    )


@pytest.mark.fuzz
@override_settings(RATELIMIT_ENABLE=False)  # one client sending thousands of answers: no 429s
class GeneratedInputsOnEveryDemoFlowTests(TestCase):
    """FUZZ_INPUTS_PER_FLOW generated values at every step of each demo flow; every answer is
    below 500. The walker's valid answers reach each step first; an input that happens to be
    accepted is followed by the valid answer again, so the rest of the path stays reachable."""

    @classmethod
    def setUpTestData(cls):
        DemoLoader().load()

    def test_every_demo_flow_is_one_of_the_twenty(self):
        self.assertEqual(len(english_demo_flows()), 20)

    def test_generated_inputs_on_every_step_of_every_demo_flow(self):
        totals = {}
        started = time.monotonic()
        for index, flow in enumerate(english_demo_flows()):
            if index % SHARDS != SHARD:
                continue
            totals[flow.get_parent().slug] = self.fuzz_flow(flow, GeneratedInputs(SEED + index))
        elapsed = time.monotonic() - started
        requests = sum(t["requests"] for t in totals.values())
        codes: dict[int, int] = {}
        for total in totals.values():
            for code, n in total["statuses"].items():
                codes[code] = codes.get(code, 0) + n
        print(
            f"\nfuzz: {len(totals)} flows, at least {INPUTS_PER_FLOW} inputs each, "
            f"{requests} requests in {elapsed:.0f}s; status codes {dict(sorted(codes.items()))}"
        )
        for slug, total in totals.items():
            self.assertGreaterEqual(total["inputs"], INPUTS_PER_FLOW, slug)
            # the inputs reached the questions: most were answered with the page and its errors
            self.assertGreater(total["statuses"].get(200, 0), total["requests"] // 3, (slug, total))

    def fuzz_flow(self, flow: FlowPage, inputs: GeneratedInputs) -> dict[str, Any]:
        self.client.cookies.clear()
        walker = FlowWalker(self.client, flow)
        check_url = walker.walk()
        management = f"flow-{flow.source_flow.pk}-current_step"
        valid = dict(walker.path)
        steps = []
        journey = ""
        for step, _data in walker.path:
            page = self.client.get(f"{walker.base}{step}/")
            self.assertEqual(page.status_code, 200, (flow.url, step))
            steps.append((step, step_fields(page.content)))
            found = re.search(rb'name="journey" value="([^"]*)"', page.content)
            journey = found.group(1).decode() if found else journey
        total = {"inputs": 0, "requests": 0, "statuses": {}}
        round_ = 0
        while total["inputs"] < INPUTS_PER_FLOW:
            step, fields = steps[round_ % len(steps)]
            round_ += 1
            data, count = inputs.request_data(step, fields, management, journey)
            response = walker.post(step, data)
            total["inputs"] += count
            total["requests"] += 1
            # Post/Redirect/Get: a refused answer redirects to its own page, which shows the
            # errors; that page is what the resident sees, so it is what is counted.
            refused = response.status_code == 302 and walker.step_of(response["Location"]) == step
            if refused:
                response = self.client.get(response["Location"])
            total["statuses"][response.status_code] = (
                total["statuses"].get(response.status_code, 0) + 1
            )
            if response.status_code >= 500:
                shown = {
                    k: (v if not isinstance(v, str) or len(v) < 80 else f"{v[:40]}... ({len(v)})")
                    for k, v in data.items()
                }
                self.fail(f"{response.status_code} on {flow.url}{step}/ for {shown!r}")
            if response.status_code == 302 and data.get(management) == step and not refused:
                # accepted: put the valid answer back so the rest of the path stays reachable
                # (a wrong step name is only sent back to the current page: nothing changed)
                for value in valid[step].values():
                    if hasattr(value, "seek"):
                        value.seek(0)  # an upload sent before is read again from its start
                restored = walker.post(step, valid[step])
                self.assertEqual(restored.status_code, 302, (flow.url, step))
            if round_ % len(steps) == 0:
                # and at check your answers: a made-up token
                token = inputs.text() if inputs.rng.random() < 0.5 else str(uuid_from(inputs))
                response = self.client.post(check_url, {"token": token})
                total["inputs"] += 1
                total["requests"] += 1
                self.assertLess(response.status_code, 500, (check_url, token[:80]))
        return total


def uuid_from(inputs: GeneratedInputs) -> uuid.UUID:
    return uuid.UUID(int=inputs.rng.getrandbits(128))
