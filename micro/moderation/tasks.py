"""The moderation worker: decide each CommentCreated and publish CommentModerated.

It cannot use consume_message (that needs a database for the inbox and dead letters);
idempotence comes from the derived event id instead, dropped as a duplicate by the event store.
"""

from __future__ import annotations

import logging

from celery import shared_task

from micro.moderation.handlers import HANDLERS
from shared.deployables import event_task
from shared.events import Event, InvalidEvent
from shared.messaging.eventbus import BROKER_ERRORS, send_to_eventbus
from shared.messaging.retry import MAX_RETRIES, backoff_seconds
from shared.signing import ForgedEvent, event_check

logger = logging.getLogger(__name__)


@shared_task(name=event_task("moderation"), bind=True, max_retries=MAX_RETRIES)
def handle_event(self, message: dict) -> bool:
    """Returns True when a CommentModerated was published."""
    try:
        event = Event.from_message(message)
        handler = HANDLERS.get(event.type)
        if handler is None:
            return False
        event_check(event)
    except ForgedEvent as error:
        # No database here, so no dead letters: the reason goes to the log, nothing is done.
        logger.error("moderation: refusing a forged event: %s", error)
        return False
    except InvalidEvent as error:
        logger.error("moderation: dropping an invalid event: %s", error)
        return False
    moderated = handler(event)
    try:
        send_to_eventbus(moderated.as_message())
    except BROKER_ERRORS as error:
        if self.request.retries >= MAX_RETRIES:
            logger.error("moderation: could not publish %s: %r", moderated.id, error)
            raise
        raise self.retry(exc=error, countdown=backoff_seconds(self.request.retries)) from error
    return True
