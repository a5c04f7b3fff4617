"""Exact request, message and SQL counts per user action, from the trace records.

These are the counts the course argues about: 1 request on the monolith and on query,
1 + N for a naive client, 1 external + 1 + N internal through the aggregator.
"""

from __future__ import annotations

import pytest

from stacks.client import BlogClient
from stacks.tracing import action_cost
from tests.conftest import eventually

pytestmark = pytest.mark.e2e

# CommentCreated, CommentModerated and CommentUpdated each go to the event bus (3), which
# fans them out to moderation + query, comments, and query (2 + 1 + 1).
MESSAGES_PER_MICRO_COMMENT = 7
MESSAGES_PER_MICRO_POST = 3  # PostCreated to the event bus, then to comments and query


def _posts_with_comments(client: BlogClient, stack, count: int, unique: str) -> list[int]:
    """Create posts with one comment each and wait until every one of them is settled."""
    ids = []
    for number in range(count):
        post = client.create_post(f"Count {number} {unique}")
        action_cost(stack.trace_dir, post.request_id)  # PostCreated has reached everyone
        comment = client.add_comment(post.body["id"], "plain words")
        action_cost(stack.trace_dir, comment.request_id)
        ids.append(post.body["id"])
    return ids


@pytest.mark.parametrize("posts", [1, 4])
def test_the_post_list_costs_one_request_on_the_monolith_and_on_query(stack, client, unique, posts):
    _posts_with_comments(client, stack, posts, unique)
    reply = client.list_posts(limit=posts)
    cost = action_cost(stack.trace_dir, reply.request_id)
    service = "monolith" if stack.kind == "monolith" else "query"
    assert len(reply.body) == posts
    assert reply.requests == 1
    assert dict(cost.requests) == {service: 1}
    assert (cost.calls_out, cost.published, cost.consumed) == (0, 0, 0)


def test_sql_queries_per_list_read_do_not_grow_with_the_number_of_posts(stack, client, unique):
    _posts_with_comments(client, stack, 5, unique)
    one = action_cost(stack.trace_dir, client.list_posts(limit=1).request_id)
    five = action_cost(stack.trace_dir, client.list_posts(limit=5).request_id)
    # One query on each: the monolith's join, query's stored documents.
    assert one.sql_total == five.sql_total == 1


@pytest.mark.parametrize("posts", [2, 5])
def test_naive_and_aggregator_reads_cost_one_plus_n(micro_stack, micro_client, unique, posts):
    _posts_with_comments(micro_client, micro_stack, posts, unique)

    naive = micro_client.list_posts(limit=posts, strategy="naive")
    naive_cost = action_cost(micro_stack.trace_dir, naive.request_id)
    assert naive.requests == 1 + posts
    assert dict(naive_cost.requests) == {"posts": 1, "comments": posts}
    assert naive_cost.internal_requests == 0

    aggregated = micro_client.list_posts(limit=posts, strategy="aggregator")
    cost = action_cost(micro_stack.trace_dir, aggregated.request_id)
    assert aggregated.requests == 1
    assert cost.external_requests == 1
    assert cost.calls_out == cost.internal_requests == 1 + posts
    assert dict(cost.requests) == {"aggregator": 1, "posts": 1, "comments": posts}


def test_a_micro_comment_costs_seven_messages_and_a_monolith_comment_none(stack, client, unique):
    post = client.create_post(f"Messages {unique}")
    post_cost = action_cost(stack.trace_dir, post.request_id)
    comment = client.add_comment(post.body["id"], "Orange is a colour")
    cost = action_cost(stack.trace_dir, comment.request_id)
    if stack.kind == "monolith":
        assert (post_cost.published, cost.published, cost.consumed) == (0, 0, 0)
        assert dict(cost.requests) == {"monolith": 1}
        return
    assert post_cost.published == post_cost.consumed == MESSAGES_PER_MICRO_POST
    assert cost.published == cost.consumed == MESSAGES_PER_MICRO_COMMENT
    assert dict(cost.tasks) == {
        "eventbus.publish": 3,
        "moderation.handle_event": 1,
        "query.handle_event": 2,
        "comments.handle_event": 1,
    }
    assert dict(cost.requests) == {"comments": 1}
    assert cost.calls_out == 0


def test_comments_asks_posts_once_about_a_post_it_has_not_heard_of(
    micro_stack, micro_client, unique
):
    micro_stack.stop_process("comments-worker")  # PostCreated cannot reach comments now
    try:
        post = micro_client.create_post(f"Unheard {unique}").body
        first = micro_client.add_comment(post["id"], "first")
        second = micro_client.add_comment(post["id"], "second")
    finally:
        micro_stack.start_process("comments-worker")
    assert (first.status, second.status) == (201, 201)
    assert action_cost(micro_stack.trace_dir, first.request_id).calls_out == 1
    assert action_cost(micro_stack.trace_dir, second.request_id).calls_out == 0
    eventually(
        lambda: micro_client.get_post(post["id"]),
        until=lambda reply: reply.status == 200 and len(reply.body["comments"]) == 2,
    )
