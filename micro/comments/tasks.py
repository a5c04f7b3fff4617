"""The comments service's task: each event it consumes, through its handler table
(retries and dead letters: shared.messaging.retry)."""

from __future__ import annotations

from micro.comments.handlers import HANDLERS
from shared.deployables import event_task
from shared.messaging.consume import consume_message
from shared.messaging.retry import consumer_task


@consumer_task(event_task("comments"))
def handle_event(message: object) -> bool:
    """Returns True when the event was applied (False: already applied, or not handled)."""
    return consume_message(message=message, handlers=HANDLERS)
