"""The event bus's one task: store published events once (retries and dead letters:
shared.messaging.retry). Its subscribers have them already: the publisher sent each to them
too (shared.messaging.eventbus.publish_event)."""

from __future__ import annotations

from micro.eventbus import services
from shared.events import Event
from shared.messaging.eventbus import PUBLISH_TASK
from shared.messaging.retry import consumer_task
from shared.signing import event_check


def checked_event(message: object) -> Event:
    """The event of a publish; InvalidEvent or ForgedEvent: the store keeps only what its
    producer signed."""
    event = Event.from_message(message)
    event_check(event)
    return event


def publish_all(messages: list[object]) -> None:
    """Store the events of many publishes in one statement (the task's own and those waiting
    behind it); raises, storing nothing, if any is refused."""
    services.events_store(events=[checked_event(message) for message in messages])


@consumer_task(PUBLISH_TASK, batch=publish_all)
def publish(message: object) -> bool:
    """Store the event; a duplicate (a redelivered or re-sent publish) is dropped."""
    services.events_store(events=[checked_event(message)])
    return True
