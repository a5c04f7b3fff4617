"""Writes of the event bus: store an event once, then fan it out to its subscribers' queues."""

from __future__ import annotations

from celery import current_app
from django.conf import settings

from micro.eventbus.models import StoredEvent
from shared.deployables import event_task
from shared.events import SUBSCRIPTIONS, Event
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


def event_fan_out(*, message: dict) -> list[str]:
    """Send an event to each subscribed service's `handle_event` task; returns the task names.

    Routing by task-name prefix (CELERY_TASK_ROUTES) puts each on its service's queue.
    A broker error propagates, so that the publish task retries the whole fan-out.
    """
    task_names = [event_task(service) for service in SUBSCRIPTIONS.get(message["type"], ())]
    for task_name in task_names:
        current_app.send_task(task_name, args=[message])
    return task_names
