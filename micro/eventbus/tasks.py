"""The event bus's one task: store a published event once (retries and dead letters:
shared.messaging.retry). Its subscribers have it already: the publisher sent it to them too
(shared.messaging.eventbus.publish_event)."""

from __future__ import annotations

from micro.eventbus import services
from shared.events import Event
from shared.messaging.eventbus import PUBLISH_TASK
from shared.messaging.retry import consumer_task
from shared.signing import event_check


@consumer_task(PUBLISH_TASK)
def publish(message: object) -> bool:
    """Store the event; a duplicate (a redelivered or re-sent publish) is dropped."""
    event = Event.from_message(message)
    event_check(event)  # the store keeps only what its producer signed
    services.event_store(event=event)
    return True
