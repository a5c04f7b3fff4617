"""Latency as relations that hold on any machine: who waits for whom.

Not speed targets (those come from the benchmark): with moderation slowed, the monolith's
comment POST waits for it and micro's does not; with comments slowed, the aggregator's
list is at least that slow and query's is not; with the broker hung, micro's write does
not wait for it either.
"""

from __future__ import annotations

import pytest

from shared import rules
from tests.conftest import eventually

pytestmark = pytest.mark.e2e

DELAY_MS = 300
# A publish to a hung Redis gives up after the broker's socket timeout (shared/settings/
# base.py CELERY_BROKER_TRANSPORT_OPTIONS): 3 s. A write that waited for it took longer.
BROKER_SOCKET_TIMEOUT_SECONDS = 3


@pytest.fixture
def slow_moderation(stack):
    stack.slow_moderation(DELAY_MS)
    yield
    stack.clear_faults()


def test_slow_moderation_holds_up_the_monolith_comment_but_not_micro(
    stack, client, unique, slow_moderation
):
    post = client.create_post(f"Slow moderation {unique}").body
    reply = client.add_comment(post["id"], "is this approved?")
    assert reply.status == 201
    if stack.kind == "monolith":
        assert reply.seconds >= DELAY_MS / 1000
        assert reply.body["status"] == rules.APPROVED
    else:
        assert reply.seconds < DELAY_MS / 1000
        assert reply.body["status"] == rules.PENDING
        eventually(
            lambda: client.get_post(post["id"]),
            until=lambda r: r.ok and [c["status"] for c in r.body["comments"]] == [rules.APPROVED],
        )


def test_a_slow_comments_service_slows_the_aggregator_but_not_query(micro_stack, micro_client):
    micro_stack.inject_fault("comments", delay_ms=DELAY_MS)
    try:
        aggregated = micro_client.list_posts(limit=2, strategy="aggregator")
        queried = micro_client.list_posts(limit=2, strategy="query")
    finally:
        micro_stack.clear_faults()
    assert (aggregated.status, queried.status) == (200, 200)
    assert aggregated.seconds >= DELAY_MS / 1000
    assert queried.seconds < DELAY_MS / 1000


def test_a_failing_comments_service_fails_the_aggregator_with_503_not_query(
    micro_stack, micro_client
):
    micro_stack.inject_fault("comments", fail_status=500)
    try:
        aggregated = micro_client.list_posts(limit=2, strategy="aggregator")
        queried = micro_client.list_posts(limit=2, strategy="query")
    finally:
        micro_stack.clear_faults()
    assert (aggregated.status, aggregated.body["service"]) == (503, "comments")
    assert queried.status == 200


def test_a_database_cut_off_is_a_503_and_writes_resume_after(stack, client, unique):
    service = "monolith" if stack.kind == "monolith" else "posts"
    stack.break_database(service)
    try:
        refused = client.create_post(f"No database {unique}")
    finally:
        stack.restore_database(service)
    assert (refused.status, refused.body["service"]) == (503, "database")
    assert client.create_post(f"Database back {unique}").status == 201


def test_a_micro_write_is_answered_without_waiting_for_a_hung_broker(
    micro_stack, micro_client, unique
):
    """The relay after commit runs beside the response (shared.messaging.publish
    BackgroundRelay): with Redis hung (SIGSTOP) the comment is answered at once, and its
    event follows when Redis answers again."""
    post = micro_client.create_post(f"Hung broker {unique}").body
    eventually(lambda: micro_client.get_post(post["id"]), until=lambda reply: reply.status == 200)
    micro_stack.pause_process("redis")
    try:
        reply = micro_client.add_comment(post["id"], "written while the broker hangs")
    finally:
        micro_stack.resume_process("redis")
    assert reply.status == 201
    assert reply.seconds < BROKER_SOCKET_TIMEOUT_SECONDS / 2
    eventually(
        lambda: micro_client.get_post(post["id"]),
        until=lambda r: r.ok and [c["status"] for c in r.body["comments"]] == [rules.APPROVED],
        timeout=60,
    )
