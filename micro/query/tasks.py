"""The query service's task: each event it consumes, through its handler table
(retries and dead letters: shared.messaging.retry)."""

from __future__ import annotations

from micro.query.handlers import HANDLERS
from shared.deployables import event_task
from shared.messaging.consume import consume_message, consume_messages
from shared.messaging.retry import consumer_task


def handle_events(messages: list[object]) -> None:
    """The batch: the task's own event and those waiting behind it, in one transaction."""
    consume_messages(messages=messages, handlers=HANDLERS)


@consumer_task(event_task("query"), batch=handle_events)
def handle_event(message: object) -> bool:
    """Returns True when the event was applied (False: already applied, or not handled)."""
    return consume_message(message=message, handlers=HANDLERS)
