"""Writes of the event bus: store each event once."""

from __future__ import annotations

import uuid
from collections import Counter

from django.conf import settings
from django.utils import timezone

from micro.eventbus.models import StoredEvent
from shared.events import Event
from shared.instrumentation import metrics
from shared.messaging.inserts import insert_many_unless_present


def events_store(*, events: list[Event]) -> int:
    """Append events to the store, in the order given, but each whose id is there already
    (a redelivered or re-sent publish) or came before in the list; returns how many were
    appended. Each event is one its producer signed (shared.signing.event_check, in the
    publish task), so its source is that producer's name. One statement for all of them
    (insert_many_unless_present), not get_or_create's SELECT and INSERT for each."""
    now = timezone.now()
    stored = insert_many_unless_present(
        StoredEvent,
        rows=[
            {
                "event_id": event.id,
                "event_type": event.type,
                "source": event.source,
                "occurred_at": event.occurred_at,
                "message": event.as_message(),
                "stored_at": now,
            }
            for event in events
        ],
        unique="event_id",
    )
    appended = Counter(str(event_id) for event_id in stored)  # UUIDs, as the field reads them
    for event in events:  # a copy: its producer sent it again (metrics.EVENTS_DUPLICATE)
        key = str(uuid.UUID(str(event.id)))
        if appended[key] > 0:
            appended[key] -= 1
        else:
            metrics.EVENTS_DUPLICATE.labels(settings.SERVICE_NAME, event.source).inc()
    return len(stored)
