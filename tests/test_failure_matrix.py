"""The failure matrix: each process stopped in turn, what still works, and convergence after.

"refused" means nothing listens (the process is gone; behind a gateway that becomes a
502/503 of the gateway's). A service that is up but depends on a stopped one answers
503 naming it. Nothing answers 500 and nothing hangs; after the restart every write
accepted during the outage is visible once, with its final status.
"""

from __future__ import annotations

import pytest

from stacks.scenarios import MICRO_TARGETS, MONOLITH_TARGETS, run_outage

pytestmark = pytest.mark.e2e

OK = {"create post": "201", "comment": "201", "list via query": "200",
      "list via aggregator": "200", "list via naive": "200"}  # fmt: skip

EXPECTED_MICRO = {
    "posts-web": {**OK, "create post": "refused", "list via aggregator": "503",
                  "list via naive": "refused"},
    "posts-worker": OK,
    "comments-web": {**OK, "comment": "refused", "list via aggregator": "503",
                     "list via naive": "refused"},
    "comments-worker": OK,
    "moderation-web": OK,
    "moderation-worker": OK,
    "query-web": {**OK, "list via query": "refused"},
    "query-worker": OK,
    "eventbus-web": OK,
    "eventbus-worker": OK,
    "aggregator-web": {**OK, "list via aggregator": "refused"},
    "redis": OK,
}  # fmt: skip


@pytest.mark.parametrize("target", MICRO_TARGETS)
def test_micro_with_one_process_stopped(micro_stack, target):
    result = run_outage(micro_stack, target)
    assert result.outcomes == EXPECTED_MICRO[target]
    assert max(result.seconds.values()) < 10, "an action hung"
    assert (result.converged, result.lost, result.doubled) == (True, 0, 0)


@pytest.mark.parametrize("target", MONOLITH_TARGETS)
def test_the_monolith_stopped_takes_everything_down_and_loses_nothing(monolith_stack, target):
    result = run_outage(monolith_stack, target)
    assert set(result.outcomes.values()) == {"refused"}
    assert (result.converged, result.lost, result.doubled) == (True, 0, 0)


def test_the_aggregator_names_the_service_it_misses(micro_stack, micro_client):
    micro_stack.stop_process("posts-web")
    try:
        reply = micro_client.list_posts(limit=3, strategy="aggregator")
    finally:
        micro_stack.start_process("posts-web")
    assert (reply.status, reply.body["service"]) == (503, "posts")
