"""The moderation task: one CommentModerated per CommentCreated, retried on broker errors
(shared.messaging.retry's policy; what is given up is logged: no database here)."""

from __future__ import annotations

import dataclasses
import logging

import pytest
from django.apps import apps
from redis.exceptions import ConnectionError as RedisConnectionError

from micro.moderation import celery_app, handlers, tasks
from shared import events, rules
from shared.events import Event, derived_event_id
from shared.messaging.retry import MAX_RETRIES
from shared.signing import check_signature, dev_verify_keys
from shared.testing.events import example_data


def test_worker_finds_the_task_under_its_contract_name():
    # Celery's Django autodiscovery imports tasks.py only from installed apps.
    assert apps.is_installed("micro.moderation")
    celery_app.loader.import_default_modules()

    assert celery_app.tasks["moderation.handle_event"].name == tasks.handle_event.name
    assert celery_app.tasks["moderation.handle_event"].max_retries == MAX_RETRIES


def test_handlers_cover_what_moderation_subscribes_to():
    subscribed = {
        name for name, services in events.SUBSCRIPTIONS.items() if "moderation" in services
    }

    assert set(handlers.HANDLERS) == subscribed


def test_comment_created_publishes_exactly_one_comment_moderated(eventbus, comment_created):
    created = comment_created("An ORANGE comment")

    result = tasks.handle_event.apply(args=(created.as_message(),))

    assert result.get() is True
    [message] = eventbus
    moderated = Event.from_message(message)
    assert moderated.type == events.COMMENT_MODERATED
    assert moderated.id == derived_event_id(created.id, events.COMMENT_MODERATED)
    assert moderated.data["status"] == rules.REJECTED
    assert moderated.data["comment_id"] == created.data["comment_id"]
    check_signature(moderated, verify_keys=dev_verify_keys())  # signed by moderation


@pytest.mark.parametrize(
    "forge",
    [
        lambda event: dataclasses.replace(event, signature=""),
        lambda event: dataclasses.replace(event, data={**event.data, "content": "Lovely"}),
    ],
    ids=["unsigned", "content-rewritten"],
)
def test_a_forged_comment_created_publishes_nothing(eventbus, comment_created, caplog, forge):
    """Else a forged CommentCreated (an existing comment's id, harmless content) would make
    moderation sign an approval for a comment it rejected."""
    forged = forge(comment_created("An ORANGE comment"))

    with caplog.at_level(logging.ERROR):
        assert tasks.handle_event.apply(args=(forged.as_message(),)).get() is False

    assert eventbus == []
    assert "gave up on a message (no dead letters here): forged event: " in caplog.text


def test_redelivered_comment_created_publishes_the_same_event(eventbus, comment_created):
    message = comment_created("Lovely").as_message()

    tasks.handle_event.apply(args=(message,))
    tasks.handle_event.apply(args=(message,))

    assert len(eventbus) == 2
    assert eventbus[0]["id"] == eventbus[1]["id"]


@pytest.mark.parametrize(
    "event_type", [name for name in events.EVENT_TYPES if name != events.COMMENT_CREATED]
)
def test_other_events_are_ignored(eventbus, event_type):
    message = Event(type=event_type, source="somewhere", data=example_data(event_type)).as_message()

    assert tasks.handle_event.apply(args=(message,)).get() is False
    assert eventbus == []


@pytest.mark.parametrize(
    "message",
    [
        "not an object",
        {"id": "x", "type": "CommentCreated", "source": "comments", "data": {}},
        {"id": "x", "type": "SomethingHappened", "source": "comments", "data": {}},
    ],
)
def test_invalid_events_are_logged_and_dropped(eventbus, caplog, message):
    with caplog.at_level(logging.ERROR, logger=handlers.__name__):
        result = tasks.handle_event.apply(args=(message,))

    assert result.get() is False
    assert eventbus == []
    assert "invalid event" in caplog.text


def test_broker_error_is_retried(monkeypatch, comment_created):
    attempts: list[dict] = []

    def flaky_eventbus(message: dict) -> None:
        attempts.append(message)
        if len(attempts) < 3:
            raise RedisConnectionError("Redis is away")

    monkeypatch.setattr(handlers, "publish_event", flaky_eventbus)

    result = tasks.handle_event.apply(args=(comment_created("Retry me").as_message(),))

    assert result.get() is True
    assert len(attempts) == 3
    assert len({message["id"] for message in attempts}) == 1


def test_broker_error_gives_up_after_the_retries(monkeypatch, caplog, comment_created):
    attempts: list[dict] = []

    def broken_eventbus(message: dict) -> None:
        attempts.append(message)
        raise RedisConnectionError("Redis is gone")

    monkeypatch.setattr(handlers, "publish_event", broken_eventbus)

    with caplog.at_level(logging.ERROR, logger=handlers.__name__):
        result = tasks.handle_event.apply(args=(comment_created("Doomed").as_message(),))

    assert result.get() is False
    assert len(attempts) == MAX_RETRIES + 1
    assert "gave up on a message" in caplog.text
    assert "ConnectionError" in caplog.text
