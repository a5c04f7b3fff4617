"""Consuming events: each applied once, in the same transaction as its effect.

What follows a failure (retry, dead letter) is the consumer task's policy
(shared.messaging.retry.consumer_task), not this module's.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from django.db import transaction
from django.utils import timezone

from shared.events import Event
from shared.messaging.inserts import insert_unless_present
from shared.messaging.models import ProcessedEvent
from shared.signing import event_check

Handler = Callable[[Event], None]


def apply_event(*, event: Event, handlers: Mapping[str, Handler]) -> bool:
    """Apply an event with its handler unless this service already has; returns True if applied.

    The inbox row is written first, in one statement that writes nothing when the event
    is there already (insert_unless_present; a SELECT, then an INSERT after the handler,
    cost more CPU per event). It is in the handler's transaction: a handler that fails, or
    a forged event, rolls it back with the effect. Raises ForgedEvent, applying nothing,
    when the event is not signed by its producer (checked once the inbox has said it is
    new: a duplicate costs no check). A concurrent duplicate inserts nothing (PostgreSQL:
    once the first commits) and is dropped.
    """
    with transaction.atomic():
        return _apply(event, handlers)


def _apply(event: Event, handlers: Mapping[str, Handler]) -> bool:
    """apply_event's work, in the caller's transaction."""
    handler = handlers.get(event.type)
    if handler is None:
        return False
    if not insert_unless_present(
        ProcessedEvent,
        values={
            "event_id": event.id,
            "event_type": event.type,
            "processed_at": timezone.now(),
        },
        unique="event_id",
    ):
        return False
    event_check(event)
    handler(event)
    return True


def consume_message(*, message: object, handlers: Mapping[str, Handler]) -> bool:
    """Body of a `<service>.handle_event` task; returns True when the event was applied.
    Raises InvalidEvent (ForgedEvent) or the handler's error, for the task's policy."""
    return apply_event(event=Event.from_message(message), handlers=handlers)


def consume_messages(*, messages: list[object], handlers: Mapping[str, Handler]) -> None:
    """Batch of a `<service>.handle_event` task (shared.messaging.retry.consumer_task): many
    events applied as apply_event applies one, in one transaction (one commit, not one for
    each); any error (an invalid or forged event, a handler's) rolls all of them back."""
    with transaction.atomic():
        for message in messages:
            _apply(Event.from_message(message), handlers)
