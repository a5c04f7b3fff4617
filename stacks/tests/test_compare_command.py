"""`manage.py compare --quick` end to end: both stacks launched, measured, a report written."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest

from stacks.compare.reliability import TITLE as RELIABILITY_TITLE
from stacks.launcher import MANAGE_PY, PROJECT_DIR

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def test_compare_quick_writes_a_report_with_charts_and_raw_figures(tmp_path):
    finished = subprocess.run(
        [
            sys.executable,
            str(MANAGE_PY),
            "compare",
            "--quick",
            "--out",
            str(tmp_path / "out"),
            "--run-dir",
            str(tmp_path / "run"),
        ],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert finished.returncode == 0, finished.stdout[-3000:] + finished.stderr[-3000:]
    (report,) = (tmp_path / "out").iterdir()
    for name in ("report.md", "report.html", "raw.json"):
        assert (report / name).stat().st_size > 0
    assert list(report.glob("*.png"))
    raw = json.loads((report / "raw.json").read_text())
    assert raw["runs"] and raw["lag"]["idle"]["lags_ms"]
    assert all(run["latencies_ms"] for run in raw["runs"])
    # Every run measured through the kept-alive client; none of its connections dropped.
    assert all(run["resets"] == 0 for run in raw["runs"])
    # The lag method agrees with polling query: the trace time of the final status falls
    # between the last poll that missed it and the first that saw it (one straggler allowed
    # on a busy machine).
    check = raw["lag"]["validation"]
    assert check["checked"] >= 5
    assert check["within_bounds"] >= check["checked"] - 1
    assert "## The course's claims" in finished.stdout  # the summary is printed
    assert "compare --quick" in (report / "report.md").read_text()
    # The reliability phase: with --quick one fault, during a small workload; nothing lost,
    # nothing applied twice, and its table in the report.
    [fault] = raw["reliability"]
    assert (fault["converged"], fault["lost"], fault["applied_twice"]) == (True, 0, 0)
    assert fault["actions"] > 0
    assert f"## {RELIABILITY_TITLE}" in (report / "report.md").read_text()
    assert f"| {fault['fault']} " in (report / "report.md").read_text()
    markdown = (report / "report.md").read_text()
    assert_overload_measured(raw, markdown)
    if raw["gateway_hop"].get("skipped"):
        assert_gateway_hop_skipped(raw, markdown)
    else:
        assert_gateway_hop_measured(raw, markdown)
    # The floor: /health/ of every service, each list beside the WSGI app serving its bytes,
    # and the tracing A/B with traced and untraced runs of both lists.
    assert set(raw["floor"]["health"]["micro"]) == {
        "posts", "comments", "moderation", "query", "eventbus", "aggregator"
    }  # fmt: skip
    assert set(raw["floor"]["health"]["monolith"]) == {"monolith"}
    for stack in ("monolith", "micro"):
        listed = raw["floor"]["list"][stack]
        assert listed["wsgi_floor"]["bytes"] > 2 and listed["wsgi_floor"]["p50_ms"] > 0
        # The load generator's client, requests and bare http.client, all measured.
        assert all(listed["list"][key] > 0 for key in ("p50_ms", "requests_p50_ms", "raw_p50_ms"))
    runs = {(r["stack"], r["traced"]) for r in raw["tracing_ab"] if r["latencies_ms"]}
    assert runs == {("monolith", True), ("monolith", False), ("micro", True), ("micro", False)}
    assert "## The floor" in (report / "report.md").read_text()


def assert_overload_measured(raw: dict, markdown: str) -> None:
    """Accept and drain: every write accepted, final in query, none lost, applied or sent
    twice; the section has a depth column per queue and the Targets table its two rows."""
    from stacks.compare import overload

    record, figures = raw["overload"], raw["overload"]["figures"]
    assert record["refused"] == 0 and figures["writes"] > 0
    assert (record["lost"], record["applied_twice"]) == (0, 0)
    assert record["drained_at"] is not None
    assert figures["events_per_write"] <= overload.EVENTS_PER_WRITE_TARGET
    table = markdown.split(f"## {overload.TITLE}", 1)[1].split("\n## ", 1)[0]
    header = " ".join(f"| {queue}" for queue in ("queue depth", *overload.QUEUES))
    assert header in " ".join(table.split())
    assert "events published per accepted write under overload" in markdown


def assert_gateway_hop_skipped(raw: dict, markdown: str) -> None:
    """Without nginx the benchmark skips the gateway phase and says why, in the report too;
    everything else above was measured all the same."""
    reason = raw["gateway_hop"]["skipped"]
    assert "nginx" in reason and "runs" not in raw["gateway_hop"]
    table = markdown.split("## The gateway's extra hop (micro)", 1)[1].split("\n## ", 1)[0]
    assert reason in table


def assert_gateway_hop_measured(raw: dict, markdown: str) -> None:
    """Micro's list and comment at 1 and 8 clients, direct and through the gateway: every run
    got answers and no error, and the report's table has a number in every cell."""
    from stacks.compare import gateway_hop

    runs = raw["gateway_hop"]["runs"]
    measured = {(run["action"], run["path"], run["concurrency"]) for run in runs}
    assert measured == {
        (action, path, clients)
        for action, _ in gateway_hop.ACTIONS
        for path in gateway_hop.PATHS
        for clients in gateway_hop.LEVELS
    }
    assert all(run["latencies_ms"] and not run["errors"] for run in runs)
    table = markdown.split("## The gateway's extra hop (micro)", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in table.splitlines() if line.startswith(("| list", "| add"))]
    assert len(rows) == len(gateway_hop.ACTIONS) * len(gateway_hop.LEVELS)
    for row in rows:
        cells = [cell.strip() for cell in row.strip("|").split("|")]
        assert all(re.fullmatch(r"[+-]?\d+(\.\d)?", cell) for cell in cells[4:]), row
