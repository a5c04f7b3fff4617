"""The query service's task: apply each event to the read model (one handler table)."""

from __future__ import annotations

import logging

from celery import shared_task

from micro.query import services
from shared import events
from shared.deployables import event_task
from shared.events import (
    CommentDeleted,
    CommentSaved,
    Event,
    PostDeleted,
    PostSaved,
    payload_of,
)
from shared.messaging.consume import Handler, consume_message
from shared.messaging.retry import MAX_RETRIES

logger = logging.getLogger(__name__)


def on_post_changed(event: Event) -> None:
    post = payload_of(event, PostSaved)
    services.post_apply(
        post_id=post.post_id, title=post.title, created_at=post.created_at, revision=post.revision
    )


def on_post_deleted(event: Event) -> None:
    post = payload_of(event, PostDeleted)
    services.post_tombstone(post_id=post.post_id, revision=post.revision)


def on_comment_changed(event: Event) -> None:
    comment = payload_of(event, CommentSaved)
    services.comment_apply(
        comment_id=comment.comment_id,
        post_id=comment.post_id,
        content=comment.content,
        status=comment.status,
        created_at=comment.created_at,
        revision=comment.revision,
    )


def on_comment_deleted(event: Event) -> None:
    comment = payload_of(event, CommentDeleted)
    services.comment_tombstone(
        comment_id=comment.comment_id, post_id=comment.post_id, revision=comment.revision
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
