"""Request counts: every user action once on each stack, counted exactly from the trace
records (stacks/scenarios.py, the same code tests/test_request_counts.py asserts on).

Runs first on the fresh stacks, so that the trace files are small.
"""

from __future__ import annotations

import importlib.util

from stacks.compare.document import Section, Table
from stacks.compare.formats import NOT_MEASURED
from stacks.compare.phase import Charts, Context, Phase
from stacks.compare.record import RunRecord


def scenarios_missing() -> str | None:
    """Why stacks/scenarios.py cannot run, if it cannot (the failure matrix needs it too)."""
    if importlib.util.find_spec("stacks.scenarios") is None:
        return "stacks/scenarios.py is missing"
    return None


class RequestCounts(Phase):
    name = "request_counts"

    def plan(self, options) -> str | None:
        if not options.scenarios:
            return "skipped (--quick or --no-scenarios)"
        return scenarios_missing()

    def run(self, context: Context) -> None:
        from stacks import scenarios

        posts = context.options.count_posts
        context.say(f"request counts: every action once, post list of {posts} posts ...")
        try:
            context.record.request_counts = scenarios.request_count_table(
                context.monolith, context.micro, posts=posts
            )
        except Exception as error:  # a scenario failing must not lose the whole report
            context.record.notes[self.name] = f"failed: {error!r}"
            context.say(f"  request counts failed: {error!r}")

    def sections(self, record: RunRecord, charts: Charts) -> list[Section]:
        return [request_counts(record.as_mapping())]


def request_counts(raw: dict) -> Section:
    rows = raw.get("request_counts")
    if not rows:
        note = raw.get("notes", {}).get("request_counts", "")
        return Section("Request counts", [f"{NOT_MEASURED} ({note})." if note else NOT_MEASURED])
    headers = [
        "action",
        "stack",
        "client requests",
        "internal calls",
        "messages",
        "SQL queries",
        "requests served by",
    ]
    table = Table(
        headers,
        [
            [
                r["action"],
                r["stack"],
                r["client_requests"],
                r["internal_calls"],
                r["messages"],
                r["sql_queries"],
                r.get("services", ""),
            ]
            for r in rows
        ],
    )
    return Section(
        "Request counts",
        [
            "Exact, from the trace records of one action (stacks/scenarios.py, the same code "
            "tests/test_request_counts.py asserts on).",
            table,
        ],
    )
