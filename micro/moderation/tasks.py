"""The moderation worker's task: answer each CommentCreated with a CommentModerated
(retries, and what is given up: shared.messaging.retry; no database, so logged)."""

from __future__ import annotations

from micro.moderation import handlers
from shared.deployables import event_task
from shared.messaging.retry import consumer_task


@consumer_task(event_task("moderation"), give_up=handlers.log_given_up)
def handle_event(message: object) -> bool:
    """Returns True when a CommentModerated was published."""
    return handlers.answer_message(message)
