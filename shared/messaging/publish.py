"""Publishing events: record in the outbox inside the caller's transaction, relay after commit."""

from __future__ import annotations

import datetime as dt
import logging

from django.db import DatabaseError, transaction
from django.utils import timezone

from shared import study
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
    transaction.on_commit(lambda: _relay_after_commit(event_id=event.id), robust=True)


def _relay_after_commit(*, event_id: str) -> None:
    # While the study switch that crashes the relay is on, the worker's relay loop is left
    # to publish (and die), not the web process answering the request.
    if not study.relay_crash_armed():
        relay_outbox(ids=[event_id])


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
        if study.relay_crash_armed():
            study.relay_crash(event_id=str(outbox_event.pk))  # study only: dies here, once
        try:
            OutboxEvent.objects.filter(pk=outbox_event.pk).update(
                sent_at=timezone.now(), attempts=outbox_event.attempts + 1
            )
        except DatabaseError:
            # Sent but not marked: it will be sent again, and consumers drop the duplicate.
            logger.warning("outbox relay: could not mark %s sent", outbox_event.pk)
        sent += 1
    return sent


# An event sent this long ago and still not seen in the event store is sent again.
CONFIRM_AFTER_SECONDS = 5
CONFIRM_BATCH = 500


def outbox_confirm() -> int:
    """Ask the event bus which sent events it holds; send the others again. Returns how
    many were sent again (a publish lost on its way, e.g. with a worker killed mid-take)."""
    from shared.messaging.catch_up import event_store_client

    cutoff = timezone.now() - dt.timedelta(seconds=CONFIRM_AFTER_SECONDS)
    waiting = list(
        OutboxEvent.objects.filter(
            sent_at__isnull=False, sent_at__lte=cutoff, confirmed_at__isnull=True
        ).order_by("created_at")[:CONFIRM_BATCH]
    )
    if not waiting:
        return 0
    answer = event_store_client().post_json(
        "/internal/events/stored/", {"ids": [str(outbox_event.id) for outbox_event in waiting]}
    )
    stored = set(answer["stored"])
    OutboxEvent.objects.filter(id__in=stored).update(confirmed_at=timezone.now())
    lost = [str(outbox_event.id) for outbox_event in waiting if str(outbox_event.id) not in stored]
    OutboxEvent.objects.filter(id__in=lost).update(sent_at=None)
    return relay_outbox(ids=lost) if lost else 0
