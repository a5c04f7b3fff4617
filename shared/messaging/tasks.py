"""What every consuming task does: parse, apply once, retry with backoff, then dead-letter."""

from __future__ import annotations

from collections.abc import Mapping

from celery import Task

from shared.events import Event, InvalidEvent
from shared.messaging.consume import Handler, apply_event, dead_letter

MAX_RETRIES = 5


def backoff_seconds(retries: int) -> float:
    return min(0.2 * (2**retries), 10.0)


def consume_message(*, task: Task, message: object, handlers: Mapping[str, Handler]) -> bool:
    """Body of a `<service>.handle_event` task; returns True when the event was applied."""
    try:
        event = Event.from_message(message)
    except InvalidEvent as error:
        dead_letter(task_name=task.name, message=message, error=f"invalid event: {error}")
        return False
    try:
        return apply_event(event=event, handlers=handlers)
    except Exception as error:
        if task.request.retries >= MAX_RETRIES:
            dead_letter(task_name=task.name, message=message, error=repr(error))
            return False
        raise task.retry(exc=error, countdown=backoff_seconds(task.request.retries)) from error
