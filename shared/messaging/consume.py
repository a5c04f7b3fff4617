"""Consuming events: each applied once, in the same transaction as its effect.

What follows a failure (retry, dead letter) is the consumer task's policy
(shared.messaging.retry.consumer_task), not this module's.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from django.db import transaction

from shared.events import Event
from shared.messaging.models import ProcessedEvent
from shared.signing import event_check

Handler = Callable[[Event], None]


def apply_event(*, event: Event, handlers: Mapping[str, Handler]) -> bool:
    """Apply an event with its handler unless this service already has; returns True if applied.

    Raises ForgedEvent, applying nothing, when the event is not signed by its producer
    (checked once the inbox has said it is new: a duplicate costs no check). A concurrent
    duplicate makes the ProcessedEvent insert fail, rolling back its effect
    too; the task then retries and finds the event processed.
    """
    handler = handlers.get(event.type)
    if handler is None:
        return False
    with transaction.atomic():
        if ProcessedEvent.objects.filter(event_id=event.id).exists():
            return False
        event_check(event)
        handler(event)
        ProcessedEvent.objects.create(event_id=event.id, event_type=event.type)
    return True


def consume_message(*, message: object, handlers: Mapping[str, Handler]) -> bool:
    """Body of a `<service>.handle_event` task; returns True when the event was applied.
    Raises InvalidEvent (ForgedEvent) or the handler's error, for the task's policy."""
    return apply_event(event=Event.from_message(message), handlers=handlers)
