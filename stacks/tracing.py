"""Add up what one action cost across a stack, from the trace records its processes wrote.

Every web request and Celery task writes one record tagged with the action's request id
(see shared/instrumentation); summing the records of one id gives the action's whole
fan-out: requests per service, internal calls, messages, SQL queries.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import time
import uuid
from collections import Counter
from pathlib import Path

from stacks.processes import wait_until


def new_request_id(prefix: str = "act") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:16]}"


@dataclasses.dataclass
class ActionCost:
    """What one action cost the stack (the client's own request count is on its Reply)."""

    requests: Counter  # inbound HTTP requests per service (external and internal)
    internal_requests: int  # of which came from another service
    calls_out: int  # outbound HTTP calls made by services
    published: int  # Celery messages published
    consumed: int  # Celery messages consumed (tasks run)
    sql: Counter  # SQL queries per service
    tasks: Counter  # task runs per task name

    @property
    def sql_total(self) -> int:
        return sum(self.sql.values())

    @property
    def external_requests(self) -> int:
        return sum(self.requests.values()) - self.internal_requests


def read_records(trace_dir: Path, request_id: str) -> list[dict]:
    records = []
    for path in sorted(Path(trace_dir).glob("*.jsonl")):
        with path.open() as lines:
            for line in lines:
                if f'"rid":"{request_id}"' in line:
                    try:
                        records.append(json.loads(line))
                    except ValueError:
                        continue  # a line being written right now
    return records


def summarise(records: list[dict]) -> ActionCost:
    requests, sql, tasks = Counter(), Counter(), Counter()
    internal = calls_out = published = consumed = 0
    for record in records:
        if record["kind"] == "http":
            requests[record["service"]] += 1
            internal += bool(record.get("internal"))
        if record["kind"] == "task":
            tasks[record["name"]] += 1
        sql[record["service"]] += record.get("sql", 0)
        calls_out += record.get("calls_out", 0)
        published += record.get("published", 0)
        consumed += record.get("consumed", 0)
    return ActionCost(requests, internal, calls_out, published, consumed, +sql, tasks)


def action_cost(
    trace_dir: Path, request_id: str, *, quiet_for: float = 0.15, timeout: float = 10.0
) -> ActionCost:
    """The cost of one action once its fan-out has gone quiet: no new record for `quiet_for`
    seconds and every published message consumed (or `timeout` passed)."""
    state = {"count": -1, "since": time.monotonic()}

    def settled() -> bool:
        records = read_records(trace_dir, request_id)
        cost = summarise(records)
        if len(records) != state["count"]:
            state.update(count=len(records), since=time.monotonic())
            return False
        quiet = time.monotonic() - state["since"] >= quiet_for
        return quiet and cost.consumed >= cost.published

    # On time-out, report what there is: a stuck message shows as published > consumed.
    with contextlib.suppress(TimeoutError):
        wait_until(settled, timeout=timeout, interval=0.05)
    return summarise(read_records(trace_dir, request_id))
