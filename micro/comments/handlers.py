"""What the comments service does on each event it consumes: one table, handlers call services,
and the catch-up that applies, with the same table, what live delivery missed."""

from __future__ import annotations

from micro.comments import services
from shared import events
from shared.events import CommentModerated, Event, PostDeleted, PostSaved, payload_of
from shared.messaging import catch_up
from shared.messaging.consume import Handler


def on_post_saved(event: Event) -> None:
    post = payload_of(event, PostSaved)
    services.known_post_apply(post_id=post.post_id, title=post.title, revision=post.revision)


def on_post_deleted(event: Event) -> None:
    post = payload_of(event, PostDeleted)
    services.known_post_apply(post_id=post.post_id, title="", revision=post.revision, deleted=True)


def on_comment_moderated(event: Event) -> None:
    decision = payload_of(event, CommentModerated)
    services.comment_apply_moderation(comment_id=decision.comment_id, status=decision.status)


HANDLERS: dict[str, Handler] = {
    events.POST_CREATED: on_post_saved,
    events.POST_UPDATED: on_post_saved,
    events.POST_DELETED: on_post_deleted,
    events.COMMENT_MODERATED: on_comment_moderated,
}


def event_store_catch_up() -> int:
    """Apply stored events that live delivery missed (see shared.messaging.catch_up); run
    every few seconds by the worker (settings.WORKER_LOOPS), behind live delivery while its
    queue has a backlog."""
    return catch_up.event_store_catch_up(handlers=HANDLERS, behind_live_delivery=True)
