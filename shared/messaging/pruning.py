"""Bookkeeping that does not grow forever: confirmed outbox rows and old inbox entries go.

What is kept, and why that is enough:

- **The outbox** keeps an event until the event store holds it (`confirmed_at`), and then
  `OUTBOX_RETENTION` longer, to be read in the admin. After confirmation nothing sends it
  again (shared.messaging.publish re-sends only what the store does not hold), so a
  confirmed row is history, not state. An unconfirmed row is never pruned, however old.
- **The inbox** (ProcessedEvent) keeps each applied event's id for `INBOX_RETENTION`. A
  duplicate comes within seconds to minutes: a redelivery after the visibility timeout
  (10 s), a retry (backoff up to MAX_RETRIES), a re-send (backoff up to 300 s), a backlog's
  copies draining, catch-up passing an event live delivery applied. A week is far longer.
  What can come later, a dead letter replayed or the store replayed (`rebuild_query
  --no-wipe`, the "event store replayed twice" fault), applies again an event the inbox has
  forgotten, and that changes nothing: every handler keeps only the newest revision (query's
  upserts, comments' known posts) or changes only what is still pending (comments'
  moderation), as `micro/*/tests/test_pruning.py` shows.
- Dead letters (evidence) and the event store (the log every rebuild replays) are kept.

Rows go in batches of PRUNE_BATCH, so that no delete holds the database for long, up to
PRUNE_BATCHES a round (the worker runs a round a minute: WORKER_LOOPS): 100,000 rows of each
kind a minute, far more than the stack can write.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone

from shared.messaging.models import OutboxEvent, ProcessedEvent

PRUNE_BATCH = 1000
PRUNE_BATCHES = 100


def bookkeeping_prune() -> int:
    """Delete the confirmed outbox rows and inbox entries past their retention (up to
    PRUNE_BATCHES batches of each); returns how many rows went."""
    now = timezone.now()
    outbox_before = now - dt.timedelta(hours=settings.OUTBOX_RETENTION_HOURS)
    inbox_before = now - dt.timedelta(hours=settings.INBOX_RETENTION_HOURS)
    outbox = OutboxEvent.objects.filter(confirmed_at__lt=outbox_before).order_by("created_at")
    inbox = ProcessedEvent.objects.filter(processed_at__lt=inbox_before).order_by("processed_at")
    deleted = 0
    for rows, key in ((outbox, "id"), (inbox, "event_id")):
        for _ in range(PRUNE_BATCHES):
            batch = list(rows.values_list(key, flat=True)[:PRUNE_BATCH])
            if batch:
                deleted += rows.model.objects.filter(**{f"{key}__in": batch}).delete()[0]
            if len(batch) < PRUNE_BATCH:
                break
    return deleted
