"""Reading back what the pair run wrote, and the interleaved order of the runs."""

from __future__ import annotations

from stacks.compare.pairs import expected_comments, reconcile
from stacks.compare.workload import READ_ACTIONS, WRITE_ACTIONS, interleaved_plan


def comment(comment_id: int, status: str = "approved") -> dict:
    return {"id": comment_id, "status": status}


def test_only_acknowledged_comments_are_expected():
    samples: list[dict] = [
        {"outcome": "ok", "post_id": 1, "comment_id": 10},
        {"outcome": "ok", "post_id": 1, "comment_id": 11},
        {"outcome": "503"},
        {"outcome": "ok", "post_id": 2, "comment_id": 20},
    ]
    assert expected_comments(samples) == {1: {10, 11}, 2: {20}}


def test_reconcile_counts_lost_doubled_and_still_pending_comments():
    shown = [comment(10), comment(10), comment(12, "pending"), comment(99)]
    result = reconcile({10, 11, 12}, shown)
    assert result == {"present_once": 1, "lost": 1, "doubled": 1, "not_final": 1}


def test_reconcile_of_a_complete_post():
    assert reconcile({1, 2}, [comment(1), comment(2, "rejected")]) == {
        "present_once": 2,
        "lost": 0,
        "doubled": 0,
        "not_final": 0,
    }


def test_the_plan_runs_the_monolith_then_micro_for_each_repetition_and_level():
    plan = interleaved_plan(WRITE_ACTIONS, levels=[1, 8], repetitions=2)
    assert len(plan) == len(WRITE_ACTIONS) * 2 * 2
    for first, second in zip(plan[::2], plan[1::2], strict=True):
        assert (first["action"].stack, second["action"].stack) == ("monolith", "micro")
        assert first["action"].group == second["action"].group
        assert (first["repetition"], first["concurrency"]) == (
            second["repetition"],
            second["concurrency"],
        )
    assert [step["repetition"] for step in plan] == sorted(step["repetition"] for step in plan)


def test_the_read_plan_covers_every_read_strategy_at_every_level():
    plan = interleaved_plan(READ_ACTIONS, levels=[1, 8, 32], repetitions=1)
    seen = {(step["action"].key, step["concurrency"]) for step in plan}
    assert len(seen) == len(plan) == 4 * 3
