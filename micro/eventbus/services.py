"""Writes of the event bus: store an event once."""

from __future__ import annotations

from django.conf import settings
from django.utils import timezone

from micro.eventbus.models import StoredEvent
from shared.events import Event
from shared.instrumentation import metrics
from shared.messaging.inserts import insert_unless_present


def event_store(*, event: Event) -> bool:
    """Append an event to the store unless its id is there already (a redelivered publish);
    returns whether it was appended. The event is one its producer signed
    (shared.signing.event_check, in the publish task), so its source is that producer's name.
    One statement (insert_unless_present), not get_or_create's SELECT and INSERT."""
    stored = insert_unless_present(
        StoredEvent,
        values={
            "event_id": event.id,
            "event_type": event.type,
            "source": event.source,
            "occurred_at": event.occurred_at,
            "message": event.as_message(),
            "stored_at": timezone.now(),
        },
        unique="event_id",
    )
    if not stored:  # a copy: its producer sent it again (metrics.EVENTS_DUPLICATE)
        metrics.EVENTS_DUPLICATE.labels(settings.SERVICE_NAME, event.source).inc()
    return stored
