"""eventbus.publish: stores each event once, fans it out to its subscribers, dead-letters junk."""

from __future__ import annotations

import dataclasses
import uuid

import pytest
from celery import current_app

from micro.eventbus.models import StoredEvent
from micro.eventbus.tasks import publish
from shared import events
from shared.events import Event
from shared.messaging.models import DeadLetter
from shared.messaging.retry import MAX_RETRIES
from shared.signing import dev_signing_key, signature_of

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("event_type", events.EVENT_TYPES)
def test_publish_fans_out_to_exactly_the_subscribed_services(
    event_type, make_event_message, sent_tasks
):
    message = make_event_message(event_type)

    assert publish.apply(args=(message,)).get() is True

    expected = [f"{service}.handle_event" for service in events.SUBSCRIPTIONS[event_type]]
    assert sent_tasks.names == expected
    assert all(args == [message] for _, args in sent_tasks.sent)


def test_fanned_out_tasks_are_routed_to_each_services_own_queue():
    for service in ("comments", "moderation", "query"):
        route = current_app.amqp.router.route({}, f"{service}.handle_event")
        assert route["queue"].name == service


def test_publish_stores_the_whole_envelope(make_event_message, sent_tasks):
    message = make_event_message(events.COMMENT_CREATED)

    publish.apply(args=(message,))

    stored_event = StoredEvent.objects.get(event_id=message["id"])
    assert stored_event.message == message
    assert stored_event.event_type == events.COMMENT_CREATED
    assert stored_event.source == "comments"
    assert stored_event.occurred_at == message["occurred_at"]


def test_a_duplicate_publish_is_stored_once_but_fanned_out_again(make_event_message, sent_tasks):
    from prometheus_client import REGISTRY

    message = make_event_message(events.POST_CREATED)
    labels = {"service": "eventbus", "source": message["source"]}

    def copies() -> float:
        return REGISTRY.get_sample_value("blog_events_duplicate_total", labels) or 0.0

    publish.apply(args=(message,))
    copies_before = copies()
    publish.apply(args=(message,))

    assert StoredEvent.objects.filter(event_id=message["id"]).count() == 1
    assert sent_tasks.names == ["comments.handle_event", "query.handle_event"] * 2
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


def test_a_broker_error_is_retried_and_the_fan_out_completes(make_event_message, sent_tasks):
    message = make_event_message(events.COMMENT_CREATED)
    sent_tasks.failures_left = 2

    publish.apply(args=(message,))

    assert sent_tasks.names == ["moderation.handle_event", "query.handle_event"]
    assert StoredEvent.objects.filter(event_id=message["id"]).count() == 1
    assert not DeadLetter.objects.exists()


def test_a_broker_that_stays_down_dead_letters_the_publish(make_event_message, sent_tasks):
    message = make_event_message(events.POST_DELETED)
    sent_tasks.failures_left = MAX_RETRIES + 1

    publish.apply(args=(message,))

    dead_letter = DeadLetter.objects.get()
    assert dead_letter.task_name == "eventbus.publish"
    assert dead_letter.message == message
    assert "broker unavailable" in dead_letter.error
    assert sent_tasks.sent == []
    # Stored all the same: a replay of the dead letter only has to fan it out.
    assert StoredEvent.objects.filter(event_id=uuid.UUID(message["id"])).exists()
