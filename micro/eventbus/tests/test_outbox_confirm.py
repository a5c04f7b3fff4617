"""A publisher's outbox confirmation against the event bus's real API, over real HTTP.

The event bus's own settings hold the messaging tables too, so one test database has both
sides: a publisher's outbox with a large backlog and the store. The live server enforces
the real body limit (16 KiB), which the old confirmation (500 ids a request) exceeded.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest
from django.utils import timezone

from micro.eventbus.models import StoredEvent
from shared import events
from shared.messaging import publish
from shared.messaging.models import OutboxEvent

BACKLOG = 10_000
LOST = 7


@pytest.fixture
def backlog(transactional_db, live_server, settings, monkeypatch):
    """BACKLOG events sent a minute ago and not yet confirmed; the store holds all but the
    first LOST of them. Returns the lost ids and a record of what is sent again."""
    settings.EVENTBUS_URL = live_server.url
    sent_at = timezone.now() - dt.timedelta(minutes=1)
    ids = [str(uuid.uuid4()) for _ in range(BACKLOG)]
    messages: list[dict[str, Any]] = [
        {"id": event_id, "type": events.POST_DELETED, "source": "posts", "data": {}}
        for event_id in ids
    ]
    OutboxEvent.objects.bulk_create(
        OutboxEvent(
            id=message["id"],
            event_type=message["type"],
            message=message,
            sent_at=sent_at,
            attempts=1,
            created_at=sent_at,
        )
        for message in messages
    )
    StoredEvent.objects.bulk_create(
        StoredEvent(event_id=message["id"], event_type=message["type"], source="posts",
                    message=message)
        for message in messages[LOST:]
    )  # fmt: skip
    resent: list[str] = []
    monkeypatch.setattr(
        publish, "publish_event", lambda message, **kw: resent.append(message["id"])
    )
    return ids[:LOST], resent


def test_a_backlog_of_ten_thousand_is_confirmed_and_only_the_lost_are_resent(backlog, broker):
    lost, resent = backlog

    assert publish.outbox_confirm() == LOST

    assert sorted(resent) == sorted(lost)
    assert OutboxEvent.objects.filter(confirmed_at__isnull=False).count() == BACKLOG - LOST


def test_a_backlog_confirmed_while_the_event_bus_queue_is_busy_resends_nothing(backlog, broker):
    _, resent = backlog
    broker.lpush("eventbus", b"a message the event bus has not taken yet")

    assert publish.outbox_confirm() == 0

    assert resent == []
    assert OutboxEvent.objects.filter(confirmed_at__isnull=False).count() == BACKLOG - LOST


def test_a_full_confirmation_page_fits_the_body_limit(settings):
    import json

    from micro.eventbus.apis import STORED_IDS_MAX

    ids = [str(uuid.uuid4()) for _ in range(STORED_IDS_MAX)]
    assert publish.CONFIRM_PAGE <= STORED_IDS_MAX
    assert len(json.dumps({"ids": ids}).encode()) < settings.DATA_UPLOAD_MAX_MEMORY_SIZE
