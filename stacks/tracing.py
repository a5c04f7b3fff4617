"""Add up what one action cost across a stack, from the trace records its processes wrote.

Every web request and Celery task writes one record tagged with the action's request id
(see shared/instrumentation); summing the records of one id gives the action's whole
fan-out: requests per service, internal calls, messages, SQL queries; and when micro's read
model applied its events (query_applied_at, final_visible_at: the lab and the benchmark's
consistency lag read them alike).
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import threading
import time
import uuid
from collections import Counter, OrderedDict
from pathlib import Path

from shared.deployables import event_task
from stacks.processes import wait_until

# The task that applies an event to micro's read model: its record (`at` = time.time(),
# written right after its transaction committed) is when the change became readable.
QUERY_APPLY_TASK = event_task("query")
# A comment reaches query twice: CommentCreated (pending), then CommentUpdated (final).
QUERY_APPLIES_PER_COMMENT = 2


def new_request_id(prefix: str = "act") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:16]}"


@dataclasses.dataclass
class ActionCost:
    """What one action cost the stack (the client's own request count is on its Reply)."""

    requests: Counter[str]  # inbound HTTP requests per service (external and internal)
    internal_requests: int  # of which came from another service
    calls_out: int  # outbound HTTP calls made by services
    published: int  # Celery messages published
    consumed: int  # Celery messages consumed (tasks run)
    sql: Counter[str]  # SQL queries per service
    tasks: Counter[str]  # task runs per task name
    # Events a web process left to its relay thread, and the relay records written for
    # them: until they match, the action's messages are not all sent yet.
    handed_off: int = 0
    relayed: int = 0

    @property
    def sql_total(self) -> int:
        return sum(self.sql.values())

    @property
    def external_requests(self) -> int:
        return sum(self.requests.values()) - self.internal_requests


class TraceIndex:
    """The records of one trace folder by request id, read incrementally: each refresh reads
    only the bytes appended since the last one (whole lines only), so polling an action's
    cost (action_cost, the lab) never rescans the files. A path with a new inode was rotated
    (shared.instrumentation.trace): it is read again from its start."""

    MAX_ACTIONS = 100_000  # the oldest request ids are forgotten beyond this

    def __init__(self, trace_dir: Path):
        self.trace_dir = Path(trace_dir)
        self.offsets: dict[Path, tuple[int, int]] = {}  # path: (inode, bytes read)
        self.by_request: OrderedDict[str, list[dict]] = OrderedDict()
        self._lock = threading.Lock()

    def records(self, request_id: str) -> list[dict]:
        with self._lock:
            self._refresh()
            return list(self.by_request.get(request_id, ()))

    def _refresh(self) -> None:
        for path in sorted(self.trace_dir.glob("*.jsonl")):
            try:
                with path.open("rb") as lines:
                    inode = os.fstat(lines.fileno()).st_ino
                    known_inode, offset = self.offsets.get(path, (inode, 0))
                    offset = offset if known_inode == inode else 0
                    lines.seek(offset)
                    chunk = lines.read()
            except FileNotFoundError:
                continue
            complete = chunk.rfind(b"\n") + 1  # a line being written right now waits
            self.offsets[path] = (inode, offset + complete)
            for line in chunk[:complete].splitlines():
                self._add(line)

    def _add(self, line: bytes) -> None:
        try:
            record = json.loads(line)
        except ValueError:
            return
        self.by_request.setdefault(record.get("rid"), []).append(record)
        if len(self.by_request) > self.MAX_ACTIONS:
            self.by_request.popitem(last=False)


_indexes: dict[Path, TraceIndex] = {}
_indexes_lock = threading.Lock()


def trace_index(trace_dir: Path) -> TraceIndex:
    """One index per trace folder per process (a stack's start empties its folder, so
    an index whose files are gone starts again)."""
    key = Path(trace_dir).resolve()
    with _indexes_lock:
        index = _indexes.get(key)
        if index is None or any(not path.exists() for path in index.offsets):
            index = _indexes[key] = TraceIndex(key)
        return index


def read_records(trace_dir: Path, request_id: str) -> list[dict]:
    return trace_index(trace_dir).records(request_id)


def summarise(records: list[dict]) -> ActionCost:
    requests: Counter[str] = Counter()
    sql: Counter[str] = Counter()
    tasks: Counter[str] = Counter()
    internal = calls_out = published = consumed = handed_off = relayed = 0
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
        handed_off += record.get("handed_off", 0)
        relayed += record.get("relayed", 0)
    return ActionCost(
        requests, internal, calls_out, published, consumed, +sql, tasks, handed_off, relayed
    )


def action_cost(
    trace_dir: Path, request_id: str, *, quiet_for: float = 0.15, timeout: float = 10.0
) -> ActionCost:
    """The cost of one action once its fan-out has gone quiet: no new record for `quiet_for`
    seconds, every event handed to a relay thread relayed, and every published message
    consumed (or `timeout` passed)."""
    state = {"count": -1, "since": time.monotonic()}

    def settled() -> bool:
        records = read_records(trace_dir, request_id)
        cost = summarise(records)
        if len(records) != state["count"]:
            state.update(count=len(records), since=time.monotonic())
            return False
        quiet = time.monotonic() - state["since"] >= quiet_for
        relayed = cost.relayed >= cost.handed_off
        return quiet and relayed and cost.consumed >= cost.published

    # On time-out, report what there is: a stuck message shows as published > consumed.
    with contextlib.suppress(TimeoutError):
        wait_until(settled, timeout=timeout, interval=0.05)
    return summarise(read_records(trace_dir, request_id))


def query_applied_at(records: list[dict]) -> list[float]:
    """When query applied the events of one action: the times of its successful
    query.handle_event records, earliest first."""
    return sorted(
        record["at"]
        for record in records
        if record.get("kind") == "task"
        and record.get("name") == QUERY_APPLY_TASK
        and record.get("status") == "SUCCESS"
    )


def final_visible_at(records: list[dict]) -> float | None:
    """When a comment's final status became readable in query: the later of the two
    successful query.handle_event records of its request id; None until both exist."""
    applied = query_applied_at(records)
    if len(applied) < QUERY_APPLIES_PER_COMMENT:
        return None
    return applied[-1]
