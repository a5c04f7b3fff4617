"""The event path under a backlog: a slow event bus gets no copies, a lost backlog is re-sent.

Real stack: real Redis (the stack's private one, so FLUSHALL touches nobody else), real
workers, real databases. The event bus's worker is stopped to make it "far behind".
"""

from __future__ import annotations

import base64
import json
import time
from collections import Counter

import pytest
import redis

from stacks.processes import wait_until
from stacks.tracing import action_cost, read_records

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

# shared.messaging.eventbus.EVENTBUS_QUEUE and publish.CONFIRM_AFTER_SECONDS (not imported:
# they need Django settings, and this suite is a black box).
EVENTBUS_QUEUE = "eventbus"
CONFIRM_AFTER_SECONDS = 5
# Confirmation runs every 2 s in the posts worker: three rounds past CONFIRM_AFTER_SECONDS.
CONFIRM_ROUNDS_SECONDS = CONFIRM_AFTER_SECONDS + 3 * 2
# More than the ~400 unconfirmed ids whose confirmation request exceeded the body limit.
LARGE_BACKLOG = 450


def _queued_event_ids(broker: redis.Redis, *, post_ids: list[int] | None = None) -> Counter:
    """How often each event id waits on the event bus's queue (Celery's body: [args, ...]);
    with `post_ids`, only the PostCreated events of those posts (the stack is shared with
    other tests, whose events may still be on their way too)."""
    waiting = Counter()
    for raw in broker.lrange(EVENTBUS_QUEUE, 0, -1):
        payload = json.loads(raw)
        event = json.loads(base64.b64decode(payload["body"]))[0][0]
        mine = event["type"] == "PostCreated" and event["data"].get("post_id") in (post_ids or ())
        if post_ids is None or mine:
            waiting[event["id"]] += 1
    return waiting


def _create_posts(client, count: int, tag: str) -> list[int]:
    replies = [client.create_post(f"{tag} {number}") for number in range(count)]
    assert [reply.status for reply in replies] == [201] * count
    return [reply.body["id"] for reply in replies]


def _all_in_query(client, post_ids: list[int], *, timeout: float) -> None:
    left = set(post_ids)

    def arrived() -> bool:
        for post_id in sorted(left):
            if client.get_post(post_id).ok:
                left.discard(post_id)
        return not left

    wait_until(arrived, timeout=timeout, interval=0.5, message=f"{len(left)} posts not in query")


@pytest.fixture
def broker(micro_stack):
    client = redis.Redis.from_url(micro_stack.redis_url)
    # Start with no backlog (another test's load may still be draining: ~30 events/s).
    wait_until(
        lambda: client.llen(EVENTBUS_QUEUE) == 0,
        timeout=120,
        message=f"the event bus's queue still holds {client.llen(EVENTBUS_QUEUE)} messages",
    )
    yield client
    client.close()


@pytest.fixture
def eventbus_behind(micro_stack, broker):
    """The event bus's worker stopped (as far behind as it gets), started again afterwards."""
    micro_stack.stop_process("eventbus-worker")
    try:
        yield
    finally:
        if not micro_stack.process("eventbus-worker").running:
            micro_stack.start_process("eventbus-worker")


def test_an_event_bus_far_behind_is_sent_each_event_once(
    micro_stack, micro_client, broker, eventbus_behind, unique
):
    post_ids = _create_posts(micro_client, 30, f"behind {unique}")

    def queued() -> Counter:
        return _queued_event_ids(broker, post_ids=post_ids)

    wait_until(lambda: sum(queued().values()) >= 30, timeout=10)

    time.sleep(CONFIRM_ROUNDS_SECONDS)  # what is asserted is that nothing happens meanwhile

    waiting = queued()
    assert len(waiting) == 30
    assert set(waiting.values()) == {1}, "an event waiting on the queue was sent again"
    micro_stack.start_process("eventbus-worker")
    _all_in_query(micro_client, post_ids, timeout=60)


def test_a_backlog_is_stored_in_batches_each_event_counted_once(
    micro_stack, micro_client, broker, eventbus_behind, unique
):
    """The event bus's task takes the events waiting behind its own and stores them with one
    statement (shared.messaging.grab): most of a backlog's events are stored by another
    event's task, and still each is one successful eventbus.publish of its action."""
    replies = [micro_client.create_post(f"batched {unique} {number}") for number in range(30)]
    assert [reply.status for reply in replies] == [201] * 30
    wait_until(lambda: broker.llen(EVENTBUS_QUEUE) >= 30, timeout=10)

    micro_stack.start_process("eventbus-worker")
    wait_until(lambda: broker.llen(EVENTBUS_QUEUE) == 0, timeout=60)

    publishes = []
    for reply in replies:
        cost = action_cost(micro_stack.trace_dir, reply.request_id)
        assert cost.tasks["eventbus.publish"] == 1, dict(cost.tasks)
        publishes += [
            record
            for record in read_records(micro_stack.trace_dir, reply.request_id)
            if record.get("name") == "eventbus.publish"
        ]
    assert {record["status"] for record in publishes} == {"SUCCESS"}
    # The first task took the rest: at most a few were taken one message at a time.
    assert sum(record.get("grabbed", 0) for record in publishes) >= 25


def test_a_backlog_the_broker_loses_is_sent_again_and_reaches_query(
    micro_stack, micro_client, broker, eventbus_behind, unique
):
    """Written while Redis is down, the backlog leaves the outbox at once when it is back,
    so one confirmation round finds all of it unconfirmed (on main: one request of 450
    ids, over the body limit, refused with 413 on every round, and nothing re-sent)."""
    micro_stack.stop_process("redis")
    try:
        post_ids = _create_posts(micro_client, LARGE_BACKLOG, f"lost {unique}")
    finally:
        micro_stack.start_process("redis")
    wait_until(lambda: broker.llen(EVENTBUS_QUEUE) >= LARGE_BACKLOG, timeout=30)

    broker.flushall()  # the stack's private Redis loses everything, the backlog with it

    micro_stack.start_process("eventbus-worker")
    _all_in_query(micro_client, post_ids, timeout=90)
