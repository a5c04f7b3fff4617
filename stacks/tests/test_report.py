"""The report rendered from a small made-up dataset: files, tables, charts, the summary."""

from __future__ import annotations

import json
import os

from stacks.compare.document import (
    Image,
    Section,
    Table,
    markdown_table,
    render_html,
    render_markdown,
)
from stacks.compare.machine import other_load
from stacks.compare.report import build_sections, summary_text, write_report
from stacks.compare.run import _redacted
from stacks.compare.summary import (
    BLOG_DATA,
    BOOKKEEPING,
    COPIES,
    DJANGO_OWN,
    EVENT_STORE,
    closed_loop_rows,
    cpu_per_action,
    storage_by_kind,
    storage_totals,
)
from stacks.compare.writes import loadgen_verdict
from stacks.tests.factories import closed_run


def test_a_markdown_table_is_padded_and_escapes_pipes():
    text = markdown_table(Table(["a", "bb"], [["x|y", 1]]))
    lines = text.splitlines()
    assert lines[0] == "| a    | bb |"
    assert lines[1] == "|------|----|"
    assert lines[2] == "| x\\|y | 1  |"


def test_the_html_embeds_its_charts_and_marks_verdicts(tmp_path):
    (tmp_path / "chart.png").write_bytes(b"\x89PNG fake")
    sections = [
        Section(
            "S", ["a `code` <b>", Table(["verdict"], [["holds"]]), Image("chart.png", "A chart")]
        )
    ]
    page = render_html("T", sections, tmp_path)
    assert "data:image/png;base64," in page
    assert "<code>code</code> &lt;b&gt;" in page
    assert '<td class="yes">holds</td>' in page


def test_write_report_writes_markdown_html_raw_json_and_charts(raw, tmp_path):
    paths = write_report(raw, tmp_path / "report")
    markdown = paths["markdown"].read_text()
    for heading in (
        "## Run",
        "## Targets",
        "## Latency and throughput",
        "## Consistency lag",
        "## Cost",
        "## Where the time goes",
        "## Request counts",
        "## Failure matrix",
        "## Scaling",
        "## The course's claims",
        "## What limits these numbers",
    ):
        assert heading in markdown
    assert "python manage.py compare --quick" in markdown
    assert "2 CPUs (Test CPU)" in markdown
    assert "not measured in this run (skipped (--quick))" in markdown  # the failure matrix
    assert "takes 2.0 ms on monolith (monolith) and 2.5 ms on micro (query)" in markdown
    kept = json.loads(paths["raw"].read_text())
    assert kept["meta"]["command"] == raw["meta"]["command"]
    assert kept["runs"] == raw["runs"]  # every raw sample
    assert kept["figures"]["lag"]["idle"]["p50"] == 16.5  # and the figures made from them
    assert kept["figures"]["lag"]["idle"]["curve"][-1][1] == 1.0
    # query's list of 6 ms: over the Node figure and over 1.5x its floor of 0.5 ms
    assert [t["met"] for t in kept["figures"]["targets"]][:2] == [False, False]
    charts = [path for name, path in paths.items() if name.startswith("chart")]
    assert {path.name for path in charts} >= {"latency.png", "lag.png", "cost.png"}
    assert all(path.read_bytes().startswith(b"\x89PNG") for path in charts)
    page = paths["html"].read_text()
    assert page.count("data:image/png;base64,") == len(charts)


def test_the_summary_names_machine_date_command_targets_and_claims(raw):
    text = summary_text(raw)
    assert "2026-01-01 00:00 UTC" in text
    assert "`python manage.py compare --quick`" in text
    assert "## Targets" in text and "## The course's claims" in text


def test_closed_loop_rows_pool_repetitions_and_keep_errors_apart(raw):
    rows = closed_loop_rows(raw["runs"])
    query8 = next(r for r in rows if (r["action"], r["concurrency"]) == ("list via query", 8))
    assert (query8["n"], query8["errors"]) == (2, 1)
    assert query8["p50"] == 12.5  # errors never enter the latencies
    assert query8["throughput"] == 2.0  # successful requests per second
    assert query8["sustained"] == 1.0  # with the 1 s micro needed to drain afterwards


def test_connection_resets_are_summed_per_row_and_shown_in_the_latency_table(raw):
    for run in raw["runs"]:
        if (run["action"], run["concurrency"]) == ("list via query", 8):
            run["resets"] = 1  # the 503 of the fixture stays an error; a reset is one too
    rows = closed_loop_rows(raw["runs"])
    query8 = next(r for r in rows if (r["action"], r["concurrency"]) == ("list via query", 8))
    assert query8["resets"] == 1
    assert {r["resets"] for r in rows if r is not query8} == {0}  # older raw.json: none
    table = render_markdown("report", build_sections(raw, {})).split(
        "## Latency and throughput (closed loop)", 1
    )[1]
    assert "| resets |" in " ".join(table.split())


def test_cpu_per_action_divides_by_successful_actions_at_each_concurrency(raw):
    rows = [r for r in cpu_per_action(raw["runs"]) if r["action"] == "list"]
    assert [(r["concurrency"], r["actions"]) for r in rows] == [(1, 3), (8, 2)]
    assert rows[1]["ms_per_action"] == {"monolith-web": 10.0}  # 20 ms / 2 lists


def test_storage_totals_add_up_each_stacks_databases(raw):
    totals = storage_totals(raw["cost"]["storage_seeded"])
    assert totals["micro"] == {"data": 320_000, "disk": 360_000, "databases": 4}


def test_raw_json_never_keeps_a_database_password():
    options = _redacted({"database_url": "postgres://blog:s3cret@db:5432/blog", "redis_url": None})
    assert options["database_url"] == "postgres://blog:***@db:5432/blog"


def test_the_report_warns_when_other_processes_shared_the_machine(raw):
    assert "used 2% of the machine's CPU" in summary_text(raw)
    assert "disturb" not in summary_text(raw)
    raw["meta"]["other_load"] = 0.4
    assert "used 40% of the machine's CPU during the run. That is enough to disturb" in (
        summary_text(raw)
    )


def test_other_load_is_the_machines_busy_time_less_this_runs_own():
    before = {"machine_busy_s": 100.0, "ours_s": 10.0, "wall_s": 0.0}
    after = {"machine_busy_s": 130.0, "ours_s": 35.0, "wall_s": 10.0}
    cores = len(os.sched_getaffinity(0))
    assert other_load(before, after) == 5.0 / (10.0 * cores)


def test_the_load_generator_check_says_whether_one_process_held_the_run_back():
    one = {**closed_run("monolith", "list", 32, [5.0] * 100), "generator_processes": 1}
    same = {**closed_run("monolith", "list", 32, [5.0] * 102), "generator_processes": 2}
    more = {**closed_run("monolith", "list", 32, [5.0] * 150), "generator_processes": 2}
    assert "was not what limited the run" in loadgen_verdict([one, same])
    assert "held the run back" in loadgen_verdict([one, more])
    noisy = {**closed_run("monolith", "list", 32, [5.0] * 200), "generator_processes": 1}
    # one process: 100 and 200/s; two: 150/s. A 0% gain against 100% noise proves nothing.
    assert "was not what limited" in loadgen_verdict([one, noisy, more])


def test_storage_by_kind_sorts_each_table_by_the_app_that_owns_it():
    tables = {
        "posts_post": 1, "comments_comment": 2, "comments_knownpost": 4, "query_post": 8,
        "query_comment": 16, "eventbus_storedevent": 32, "messaging_outboxevent": 64,
        "messaging_processedevent": 128, "auth_user": 256, "django_migrations": 512,
        "sqlite_schema": 1024,
    }  # fmt: skip
    storage = {"micro": {"posts": {"data": 0, "disk": 0, "tables": tables}}}

    [kinds] = storage_by_kind(storage).values()

    assert kinds == {
        BLOG_DATA: 1 + 2,
        COPIES: 4 + 8 + 16,
        EVENT_STORE: 32,
        BOOKKEEPING: 64 + 128,
        DJANGO_OWN: 256 + 512 + 1024,
    }
    assert storage_by_kind({"micro": {"posts": {"data": 0, "disk": 0}}}) == {}
