"""Publishing events: record in the outbox inside the caller's transaction, relay after commit."""

from __future__ import annotations

import logging

from django.db import DatabaseError, transaction
from django.utils import timezone

from shared.events import Event
from shared.instrumentation.tally import current_request_id
from shared.messaging.eventbus import BROKER_ERRORS, send_to_eventbus
from shared.messaging.models import OutboxEvent

logger = logging.getLogger(__name__)

RELAY_BATCH = 200


def record_event(*, event: Event) -> None:
    """Record an event in the outbox, in the caller's open transaction.

    The event is relayed to the broker right after the transaction commits; if the
    broker is away then, the worker's relay loop sends it later. It is never lost.
    """
    OutboxEvent.objects.create(
        id=event.id,
        event_type=event.type,
        message=event.as_message(),
        request_id=current_request_id.get() or "",
    )
    # robust: a failing relay must not turn a committed write into a 500 (the relay loop
    # sends the event later).
    transaction.on_commit(lambda: relay_outbox(ids=[event.id]), robust=True)


def relay_outbox(*, ids: list[str] | None = None) -> int:
    """Send unsent outbox events (those named, or the oldest) to the event bus; returns how many."""
    pending = OutboxEvent.objects.filter(sent_at__isnull=True).order_by("created_at")
    if ids is not None:
        pending = pending.filter(id__in=ids)
    sent = 0
    for outbox_event in pending[:RELAY_BATCH]:
        try:
            send_to_eventbus(outbox_event.message, request_id=outbox_event.request_id)
        except BROKER_ERRORS as error:
            logger.warning("outbox relay: broker unavailable (%s); will retry", error)
            OutboxEvent.objects.filter(pk=outbox_event.pk).update(
                attempts=outbox_event.attempts + 1, last_error=str(error)[:500]
            )
            break
        try:
            OutboxEvent.objects.filter(pk=outbox_event.pk).update(
                sent_at=timezone.now(), attempts=outbox_event.attempts + 1
            )
        except DatabaseError:
            # Sent but not marked: it will be sent again, and consumers drop the duplicate.
            logger.warning("outbox relay: could not mark %s sent", outbox_event.pk)
        sent += 1
    return sent
