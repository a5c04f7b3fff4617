"""What the read model does on each event it consumes (one handler table, handlers call
services), and the catch-up and the rebuild that apply the event store with the same table."""

from __future__ import annotations

from micro.query import services
from shared import events
from shared.events import (
    CommentDeleted,
    CommentSaved,
    Event,
    PostDeleted,
    PostSaved,
    payload_of,
)
from shared.messaging.catch_up import event_store_catch_up
from shared.messaging.consume import Handler


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


def read_model_catch_up() -> int:
    """Apply what live delivery missed, from the event store after this service's cursor
    (run every few seconds by the worker; a new or wiped read model replays everything)."""
    return event_store_catch_up(handlers=HANDLERS)


def read_model_rebuild(*, wipe: bool) -> int:
    """Replay the whole event store into the read model; returns how many events were applied.

    With `wipe`, first empty the read model and this service's inbox (services.read_model_reset).
    Events delivered live meanwhile are applied as usual; the inbox keeps each from being
    applied twice. Raises ServiceUnavailable when the event bus cannot be reached.
    """
    services.read_model_reset(wipe=wipe)
    return event_store_catch_up(handlers=HANDLERS, settled_seconds=0)
