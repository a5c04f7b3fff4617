"""What moderation does on each event it subscribes to (shared.events.SUBSCRIPTIONS): the
event it publishes in answer. Like the other consumers' tables, without an inbox: idempotence
comes from the derived event id instead, dropped as a duplicate by the event store."""

from __future__ import annotations

import logging
from collections.abc import Callable

from micro.moderation import services
from shared import events
from shared.events import Event
from shared.messaging.eventbus import publish_event
from shared.signing import event_check, event_signed

logger = logging.getLogger(__name__)

Answer = Callable[[Event], Event]


def on_comment_created(event: Event) -> Event:
    """The decision, signed, ready to publish."""
    return event_signed(services.comment_moderate(event=event))


HANDLERS: dict[str, Answer] = {events.COMMENT_CREATED: on_comment_created}


def answer_message(message: object) -> bool:
    """Parse and check one event and publish the answer; True when one was published.

    Raises InvalidEvent or ForgedEvent (nothing is published), or the broker's error:
    the task's policy decides what follows.
    """
    event = Event.from_message(message)
    handler = HANDLERS.get(event.type)
    if handler is None:
        return False
    event_check(event)
    publish_event(handler(event).as_message())
    return True


def log_given_up(*, task_name: str, message: object, error: str) -> None:
    """No database here, so no dead letters: what is given up goes to the log."""
    logger.error("%s gave up on a message (no dead letters here): %s", task_name, error)
