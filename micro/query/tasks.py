"""The query service's task: apply each event to the read model (one handler table)."""

from __future__ import annotations

import datetime
import logging

from celery import shared_task
from django.utils.dateparse import parse_datetime

from micro.query import services
from shared import events
from shared.deployables import event_task
from shared.events import Event
from shared.messaging.consume import Handler, consume_message
from shared.messaging.retry import MAX_RETRIES

logger = logging.getLogger(__name__)


def _datetime(value: str) -> datetime.datetime:
    moment = parse_datetime(value)
    if moment is None:
        raise ValueError(f"created_at {value!r} is not an ISO 8601 date and time")
    return moment


def on_post_changed(event: Event) -> None:
    data = event.data
    services.post_apply(
        post_id=int(data["post_id"]),
        title=data["title"],
        created_at=_datetime(data["created_at"]),
        revision=int(data["revision"]),
    )


def on_post_deleted(event: Event) -> None:
    services.post_tombstone(
        post_id=int(event.data["post_id"]), revision=int(event.data["revision"])
    )


def on_comment_changed(event: Event) -> None:
    data = event.data
    services.comment_apply(
        comment_id=int(data["comment_id"]),
        post_id=int(data["post_id"]),
        content=data["content"],
        status=data["status"],
        created_at=_datetime(data["created_at"]),
        revision=int(data["revision"]),
    )


def on_comment_deleted(event: Event) -> None:
    data = event.data
    services.comment_tombstone(
        comment_id=int(data["comment_id"]),
        post_id=int(data["post_id"]),
        revision=int(data["revision"]),
    )


# What the read model does on each event it subscribes to (shared.events.SUBSCRIPTIONS).
HANDLERS: dict[str, Handler] = {
    events.POST_CREATED: on_post_changed,
    events.POST_UPDATED: on_post_changed,
    events.POST_DELETED: on_post_deleted,
    events.COMMENT_CREATED: on_comment_changed,
    events.COMMENT_UPDATED: on_comment_changed,
    events.COMMENT_DELETED: on_comment_deleted,
}


# max_retries matches consume_message's own limit, so the last failure is dead-lettered.
@shared_task(name=event_task("query"), bind=True, max_retries=MAX_RETRIES)
def handle_event(self, message: dict) -> bool:
    return consume_message(task=self, message=message, handlers=HANDLERS)
