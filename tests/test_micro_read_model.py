"""Micro's read side: the three read strategies agree, and query rebuilds from the event store."""

from __future__ import annotations

import time

import pytest

from shared import rules
from tests.conftest import eventually

pytestmark = pytest.mark.e2e


def _settled(micro_client, post_ids: set[int], comments_each: int) -> list[dict]:
    """The query list once every one of these posts shows all its comments, moderated."""

    def done(reply) -> bool:
        mine = [p for p in reply.body if p["id"] in post_ids]
        return len(mine) == len(post_ids) and all(
            len(p["comments"]) == comments_each
            and all(c["status"] != rules.PENDING for c in p["comments"])
            for p in mine
        )

    return eventually(lambda: micro_client.list_posts(limit=rules.LIST_LIMIT_MAX), until=done).body


@pytest.fixture
def three_posts(micro_client, unique) -> set[int]:
    ids = set()
    for number in range(3):
        post = micro_client.create_post(f"Strategy {number} {unique}").body
        micro_client.add_comment(post["id"], "apple")
        micro_client.add_comment(post["id"], "Orange")
        ids.add(post["id"])
    _settled(micro_client, ids, comments_each=2)
    return ids


def test_the_three_read_strategies_agree_and_cost_what_they_should(micro_client, three_posts):
    limit = 3
    query = micro_client.list_posts(limit=limit, strategy="query")
    aggregator = micro_client.list_posts(limit=limit, strategy="aggregator")
    naive = micro_client.list_posts(limit=limit, strategy="naive")
    assert {p["id"] for p in query.body} == three_posts
    assert query.body == aggregator.body == naive.body
    assert (query.requests, aggregator.requests, naive.requests) == (1, 1, 1 + limit)


def test_query_rebuilt_from_the_event_store_answers_the_same(
    micro_stack, micro_client, three_posts
):
    before = micro_client.list_posts(limit=rules.LIST_LIMIT_MAX)
    output = micro_stack.manage("query", "rebuild_query")
    after = micro_client.list_posts(limit=rules.LIST_LIMIT_MAX)
    assert after.status == 200
    assert after.body == before.body
    assert "applied" in output.lower()


def test_aggregator_answers_503_quickly_when_comments_is_down(
    micro_stack, micro_client, three_posts
):
    micro_stack.stop_process("comments-web")
    try:
        started = time.monotonic()
        reply = micro_client.list_posts(limit=3, strategy="aggregator")
        assert reply.status == 503
        assert reply.body["service"] == "comments"
        assert time.monotonic() - started < 5
        # The read model does not depend on comments being up.
        assert micro_client.list_posts(limit=3, strategy="query").status == 200
    finally:
        micro_stack.start_process("comments-web")


REPLAY_SECONDS = 120.0


def test_a_brand_new_empty_query_catches_up_by_itself(micro_stack, micro_client, three_posts):
    before = micro_client.list_posts(limit=rules.LIST_LIMIT_MAX).body
    micro_stack.stop_process("query-worker")
    micro_stack.stop_process("query-web")
    micro_stack.reset_database("query")
    micro_stack.start_process("query-web")
    assert micro_client.list_posts(limit=rules.LIST_LIMIT_MAX).body == []

    micro_stack.start_process("query-worker")

    # It replays the whole event store, which by now holds every earlier test's events
    # (thousands, after the connection-reset load test): give it longer than live delivery.
    after = eventually(
        lambda: micro_client.list_posts(limit=rules.LIST_LIMIT_MAX).body,
        until=lambda body: body == before,
        timeout=REPLAY_SECONDS,
    )
    assert after == before
