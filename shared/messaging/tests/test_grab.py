"""Grabbing the messages waiting behind a task's own (shared.messaging.grab), on a real Redis:
they are in flight in kombu's own bookkeeping, so the outbox's in-flight read sees them,
an acknowledgement forgets them, a failure puts them back, and a worker that dies holding
them leaves them to kombu's restore sweep."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from celery import current_app
from kombu import Connection

from shared.messaging.broker import BROKER_TRANSPORT
from shared.messaging.eventbus import EVENTBUS_QUEUE, PUBLISH_TASK
from shared.messaging.grab import Grabber
from shared.messaging.in_flight import in_flight_event_ids
from shared.messaging.redis_acl import unacked_keys

SERVICE = "eventbus"


def send_events(url: str, count: int) -> list[str]:
    """`count` eventbus.publish messages on the event bus's queue, sent as Celery sends them."""
    ids = [str(uuid.uuid4()) for _ in range(count)]
    with current_app.connection_for_write(url) as connection:
        for event_id in ids:
            current_app.send_task(
                PUBLISH_TASK,
                args=[{"id": event_id, "type": "PostCreated"}],
                connection=connection,
                queue=EVENTBUS_QUEUE,
            )
    return ids


@pytest.fixture
def taker(broker, private_redis) -> Grabber:
    return Grabber(EVENTBUS_QUEUE, service=SERVICE, url=private_redis.url)


def test_grabbed_messages_are_in_flight_until_acknowledged(broker, private_redis, taker):
    ids = send_events(private_redis.url, 3)

    grabbed = taker.grab(10)

    assert len(grabbed) == 3 and all(entry.tag for entry in grabbed)
    assert broker.llen(EVENTBUS_QUEUE) == 0
    # What the outbox confirmation reads: taken and not acknowledged, hence not lost.
    assert in_flight_event_ids(queues=[EVENTBUS_QUEUE]) == set(ids)
    taker.ack(grabbed)
    assert in_flight_event_ids(queues=[EVENTBUS_QUEUE]) == set()
    assert broker.zcard(unacked_keys(SERVICE)["unacked_index_key"]) == 0


def test_grab_takes_no_more_than_asked_oldest_first(broker, private_redis, taker):
    ids = send_events(private_redis.url, 5)

    first, rest = taker.grab(2), taker.grab(10)

    assert [_event_id(entry.raw) for entry in first + rest] == ids
    assert len(first) == 2 and taker.grab(10) == []


def test_restored_messages_are_taken_next_in_their_order(broker, private_redis, taker):
    ids = send_events(private_redis.url, 4)
    grabbed = taker.grab(3)

    taker.restore(grabbed)

    assert broker.hlen(unacked_keys(SERVICE)["unacked_key"]) == 0
    again = taker.grab(10)
    assert [entry.tag for entry in again[:3]] == [entry.tag for entry in grabbed]
    assert [_event_id(entry.raw) for entry in again] == ids


def test_a_worker_that_dies_holding_them_leaves_them_to_kombus_restore_sweep(
    broker, private_redis, taker
):
    ids = send_events(private_redis.url, 2)
    taker.grab(10)  # and never acknowledged: the worker died

    options = {**unacked_keys(SERVICE), "visibility_timeout": 0}
    with Connection(
        private_redis.url, transport=BROKER_TRANSPORT, transport_options=options
    ) as connection:
        channel: Any = connection.default_channel  # kombu's Redis channel
        channel.qos.restore_visible()

    assert broker.llen(EVENTBUS_QUEUE) == 2
    assert {_event_id(entry.raw) for entry in taker.grab(10)} == set(ids)


def test_an_entry_that_is_no_message_is_taken_but_not_recorded(broker, private_redis, taker):
    broker.lpush(EVENTBUS_QUEUE, b"not a message", b'{"properties": {"delivery_tag": 7}}')

    grabbed = taker.grab(10)

    assert [(entry.tag, entry.raw) for entry in grabbed] == [
        ("", b"not a message"),
        ("", b'{"properties": {"delivery_tag": 7}}'),
    ]
    assert broker.hlen(unacked_keys(SERVICE)["unacked_key"]) == 0


def _event_id(raw: bytes) -> str:
    from shared.messaging.broker import checked_message

    (message,), _kwargs, _embed = checked_message(raw)[1]
    return message["id"]


@pytest.mark.parametrize(("countdown", "due"), [(None, True), (-5, True), (60, False)])
def test_a_retry_is_taken_with_another_only_once_it_is_due(
    broker, private_redis, taker, countdown, due
):
    from shared.messaging.broker import checked_envelope
    from shared.messaging.grab import _not_due

    with current_app.connection_for_write(private_redis.url) as connection:
        current_app.send_task(
            PUBLISH_TASK,
            args=[{"id": str(uuid.uuid4())}],
            connection=connection,
            queue=EVENTBUS_QUEUE,
            countdown=countdown,
        )
    (entry,) = taker.grab(1)

    assert _not_due(checked_envelope(entry.raw)) is not due
