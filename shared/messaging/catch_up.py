"""Catching up from the event store: what live delivery missed is applied all the same.

Redis lists cannot promise that a message reaches its consumer: a worker killed between
taking a message (BRPOP) and recording it as unacknowledged loses it. So every consumer
with a database also reads the event store after a cursor, every few seconds, and
applies what it has not applied yet (its inbox drops the rest). A new or wiped read
model starts at seq 0, so the same code rebuilds it.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping

from django.conf import settings
from django.db import InterfaceError, OperationalError

from shared.api.http import ServiceClient
from shared.events import Event
from shared.messaging.consume import Handler, apply_event
from shared.messaging.dead_letters import dead_letter
from shared.messaging.models import EventStoreCursor, ProcessedEvent
from shared.messaging.retry import give_up_reason

logger = logging.getLogger(__name__)

CURSOR = "event_store"
PAGE_LIMIT = 500
# Events stored this recently are left for the next round, so that the cursor never
# steps over an event whose transaction (with a lower seq) has not committed yet.
SETTLED_SECONDS = 2
# While messages wait on the service's own queue, what it has not applied yet is most
# likely among them: catch-up then leaves events stored in the last BUSY_SETTLED_SECONDS to
# live delivery, taking only older ones (lost, or a backlog deeper than that). Before, under
# load, catch-up applied what the queue was about to deliver: in a py-spy profile of the
# comments worker under four writing clients, half of its time was catch-up doing the
# consumer's work a second time (the queue's copies then dropped by the inbox).
BUSY_SETTLED_SECONDS = 30
CATCH_UP_TASK_NAME = "catch_up"


def event_store_client() -> ServiceClient:
    return ServiceClient(service="eventbus", base_url=settings.EVENTBUS_URL)


def reset_cursor() -> None:
    EventStoreCursor.objects.filter(name=CURSOR).delete()


def event_store_catch_up(
    *,
    handlers: Mapping[str, Handler],
    settled_seconds: int = SETTLED_SECONDS,
    behind_live_delivery: bool = False,
) -> int:
    """Apply the stored events of the handled types after this service's cursor; returns
    how many were applied (not already in the inbox). `behind_live_delivery` (the worker's
    loop): while messages wait on the service's own queue, take only events stored at
    least BUSY_SETTLED_SECONDS ago. Raises ServiceUnavailable when the event bus cannot be
    reached; the cursor then stays where it was."""
    if behind_live_delivery and live_delivery_busy():
        settled_seconds = max(settled_seconds, BUSY_SETTLED_SECONDS)
    cursor, _ = EventStoreCursor.objects.get_or_create(name=CURSOR)
    client, applied, after = event_store_client(), 0, cursor.last_seq
    params = {"limit": PAGE_LIMIT, "types": ",".join(handlers), "settled_seconds": settled_seconds}
    while after is not None:
        page = client.get_json("/internal/events/", params={**params, "after": after})
        # Live delivery has applied most of them already: one inbox query per page finds
        # those, instead of a transaction and a query per event.
        applied_before = _in_inbox(page["events"])
        for message in page["events"]:
            if str(message.get("id")) not in applied_before:
                applied += _apply_stored(message, handlers)
            cursor.last_seq = message["seq"]
        if page["events"]:  # at rest the page is empty: no write then
            cursor.save(update_fields=["last_seq", "updated_at"])
        after = page["next_after"]
    return applied


def live_delivery_busy() -> bool:
    """Whether messages wait on this worker's own queue (False when the broker does not
    answer: then catch-up is the only way events arrive)."""
    from shared.messaging.watchdog import waiting_messages

    return bool(waiting_messages())


def _in_inbox(messages: list[dict]) -> set[str]:
    """The ids of these stored events that this service's inbox holds (applied before)."""
    ids = []
    for message in messages:
        try:
            ids.append(uuid.UUID(str(message.get("id"))))
        except ValueError:
            continue  # not an event id: _apply_stored dead-letters it
    found = ProcessedEvent.objects.filter(event_id__in=ids).values_list("event_id", flat=True)
    return {str(event_id) for event_id in found}


def _apply_stored(message: dict, handlers: Mapping[str, Handler]) -> int:
    """Apply one stored event; one that fails is dead-lettered, never blocking the rest.
    A database that is away stops the round instead (the cursor stays where it was)."""
    try:
        return int(apply_event(event=Event.from_message(message), handlers=handlers))
    except (OperationalError, InterfaceError):
        raise
    except Exception as error:
        # No retry here: the next round starts after it (shared.messaging.retry's reasons).
        dead_letter(task_name=CATCH_UP_TASK_NAME, message=message, error=give_up_reason(error))
        return 0
