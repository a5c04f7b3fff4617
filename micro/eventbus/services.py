"""Writes of the event bus: store an event once."""

from __future__ import annotations

from django.conf import settings

from micro.eventbus.models import StoredEvent
from shared.events import Event
from shared.instrumentation import metrics


def event_store(*, event: Event) -> StoredEvent:
    """Append an event to the store unless its id is there already (a redelivered publish).
    The event is one its producer signed (shared.signing.event_check, in the publish task),
    so its source is that producer's name."""
    stored_event, created = StoredEvent.objects.get_or_create(
        event_id=event.id,
        defaults={
            "event_type": event.type,
            "source": event.source,
            "occurred_at": event.occurred_at,
            "message": event.as_message(),
        },
    )
    if not created:  # a copy: its producer sent it again (metrics.EVENTS_DUPLICATE)
        metrics.EVENTS_DUPLICATE.labels(settings.SERVICE_NAME, event.source).inc()
    return stored_event
