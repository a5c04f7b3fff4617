"""Eventual-consistency lag on micro: from a comment's POST returning to its final status in query.

The moment the final status became readable is taken from the trace records the stack
writes anyway: the `query.handle_event` task that applied the comment's last event writes
its record (with `at` = time.time()) right after its transaction committed. Lag is that
moment minus the client's time.time() when the POST returned. One clock (one machine), no
polling, so no polling granularity and no extra load on query. `validate_against_polling`
checks the method once against the obvious one: asking query until the status shows.
"""

from __future__ import annotations

import json
import statistics
import time
from collections import defaultdict
from pathlib import Path

from shared import rules
from stacks.client import BlogClient
from stacks.compare import loadgen
from stacks.launcher import Stack
from stacks.tracing import final_visible_at


class TraceFollower:
    """Reads the records appended to a trace folder since it was created, file by file, and
    keeps those of the request ids it was asked to watch."""

    def __init__(self, trace_dir: Path):
        self.trace_dir = Path(trace_dir)
        self.offsets = {path: path.stat().st_size for path in self.trace_dir.glob("*.jsonl")}
        self.watched: set[str] = set()
        self.records: dict[str, list[dict]] = defaultdict(list)

    def watch(self, request_id: str) -> None:
        self.watched.add(request_id)

    def poll(self) -> None:
        for path in sorted(self.trace_dir.glob("*.jsonl")):
            offset = self.offsets.get(path, 0)
            with path.open("rb") as handle:
                handle.seek(offset)
                chunk = handle.read()
            complete = chunk.rfind(b"\n") + 1  # a line being written now waits for next time
            self.offsets[path] = offset + complete
            for line in chunk[:complete].splitlines():
                self._keep(line)

    def _keep(self, line: bytes) -> None:
        start = line.find(b'"rid":"')
        if start < 0:
            return
        end = line.find(b'"', start + 7)
        if line[start + 7 : end].decode() in self.watched:
            try:
                record = json.loads(line)
            except ValueError:
                return
            self.records[record["rid"]].append(record)

    def visible_at(self, request_id: str) -> float | None:
        return final_visible_at(self.records.get(request_id, []))

    def wait_for(self, request_ids: list[str], *, timeout: float) -> dict[str, float | None]:
        """Poll until every request id has its final record (or the timeout passes)."""
        deadline = time.monotonic() + timeout
        while True:
            self.poll()
            seen = {rid: self.visible_at(rid) for rid in request_ids}
            if all(moment is not None for moment in seen.values()):
                return seen
            if time.monotonic() > deadline:
                return seen
            time.sleep(0.002 if len(request_ids) == 1 else 0.05)


def lags_ms(returned_at: dict[str, float], visible_at: dict[str, float | None]) -> dict:
    """Lag per comment in ms (comments never seen are counted, not guessed)."""
    lags = [
        (visible - returned) * 1000
        for rid, returned in returned_at.items()
        if (visible := visible_at.get(rid)) is not None
    ]
    seen = [moment for moment in visible_at.values() if moment is not None]
    return {
        "lags_ms": lags,
        "missing": sum(1 for rid in returned_at if visible_at.get(rid) is None),
        "last_visible_at": max(seen) if seen else None,
    }


def measure_idle_lag(micro: Stack, *, post_id: int, count: int) -> dict:
    """One comment at a time, each waited for before the next: the lag of an idle system,
    and where it goes (lag_by_hop)."""
    client = loadgen.client("micro", micro.urls)
    follower = TraceFollower(micro.trace_dir)
    returned, visible = {}, {}
    for number in range(count):
        reply = client.add_comment(post_id, f"lag probe {number}")
        moment = time.time()
        if not reply.ok:
            continue
        returned[reply.request_id] = moment
        follower.watch(reply.request_id)
        visible.update(follower.wait_for([reply.request_id], timeout=10))
    follower.poll()  # the event store's records, which the final status does not wait for
    return {**lags_ms(returned, visible), "hops": lag_by_hop(follower.records, returned)}


def lag_by_hop(records: dict[str, list[dict]], returned_at: dict[str, float]) -> list[dict]:
    """Where a comment's lag goes: each record its action left (a web request, a relay, a
    task), in the order it began, with the median of when it began and ended, in ms after
    the comment's POST returned (client clock; `at` is each record's end, `ms` its length).
    A record that recurs in one action (query applies CommentCreated, then CommentUpdated;
    the event store stores three events) is one step per occurrence, numbered. Only
    actions whose final status was seen count; a step that some of them had not written
    when the records were read (the event store's last copy, say) counts fewer."""
    steps: dict[str, list[tuple[float, float]]] = defaultdict(list)
    seen = [rid for rid in returned_at if final_visible_at(records.get(rid, [])) is not None]
    for rid in seen:
        occurrences: dict[str, int] = defaultdict(int)
        for record in sorted(records[rid], key=lambda r: r["at"] - r.get("ms", 0) / 1000):
            process = f"{record.get('service', '?')}-{record.get('role', '?')}"
            step = f"{process}: {record.get('name') or record.get('kind', '?')}"
            occurrences[step] += 1
            if occurrences[step] > 1:
                step = f"{step} #{occurrences[step]}"
            end = (record["at"] - returned_at[rid]) * 1000
            steps[step].append((end - record.get("ms", 0), end))
    rows = [
        {
            "step": step,
            "comments": len(times),
            "began_ms": statistics.median(began for began, _ in times),
            "ended_ms": statistics.median(ended for _, ended in times),
        }
        for step, times in steps.items()
    ]
    return sorted(rows, key=lambda row: row["began_ms"])


def collect_lags(follower: TraceFollower, samples: list[dict], *, timeout: float = 120.0) -> dict:
    """Lags of comments the load generator posted (samples carry rid and returned_at)."""
    returned = {s["rid"]: s["returned_at"] for s in samples if s.get("rid")}
    for rid in returned:
        follower.watch(rid)
    visible = follower.wait_for(list(returned), timeout=timeout)
    return lags_ms(returned, visible)


# -- the method, checked against polling -------------------------------------------------------
def _poll_until_final(client: BlogClient, post_id: int, comment_id: int) -> tuple[float, float]:
    """Ask query for the post until the comment shows a final status. Returns the send time
    of the last read that did not see it and the answer time of the first that did: the
    status became visible in between."""
    last_miss_sent = time.time()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        sent = time.time()
        reply = client.get_post(post_id)
        answered = time.time()
        comments = reply.body.get("comments", []) if reply.ok else []
        if any(c["id"] == comment_id and c["status"] != rules.PENDING for c in comments):
            return last_miss_sent, answered
        last_miss_sent = sent
        time.sleep(0.001)
    raise TimeoutError(f"comment {comment_id} never showed its final status in query")


def validate_against_polling(micro: Stack, *, post_id: int, count: int) -> list[dict]:
    """For each comment: the trace lag, and the bounds polling puts on it (all in ms)."""
    client = loadgen.client("micro", micro.urls)
    follower = TraceFollower(micro.trace_dir)
    checks = []
    for number in range(count):
        reply = client.add_comment(post_id, f"lag check {number}")
        returned = time.time()
        low, high = _poll_until_final(client, post_id, reply.body["id"])
        follower.watch(reply.request_id)
        visible = follower.wait_for([reply.request_id], timeout=10)[reply.request_id]
        checks.append(
            {
                "trace_ms": None if visible is None else (visible - returned) * 1000,
                "poll_low_ms": (low - returned) * 1000,
                "poll_high_ms": (high - returned) * 1000,
            }
        )
    return checks


def agreement(checks: list[dict], *, slack_ms: float = 1.0) -> dict:
    """How many trace lags fall within the polling bounds (give or take slack_ms)."""
    measured = [c for c in checks if c["trace_ms"] is not None]
    inside = [
        c
        for c in measured
        if c["poll_low_ms"] - slack_ms <= c["trace_ms"] <= c["poll_high_ms"] + slack_ms
    ]
    widths = sorted(c["poll_high_ms"] - c["poll_low_ms"] for c in measured)
    return {
        "checked": len(checks),
        "within_bounds": len(inside),
        "median_bound_width_ms": widths[len(widths) // 2] if widths else None,
    }
