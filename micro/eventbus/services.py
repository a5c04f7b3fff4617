"""Writes of the event bus: store an event once."""

from __future__ import annotations

from micro.eventbus.models import StoredEvent
from shared.events import Event


def event_store(*, event: Event) -> StoredEvent:
    """Append an event to the store unless its id is there already (a redelivered publish).
    The event is one its producer signed (shared.signing.event_check, in the publish task),
    so its source is that producer's name."""
    stored_event, _ = StoredEvent.objects.get_or_create(
        event_id=event.id,
        defaults={
            "event_type": event.type,
            "source": event.source,
            "occurred_at": event.occurred_at,
            "message": event.as_message(),
        },
    )
    return stored_event
