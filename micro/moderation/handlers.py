"""What moderation does on each event it subscribes to (shared.events.SUBSCRIPTIONS): the
event it publishes in answer. Like the other consumers' tables, without an inbox: idempotence
comes from the derived event id instead, dropped as a duplicate by the event store."""

from __future__ import annotations

from collections.abc import Callable

from micro.moderation import services
from shared import events
from shared.events import Event
from shared.signing import event_signed

Answer = Callable[[Event], Event]


def on_comment_created(event: Event) -> Event:
    """The decision, signed, ready to publish."""
    return event_signed(services.comment_moderate(event=event))


HANDLERS: dict[str, Answer] = {events.COMMENT_CREATED: on_comment_created}
