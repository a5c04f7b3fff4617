"""Consistency lag from trace records: which record marks the final status, reading trace
files as they grow, and the agreement check against polling."""

from __future__ import annotations

import json

from pytest import approx

from stacks.compare.lag import TraceFollower, agreement, lags_ms
from stacks.tracing import final_visible_at


def task(rid: str, name: str, at: float, status: str = "SUCCESS") -> dict:
    return {"rid": rid, "kind": "task", "name": name, "status": status, "at": at}


def test_the_final_status_is_visible_when_query_applied_the_second_event():
    records = [
        task("a", "eventbus.publish", 1.00),
        task("a", "query.handle_event", 1.02),  # CommentCreated: pending
        task("a", "moderation.handle_event", 1.03),
        task("a", "query.handle_event", 1.09),  # CommentUpdated: the final status
    ]
    assert final_visible_at(records) == 1.09


def test_no_final_status_until_query_applied_both_events_successfully():
    assert final_visible_at([task("a", "query.handle_event", 1.0)]) is None
    retried = [
        task("a", "query.handle_event", 1.0),
        task("a", "query.handle_event", 1.1, status="RETRY"),
    ]
    assert final_visible_at(retried) is None


def _append(path, *records, partial: str = "") -> None:
    with path.open("a") as handle:
        for record in records:
            handle.write(json.dumps(record, separators=(",", ":")) + "\n")
        handle.write(partial)


def test_the_follower_reads_only_new_complete_lines_of_watched_request_ids(tmp_path):
    old = tmp_path / "query-worker-1.jsonl"
    _append(old, task("a", "query.handle_event", 0.5))  # before the follower: ignored
    follower = TraceFollower(tmp_path)
    follower.watch("a")
    half = json.dumps(task("a", "query.handle_event", 2.0), separators=(",", ":"))
    _append(old, task("a", "query.handle_event", 1.0), task("b", "query.handle_event", 1.5),
            partial=half[:20])  # fmt: skip
    follower.poll()
    assert [r["at"] for r in follower.records["a"]] == [1.0]
    assert "b" not in follower.records
    with old.open("a") as handle:
        handle.write(half[20:] + "\n")  # the line is finished now
    _append(tmp_path / "query-worker-2.jsonl", task("a", "eventbus.publish", 3.0))  # a new file
    follower.poll()
    assert [r["at"] for r in follower.records["a"]] == [1.0, 2.0, 3.0]
    assert follower.visible_at("a") == 2.0


def test_wait_for_gives_up_after_the_timeout_and_says_which_were_never_seen(tmp_path):
    follower = TraceFollower(tmp_path)
    follower.watch("a")
    assert follower.wait_for(["a"], timeout=0.05) == {"a": None}


def test_lags_are_measured_from_the_post_returning_and_unseen_ones_are_counted():
    lags = lags_ms({"a": 10.0, "b": 10.5, "c": 11.0}, {"a": 10.04, "b": 10.6, "c": None})
    assert [round(lag, 6) for lag in lags["lags_ms"]] == [40.0, 100.0]
    assert lags["missing"] == 1
    assert lags["last_visible_at"] == 10.6


def test_agreement_counts_trace_lags_inside_the_polling_window():
    checks: list[dict] = [
        {"trace_ms": 40.0, "poll_low_ms": 35.0, "poll_high_ms": 45.0},
        {"trace_ms": 50.5, "poll_low_ms": 40.0, "poll_high_ms": 50.0},  # within the slack
        {"trace_ms": 90.0, "poll_low_ms": 40.0, "poll_high_ms": 50.0},  # outside
        {"trace_ms": None, "poll_low_ms": 40.0, "poll_high_ms": 50.0},  # never seen in traces
    ]
    result = agreement(checks, slack_ms=1.0)
    assert (result["checked"], result["within_bounds"]) == (4, 2)
    assert result["median_bound_width_ms"] == 10.0


def record(rid: str, process: str, name: str, at: float, ms: float, kind: str = "task") -> dict:
    service, role = process.split("-")
    return {"rid": rid, "service": service, "role": role, "kind": kind, "name": name,
            "status": "SUCCESS", "at": at, "ms": ms}  # fmt: skip


def _comment(rid: str, returned: float, slower: float = 0.0) -> list[dict]:
    """One comment's records: the POST (returned at `returned`), its relay, moderation,
    comments, query twice, the event store; `slower` ms added to moderation's task."""
    t, late = returned, slower / 1000
    return [
        record(rid, "comments-web", "POST /comments/", t, 4.0, kind="http"),
        record(rid, "comments-web", "relay after commit", t + 0.003, 2.0, kind="relay"),
        record(rid, "query-worker", "query.handle_event", t + 0.006, 2.0),
        record(rid, "eventbus-worker", "eventbus.publish", t + 0.0065, 1.0),
        record(rid, "moderation-worker", "moderation.handle_event", t + 0.0085 + late, 4 + slower),
        record(rid, "comments-worker", "comments.handle_event", t + 0.015 + late, 6.0),
        record(rid, "query-worker", "query.handle_event", t + 0.019 + late, 2.0),
    ]


def test_the_lag_is_laid_out_hop_by_hop_with_the_median_of_each_step():
    from stacks.compare.lag import lag_by_hop

    records = {"a": _comment("a", 100.0), "b": _comment("b", 200.0, slower=2.0),
               "c": _comment("c", 300.0, slower=4.0)}  # fmt: skip
    hops = lag_by_hop(records, {"a": 100.0, "b": 200.0, "c": 300.0})

    by_step = {hop["step"]: hop for hop in hops}
    assert [hop["step"] for hop in hops] == [
        "comments-web: POST /comments/",
        "comments-web: relay after commit",
        "query-worker: query.handle_event",
        "moderation-worker: moderation.handle_event",
        "eventbus-worker: eventbus.publish",
        "comments-worker: comments.handle_event",
        "query-worker: query.handle_event #2",
    ]
    assert all(hop["comments"] == 3 for hop in hops)
    assert by_step["comments-web: POST /comments/"]["ended_ms"] == 0.0
    assert by_step["query-worker: query.handle_event #2"]["ended_ms"] == approx(21.0)  # median
    moderation = by_step["moderation-worker: moderation.handle_event"]
    assert (moderation["began_ms"], moderation["ended_ms"]) == (approx(4.5), approx(10.5))


def test_an_action_never_final_is_left_out_of_every_step():
    from stacks.compare.lag import lag_by_hop

    unfinished = _comment("b", 200.0)[:-1]  # query never applied CommentUpdated
    hops = lag_by_hop({"a": _comment("a", 100.0), "b": unfinished}, {"a": 100.0, "b": 200.0})
    assert {hop["comments"] for hop in hops} == {1}
