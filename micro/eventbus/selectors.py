"""Reads of the event bus: stored events in order, a page at a time, for replay."""

from __future__ import annotations

from micro.eventbus.models import StoredEvent


def event_page(*, after: int, limit: int) -> tuple[list[dict], int | None]:
    """The stored events after `after`, in order, each with its `seq`; and the seq to ask
    for next, or None when this page holds the last stored event."""
    stored_events = list(StoredEvent.objects.filter(seq__gt=after).order_by("seq")[: limit + 1])
    page = stored_events[:limit]
    events = [{**stored_event.message, "seq": stored_event.seq} for stored_event in page]
    next_after = page[-1].seq if len(stored_events) > limit else None
    return events, next_after
