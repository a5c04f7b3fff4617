"""Writes of the event bus: store an event once."""

from __future__ import annotations

from django.conf import settings
from django.db import connection, models
from django.utils import timezone

from micro.eventbus.models import StoredEvent
from shared.events import Event
from shared.instrumentation import metrics


def event_store(*, event: Event) -> bool:
    """Append an event to the store unless its id is there already (a redelivered publish);
    returns whether it was appended. The event is one its producer signed
    (shared.signing.event_check, in the publish task), so its source is that producer's name.

    One statement (INSERT ... ON CONFLICT (event_id) DO NOTHING, SQLite >= 3.24 and
    PostgreSQL alike) in place of get_or_create's SELECT and INSERT in a transaction: about
    a fifth of the event bus worker's CPU per event (docs/speed.md, sixth pass). The unique
    index on event_id still decides, so two workers storing one event store it once.
    """
    values = {
        "event_id": event.id,
        "event_type": event.type,
        "source": event.source,
        "occurred_at": event.occurred_at,
        "message": event.as_message(),
        "stored_at": timezone.now(),
    }
    fields = {name: _concrete_field(name) for name in values}
    quote = connection.ops.quote_name
    columns = ", ".join(quote(str(field.column)) for field in fields.values())
    params = [fields[name].get_db_prep_save(value, connection) for name, value in values.items()]
    sql = (
        f"INSERT INTO {quote(StoredEvent._meta.db_table)} ({columns}) "
        f"VALUES ({', '.join(['%s'] * len(params))}) "
        f"ON CONFLICT ({quote(str(fields['event_id'].column))}) DO NOTHING"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        stored = cursor.rowcount > 0
    if not stored:  # a copy: its producer sent it again (metrics.EVENTS_DUPLICATE)
        metrics.EVENTS_DUPLICATE.labels(settings.SERVICE_NAME, event.source).inc()
    return stored


def _concrete_field(name: str) -> models.Field:
    field = StoredEvent._meta.get_field(name)
    assert isinstance(field, models.Field), f"StoredEvent.{name} is not a column"
    return field
