"""The failure matrix: each process stopped in turn, what every user action answered
meanwhile, and whether everything converged once it was back (stacks/scenarios.py)."""

from __future__ import annotations

import traceback

from stacks.compare.document import Section, Table
from stacks.compare.formats import NOT_MEASURED, yes_no
from stacks.compare.phase import Charts, Context, Phase
from stacks.compare.record import RunRecord
from stacks.compare.request_counts import scenarios_missing


class FailureMatrix(Phase):
    name = "failure_matrix"

    def plan(self, options) -> str | None:
        if not options.failure_matrix:
            return "skipped (--no-failure-matrix, or --quick)"
        return scenarios_missing()

    def run(self, context: Context) -> None:
        from stacks import scenarios

        context.say("failure matrix: each process stopped in turn, then restarted ...")
        try:
            context.record.failure_matrix = scenarios.failure_matrix(
                context.monolith, context.micro
            )
        except Exception as error:
            context.record.notes[self.name] = f"failed: {error!r}"
            context.say(f"  failure matrix failed: {error!r}\n{traceback.format_exc()}")

    def sections(self, record: RunRecord, charts: Charts) -> list[Section]:
        return [failure_matrix(record.as_mapping())]


def failure_matrix(raw: dict) -> Section:
    rows = raw.get("failure_matrix")
    if not rows:
        note = raw.get("notes", {}).get("failure_matrix", "")
        return Section("Failure matrix", [f"{NOT_MEASURED} ({note})." if note else NOT_MEASURED])
    fixed = {"stack", "target", "converged", "lost", "doubled", "converge_seconds"}
    actions = list(dict.fromkeys(key for row in rows for key in row if key not in fixed))
    headers = ["stack", "stopped", *actions, "converged", "lost", "doubled", "converge s"]
    table = Table(
        headers,
        [
            [
                r["stack"],
                r["target"],
                *(r.get(a, "") for a in actions),
                yes_no(r["converged"]),
                r["lost"],
                r["doubled"],
                r["converge_seconds"],
            ]
            for r in rows
        ],
    )
    return Section(
        "Failure matrix",
        [
            "Each process stopped in turn: what every user action answered meanwhile ('refused': "
            "nothing listens), then, after the restart, whether every write accepted during the "
            "outage became visible once with its final status.",
            table,
        ],
    )
