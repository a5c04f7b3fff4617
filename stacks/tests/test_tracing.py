"""Adding up one action's trace records: when has its fan-out settled?"""

from __future__ import annotations

import json
import threading
import time

from stacks.tracing import action_cost, new_request_id, summarise


def _write(path, record: dict) -> None:
    with path.open("a") as lines:
        lines.write(json.dumps(record) + "\n")


def _record(rid: str, *, kind: str, **counts) -> dict:
    record: dict[str, object] = {"rid": rid, "service": "comments", "role": "web", "kind": kind}
    record["name"] = kind
    record.update(sql=0, calls_out=0, published=0, consumed=0, at=time.time())
    record.update(counts)
    return record


def test_an_action_is_not_settled_while_its_relay_thread_has_not_relayed(tmp_path):
    """A web process answers before its relay thread sends the event (publish.BackgroundRelay):
    its request record says so (handed_off), and the action waits for the relay record,
    however long the thread takes, instead of settling on a quiet trace."""
    rid = new_request_id()
    traces = tmp_path / "comments-web.jsonl"
    _write(traces, _record(rid, kind="http", sql=5, handed_off=1))

    def relay_later() -> None:
        time.sleep(0.6)  # well past action_cost's quiet_for (0.15 s)
        _write(traces, _record(rid, kind="relay", sql=2, published=1, relayed=1))
        time.sleep(0.3)
        _write(traces, _record(rid, kind="task", consumed=1))

    writer = threading.Thread(target=relay_later)
    writer.start()
    cost = action_cost(tmp_path, rid, timeout=10)
    writer.join()

    assert (cost.handed_off, cost.relayed, cost.published, cost.consumed) == (1, 1, 1, 1)
    assert cost.sql_total == 7


def test_a_record_without_the_relay_fields_adds_up_as_before():
    cost = summarise([_record("r", kind="http", sql=3, published=1)])
    assert (cost.handed_off, cost.relayed, cost.published, cost.sql_total) == (0, 0, 1, 3)
