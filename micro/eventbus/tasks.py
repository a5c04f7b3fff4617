"""The event bus's one task: store a published event once, then fan it out
(retries and dead letters: shared.messaging.retry)."""

from __future__ import annotations

from micro.eventbus import services
from shared.events import Event
from shared.messaging.eventbus import PUBLISH_TASK
from shared.messaging.retry import consumer_task
from shared.signing import event_check


@consumer_task(PUBLISH_TASK)
def publish(message: object) -> bool:
    """Store the event (a duplicate is dropped from the store) and fan it out again anyway,
    so that a crash between storing and fanning out is healed by the redelivery."""
    event = Event.from_message(message)
    event_check(event)  # the store keeps only what its producer signed
    stored_event = services.event_store(event=event)
    services.event_fan_out(message=stored_event.message)
    return True
