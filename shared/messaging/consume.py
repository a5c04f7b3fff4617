"""Consuming events: each applied once, in the same transaction as its effect; then dead letters."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from celery import Task
from django.db import transaction

from shared.events import Event, InvalidEvent
from shared.messaging.dead_letters import dead_letter
from shared.messaging.models import ProcessedEvent
from shared.messaging.retry import MAX_RETRIES, backoff_seconds
from shared.signing import ForgedEvent, event_check

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


def consume_message(*, task: Task, message: object, handlers: Mapping[str, Handler]) -> bool:
    """Body of a `<service>.handle_event` task; returns True when the event was applied."""
    try:
        event = Event.from_message(message)
    except InvalidEvent as error:
        dead_letter(task_name=task.name, message=message, error=f"invalid event: {error}")
        return False
    try:
        return apply_event(event=event, handlers=handlers)
    except ForgedEvent as error:
        dead_letter(task_name=task.name, message=message, error=f"forged event: {error}")
        return False
    except Exception as error:
        if task.request.retries >= MAX_RETRIES:
            dead_letter(task_name=task.name, message=message, error=repr(error))
            return False
        countdown = backoff_seconds(task.request.retries)
        raise task.retry(exc=error, countdown=countdown, max_retries=MAX_RETRIES) from error
