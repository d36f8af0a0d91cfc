"""`manage.py web_benchmark` (make bench) reads wrk's output, forms and pages as it should.
Canned inputs only: nothing here is timed."""

import argparse
import os

from benchmarks.management.commands.web_benchmark import (
    AssetParser,
    FormParser,
    WrkResult,
    cpu_seconds_between,
    js_imports,
    parse_wrk,
    think_range,
)

WRK_OUTPUT = """Running 15s test @ http://127.0.0.1:8401
  2 threads and 20 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    30.11ms   12.70ms 291.35ms   87.69%
    Req/Sec   335.17     61.45   470.00     72.33%
  10021 requests in 15.02s, 120.43MB read
Requests/sec:    667.18
Transfer/sec:      8.02MB
BENCH_RESULT requests=10021 duration_us=15020000 p50_us=27345 p95_us=51002 errors_connect=0 \
errors_read=2 errors_write=0 errors_timeout=1 errors_status=3 status_1xx=0 status_2xx=9990 \
status_3xx=25 status_4xx=1 status_5xx=2
"""


def test_parse_wrk_reads_the_lua_summary():
    result = parse_wrk(WRK_OUTPUT.replace("\\\n", ""))
    assert isinstance(result, WrkResult)
    assert result.requests == 10021
    assert round(result.rps, 1) == 667.2
    assert result.p50_ms == 27.345
    assert result.p95_ms == 51.002
    # 2 read errors, 1 timeout, and the 3 answers of 400 and over.
    assert result.errors == 6
    assert result.statuses == {"1xx": 0, "2xx": 9990, "3xx": 25, "4xx": 1, "5xx": 2}


def test_a_clean_run_has_no_errors():
    clean = (
        "BENCH_RESULT requests=50 duration_us=1000000 p50_us=1000 p95_us=2000 errors_connect=0 "
        "errors_read=0 errors_write=0 errors_timeout=0 errors_status=0 status_1xx=0 "
        "status_2xx=40 status_3xx=10 status_4xx=0 status_5xx=0\n"
    )
    result = parse_wrk(clean)
    assert result.errors == 0
    assert result.rps == 50


def test_a_residents_time_on_a_page_is_read_as_least_and_most_seconds():
    assert think_range("1-3") == (1.0, 3.0)
    assert think_range("2") == (2.0, 2.0)
    assert think_range("0") == (0.0, 0.0)
    for wrong in ("3-1", "-1", "soon"):
        try:
            think_range(wrong)
        except argparse.ArgumentTypeError:
            continue
        raise AssertionError(f"think_range accepted {wrong!r}")


def test_wrk_output_without_the_summary_is_refused():
    try:
        parse_wrk("unable to connect to 127.0.0.1:8401 Connection refused\n")
    except ValueError:
        return
    raise AssertionError("parse_wrk accepted output without a BENCH_RESULT line")


def test_form_parser_answers_the_first_post_form():
    html = """<form action="/search/" method="get"><input name="q" type="search"></form>
    <form action="/report/fault/" method="post" novalidate>
      <input type="hidden" name="csrfmiddlewaretoken" value="tok">
      <input type="hidden" name="flow-98-current_step" value="fault">
      <input type="radio" name="fault-fault" value="It does not come on">
      <input type="radio" name="fault-fault" value="It flickers">
      <input type="email" name="contact-email">
      <textarea name="details"></textarea>
    </form>"""
    form = FormParser()
    form.feed(html)
    assert form.action == "/report/fault/"
    assert form.fields == {
        "csrfmiddlewaretoken": "tok",
        "flow-98-current_step": "fault",
        "fault-fault": "It does not come on",
        "contact-email": "resident@example.org",
        "details": "It has been there since Monday.",
    }


def test_assets_and_javascript_imports_are_found():
    page = AssetParser()
    page.feed(
        '<link rel="icon" href="/static/favicon.svg"><link rel="stylesheet" href="/static/a.css">'
        '<script type="module" src="/static/js/council.js"></script>'
        '<link rel="modulepreload" href="/static/js/search.js">'
    )
    assert page.urls == ["/static/a.css", "/static/js/council.js", "/static/js/search.js"]
    source = (
        'import { initAll } from "./govuk-frontend.min.abc.js";\n'
        "import './side-effect.js';\n"
        'const later = () => import("./lazy.js");\n'
    )
    assert js_imports(source) == ["./govuk-frontend.min.abc.js", "./side-effect.js", "./lazy.js"]


def test_worker_cpu_is_not_given_when_a_worker_was_replaced():
    tick = 1 / os.sysconf("SC_CLK_TCK")
    # Two workers ran on; a third started during the run.
    assert cpu_seconds_between({10: 100, 11: 50}, {10: 160, 11: 90, 12: 5}) == 105 * tick
    # Worker 11 reached max_requests and was replaced by 12: its last ticks are gone.
    assert cpu_seconds_between({10: 100, 11: 50}, {10: 160, 12: 5}) is None
