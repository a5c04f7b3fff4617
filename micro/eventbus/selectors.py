"""Reads of the event bus: stored events in order, a page at a time, for replay."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from micro.eventbus.models import StoredEvent


def event_page(
    *, after: int, limit: int, types: list[str] | None = None, settled_seconds: int = 0
) -> tuple[list[dict], int | None]:
    """The stored events after `after`, in order, each with its `seq`; and the seq to ask
    for next, or None when this page holds the last one.

    `types` keeps only those event types; `settled_seconds` keeps only events stored at
    least that long ago, so that a reader advancing a cursor does not step over an event
    whose transaction (with a lower seq) has not committed yet.
    """
    stored = StoredEvent.objects.filter(seq__gt=after).order_by("seq")
    if types:
        stored = stored.filter(event_type__in=types)
    if settled_seconds:
        stored = stored.filter(
            stored_at__lte=timezone.now() - dt.timedelta(seconds=settled_seconds)
        )
    stored_events = list(stored[: limit + 1])
    page = stored_events[:limit]
    events = [{**stored_event.message, "seq": stored_event.seq} for stored_event in page]
    next_after = page[-1].seq if len(stored_events) > limit else None
    return events, next_after


def stored_event_ids(*, event_ids: list[str]) -> list[str]:
    """Which of these event ids the store holds (a publisher confirming its outbox)."""
    found = StoredEvent.objects.filter(event_id__in=event_ids).values_list("event_id", flat=True)
    return [str(event_id) for event_id in found]
