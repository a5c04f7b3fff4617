"""eventbus.publish: stores each event once, sends nothing on, dead-letters junk."""

from __future__ import annotations

import dataclasses

import pytest
from celery import current_app

from micro.eventbus.models import StoredEvent
from micro.eventbus.tasks import publish
from shared import deployables, events
from shared.events import Event
from shared.messaging.models import DeadLetter
from shared.signing import dev_signing_key, signature_of

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("event_type", events.EVENT_TYPES)
def test_publish_stores_every_event_type_and_sends_nothing_on(
    event_type, make_event_message, sent_tasks
):
    """The subscribers have the event already: its publisher sent it to them
    (shared.messaging.eventbus.publish_event); the store is not a hop."""
    message = make_event_message(event_type)

    assert publish.apply(args=(message,)).get() is True

    assert StoredEvent.objects.filter(event_id=message["id"]).count() == 1
    assert sent_tasks.sent == []


def test_each_services_event_task_is_routed_to_its_own_queue():
    for service in ("comments", "moderation", "query", "eventbus"):
        route = current_app.amqp.router.route({}, deployables.event_task(service))
        assert route["queue"].name == service


def test_publish_stores_the_whole_envelope(make_event_message, sent_tasks):
    message = make_event_message(events.COMMENT_CREATED)

    publish.apply(args=(message,))

    stored_event = StoredEvent.objects.get(event_id=message["id"])
    assert stored_event.message == message
    assert stored_event.event_type == events.COMMENT_CREATED
    assert stored_event.source == "comments"
    assert stored_event.occurred_at == message["occurred_at"]


def test_a_duplicate_publish_is_stored_once_and_counted(make_event_message, sent_tasks):
    from prometheus_client import REGISTRY

    message = make_event_message(events.POST_CREATED)
    labels = {"service": "eventbus", "source": message["source"]}

    def copies() -> float:
        return REGISTRY.get_sample_value("blog_events_duplicate_total", labels) or 0.0

    assert publish.apply(args=(message,)).get() is True
    copies_before = copies()
    assert publish.apply(args=(message,)).get() is True

    assert StoredEvent.objects.filter(event_id=message["id"]).count() == 1
    assert sent_tasks.sent == []
    assert copies() - copies_before == 1  # blog_events_duplicate counts the copy


def test_events_are_stored_in_publish_order(make_event_message, sent_tasks):
    messages = [make_event_message(events.POST_CREATED) for _ in range(3)]

    for message in messages:
        publish.apply(args=(message,))

    stored_ids = [
        str(event_id) for event_id in StoredEvent.objects.values_list("event_id", flat=True)
    ]
    assert stored_ids == [message["id"] for message in messages]


@pytest.mark.parametrize(
    "broken",
    [
        lambda message: "not an object",
        lambda message: {**message, "type": "PostPainted"},
        lambda message: {**message, "data": {"post_id": 1}},
        lambda message: {**message, "id": "not-a-uuid"},
        lambda message: {key: value for key, value in message.items() if key != "source"},
    ],
    ids=[
        "not-an-object",
        "unknown-type",
        "data-lacks-fields",
        "id-not-uuid",
        "no-source",
    ],
)
def test_an_invalid_message_is_dead_lettered_not_stored(broken, make_event_message, sent_tasks):
    message = broken(make_event_message(events.POST_CREATED))

    assert publish.apply(args=(message,)).get() is False

    dead_letter = DeadLetter.objects.get()
    assert dead_letter.task_name == "eventbus.publish"
    assert dead_letter.message == message
    assert dead_letter.error.startswith("invalid event")
    assert not StoredEvent.objects.exists()
    assert sent_tasks.sent == []


FORGERIES = {
    "unsigned": lambda message: {**message, "signature": ""},
    "no-signature-field": lambda message: {k: v for k, v in message.items() if k != "signature"},
    "data-changed-after-signing": lambda message: {
        **message,
        "data": {**message["data"], "title": "rewritten"},
    },
    "another-source": lambda message: {**message, "source": "comments"},
    "source-too-long": lambda message: {**message, "source": "s" * 65},
    "signed-by-another-service": lambda message: dataclasses.replace(
        Event.from_message(message), source="posts", signature=""
    ),
    "signature-not-base64": lambda message: {**message, "signature": "!!!"},
}


@pytest.mark.parametrize("forge", FORGERIES.values(), ids=FORGERIES.keys())
def test_a_forged_event_is_dead_lettered_not_stored(forge, make_event_message, sent_tasks):
    """Only what the producer of an event type signed gets into the store (shared.signing)."""
    message = forge(make_event_message(events.POST_CREATED))
    if isinstance(message, Event):  # signed with comments' key, claiming to be posts'
        message = dataclasses.replace(
            message,
            signature=signature_of(message, signing_key=dev_signing_key("comments")),
        ).as_message()

    assert publish.apply(args=(message,)).get() is False

    dead_letter = DeadLetter.objects.get()
    assert dead_letter.error.startswith("forged event: "), dead_letter.error
    assert not StoredEvent.objects.exists()
    assert sent_tasks.sent == []
