"""The overload phase: its figures from made-up samples, and the phase itself on a real micro
stack (accept and drain: nothing refused, lost, applied twice or sent twice)."""

from __future__ import annotations

import os

import pytest

from stacks.compare import overload
from stacks.compare.document import Table, render_markdown
from stacks.launcher import Stack


def sample(at: float, final: int, **depth: int) -> dict:
    return {"at": at, "final": final, "depth": {q: depth.get(q, 0) for q in overload.QUEUES}}


def record(samples: list[dict], *, drained_at: float | None = 130.0) -> dict:
    # 100 posts and 100 comments accepted over 10 s (200 writes); the last write at t=110.
    raw = {
        "plan": {"clients": 50, "duration": 10.0, "sample_every": 0.5, "drain_timeout": 600.0},
        "started_at": 100.0,
        "elapsed_s": 10.0,
        "last_write_at": 110.0,
        "drained_at": drained_at,
        "accepted_posts": 100,
        "accepted_comments": 100,
        "refused": 0,
        "errors": {},
        "published": {"posts": 100, "comments": 200, "moderation": 106},
        "resent": {"lost_on_the_way_to_the_store": 3, "claim_expired": 3},
        "copies": {"comments": 3, "moderation": 3},
        "lost": 0,
        "applied_twice": 0,
        "samples": samples,
    }
    raw["figures"] = overload.figures(raw)
    return raw


SAMPLES = [
    sample(105.0, 20, eventbus=40, query=5),
    sample(110.0, 40, eventbus=120, query=30, moderation=9),  # at the last write: 160 left
    sample(114.0, 120, eventbus=60, query=10),
    sample(118.0, 184, eventbus=5),  # 90% of the backlog final (40 + 144): 144 in 8 s
    sample(135.0, 200),
]


def test_the_sustainable_rate_is_measured_over_the_drain_without_its_tail():
    figures = record(SAMPLES, drained_at=135.0)["figures"]

    assert figures["writes"] == 200
    assert figures["accepted_per_s"] == 20.0
    assert figures["sustainable_per_s"] == pytest.approx(144 / 8)
    assert figures["drain_s"] == 25.0
    assert figures["bound_s"] == pytest.approx(200 / 18 + 10)
    assert figures["bound_met"] is False  # the slow tail (17 s for the last 16) shows
    # Sent per event caused: 100 posts x 1 + 100 comments x 3 = 400 events, 406 sent.
    assert (figures["events_caused"], figures["events_sent"]) == (400, 406)
    assert figures["events_per_write"] == pytest.approx(1.015)
    assert figures["post_created_per_post"] == 1.0
    assert figures["peak_depth"] == {
        "posts": 0, "comments": 0, "moderation": 9, "query": 30, "eventbus": 120
    }  # fmt: skip
    assert figures["depth_at_last_write"]["eventbus"] == 120


def test_the_section_has_a_depth_column_per_queue_and_the_targets_judge_the_run():
    raw = {"overload": record(SAMPLES, drained_at=120.0)}
    section = overload.section(raw)
    summary, depths = [block for block in section.blocks if isinstance(block, Table)]

    assert depths.headers == ["queue depth", *overload.QUEUES]
    assert depths.rows[0] == ["peak", 0, 0, 9, 30, 120]
    assert summary.rows[0][summary.headers.index("within bound")] == "yes"
    assert summary.rows[0][summary.headers.index("events per write")] == "1.01"
    events, drain = overload.targets(raw)
    assert (events["met"], drain["met"]) == (True, True)
    markdown = render_markdown("report", [section])
    rows = [" ".join(line.split()) for line in markdown.splitlines()]
    assert "| queue depth | posts | comments | moderation | query | eventbus |" in rows
    assert "| peak | 0 | 0 | 9 | 30 | 120 |" in rows
    assert (
        "Events sent again, by reason (`blog_events_resent` on the producers' /metrics): "
        "claim_expired 3, lost_on_the_way_to_the_store 3. Copies the event store dropped, by "
        "producer (`blog_events_duplicate` on the event bus): comments 3, moderation 3"
    ) in markdown


def test_a_run_from_before_the_resent_counter_says_it_was_not_counted():
    raw = record(SAMPLES)
    del raw["resent"], raw["copies"]
    assert (
        "Events sent again, by reason: not counted in this run."
        in overload.section({"overload": raw}).blocks
    )


def test_a_run_that_never_drained_misses_the_target_and_one_not_measured_says_so():
    raw = {"overload": record(SAMPLES, drained_at=None)}
    assert [target["met"] for target in overload.targets(raw)] == [True, False]
    assert [target["met"] for target in overload.targets({})] == [None, None]
    assert overload.section({}).blocks == ["Not measured: not measured in this run."]


@pytest.mark.e2e
@pytest.mark.slow
def test_micro_accepts_an_overload_and_drains_it_without_copies(tmp_path):
    """The phase as `compare --quick` runs it, on a fresh micro stack (SQLite, or PostgreSQL
    with BLOG_TEST_DATABASE_URL)."""
    database_url = os.environ.get("BLOG_TEST_DATABASE_URL") or None
    with Stack("micro", run_dir=tmp_path / "micro", database_url=database_url, fresh=True) as micro:
        raw = overload.measure(micro, quick=True, say=print)
    figures = raw["figures"]

    assert raw["refused"] == 0 and raw["errors"] == {}, "accept-and-drain refuses nothing"
    assert figures["writes"] >= 2 * overload.plan_for(quick=True).clients  # a pair each, at least
    assert (raw["lost"], raw["applied_twice"]) == (0, 0)
    assert "sent_by_two_relays" not in raw["resent"], "two relays sent the same event"
    assert raw["drained_at"] is not None, "every accepted write became final in query"
    assert figures["events_per_write"] <= overload.EVENTS_PER_WRITE_TARGET
    assert figures["post_created_per_post"] == 1.0
    assert set(figures["peak_depth"]) == set(overload.QUEUES)
    assert figures["peak_depth"]["eventbus"] > 0, "the writers outran the event bus"
    assert figures["bound_met"] is True
    assert not [s for s in raw["samples"] if "error" in s]
