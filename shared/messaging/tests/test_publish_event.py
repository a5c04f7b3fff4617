"""publish_event: one hop to every consumer. Each event lands once on the queue of every
service subscribed to its type and once on the event bus's (to be stored), on nothing else.

A real Redis (the test session's private one) and the services' own Celery app and routing;
nothing consumes the queues, so what was sent is what they hold."""

from __future__ import annotations

import base64
import json

import pytest
import redis

from shared import deployables, events
from shared.events import Event
from shared.instrumentation.tally import REQUEST_ID_MESSAGE_HEADER
from shared.messaging.celery_app import make_celery_app
from shared.messaging.eventbus import publish_event
from shared.testing.events import dev_signed, example_data

QUEUES = deployables.queue_services()


@pytest.fixture(scope="module")
def posts_app(private_redis):
    """The posts service's Celery app on the private Redis, as the current app."""
    from celery import _state

    previous = _state.get_current_app()
    app = make_celery_app("posts", settings="micro.posts.settings")
    app.conf.update(broker_url=private_redis.url)
    app.set_current()
    yield app
    previous.set_current()


@pytest.fixture
def broker_app(posts_app, private_redis):
    """A Redis client of the private Redis, emptied, with posts_app current."""
    client = redis.Redis.from_url(private_redis.url)
    client.flushdb()
    yield client
    client.close()


def _waiting(client: redis.Redis, queue: str) -> list[tuple[str, dict]]:
    """(task name, event) of every message on a queue."""
    waiting = []
    for raw in client.lrange(queue, 0, -1):
        envelope = json.loads(raw)
        args = json.loads(base64.b64decode(envelope["body"]))[0]
        waiting.append((envelope["headers"]["task"], args[0]))
    return waiting


@pytest.mark.parametrize("event_type", events.EVENT_TYPES)
def test_an_event_reaches_each_subscriber_and_the_store_in_one_hop(broker_app, event_type):
    message = dev_signed(
        Event(type=event_type, source="tests", data=example_data(event_type))
    ).as_message()

    sent = publish_event(message)

    destinations = (*events.SUBSCRIPTIONS[event_type], deployables.EVENTBUS)
    assert sent == [deployables.event_task(service) for service in destinations]
    for queue in QUEUES:
        expected = [(deployables.event_task(queue), message)] if queue in destinations else []
        assert _waiting(broker_app, queue) == expected, queue


def test_the_event_bus_stores_and_sends_nothing_on():
    """The event bus is no longer a hop: its user may write to no other queue."""
    from shared.messaging.redis_acl import publishes_to

    assert publishes_to(deployables.EVENTBUS) == ()
    assert publishes_to("posts") == ("comments", "eventbus", "query")


def test_each_message_is_the_task_message_celery_s_send_task_makes(broker_app, posts_app):
    """publish_event makes its messages with Celery's create_task_message and
    send_task_message, not send_task: the same envelope, but for the ids and the two
    headers no consumer reads (parent_id, reply_to)."""
    message = dev_signed(
        Event(type=events.POST_CREATED, source="tests", data=example_data(events.POST_CREATED))
    ).as_message()
    publish_event(message, request_id="rid-1")
    [ours] = broker_app.lrange(deployables.queue("query"), 0, -1)
    broker_app.flushdb()
    posts_app.send_task(
        deployables.event_task("query"),
        args=[message],
        headers={REQUEST_ID_MESSAGE_HEADER: "rid-1"},
        argsrepr=f"[<{message['type']} {message['id']}>]",
        kwargsrepr="{}",
    )
    [theirs] = broker_app.lrange(deployables.queue("query"), 0, -1)

    ours, theirs = json.loads(ours), json.loads(theirs)
    ids = {"id", "root_id", "parent_id", "correlation_id", "reply_to", "delivery_tag"}
    for envelope in (ours, theirs):
        for part in ("headers", "properties"):
            for key in ids & set(envelope[part]):
                envelope[part][key] = "-"
    # send_task also copies argsrepr and kwargsrepr into the properties (its options become
    # properties); they are headers of protocol 2, and Celery reads them from there.
    for key in ("argsrepr", "kwargsrepr"):
        theirs["properties"].pop(key)
    assert sorted(ours["headers"].items()) == sorted(theirs["headers"].items())
    assert ours["properties"] == theirs["properties"]
