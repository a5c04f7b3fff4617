"""The gateway hop table: samples pooled per action, clients and path; the difference is
via gateway minus direct."""

from __future__ import annotations

from stacks.compare import gateway_hop
from stacks.compare.document import Table


def hop_run(action: str, path: str, clients: int, latencies: list[float], **errors) -> dict:
    return {"action": action, "path": path, "concurrency": clients, "repetition": 1,
            "latencies_ms": latencies, "errors": errors, "elapsed_s": 1.0}  # fmt: skip


def test_rows_pool_the_repetitions_of_each_path():
    hop = {
        "plan": {"duration": 1.0, "repetitions": 2, "max_writes": 10},
        "runs": [
            hop_run("list via query", "direct", 1, [10.0, 12.0]),
            hop_run("list via query", "direct", 1, [14.0]),
            hop_run("list via query", "gateway", 1, [11.0, 13.0, 15.0], timeout=1),
        ],
    }
    row = next(r for r in gateway_hop.rows(hop) if r["action"] == "list via query")

    assert (row["direct"]["n"], row["direct"]["p50"], row["direct"]["errors"]) == (3, 12.0, 0)
    assert (row["gateway"]["n"], row["gateway"]["p50"], row["gateway"]["errors"]) == (3, 13.0, 1)
    (table,) = [
        part for part in gateway_hop.section({"gateway_hop": hop}).blocks if isinstance(part, Table)
    ]
    cells = next(cells for cells in table.rows if cells[:2] == ["list via query", 1])
    assert cells[2:7] == ["3 / 3", 1, "12.0", "13.0", "+1.0"]
    unmeasured = next(cells for cells in table.rows if cells[:2] == ["add comment", 8])
    assert unmeasured[4:] == ["-"] * 6


def test_a_run_without_nginx_says_why_it_was_not_measured():
    section = gateway_hop.section({"gateway_hop": {"skipped": "nginx is not installed"}})

    assert section.blocks == ["Not measured: nginx is not installed."]
