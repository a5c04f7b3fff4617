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


# Each handler passes its payload's fields as the service's keywords (the same names).
def on_post_changed(event: Event) -> None:
    services.post_apply(**payload_of(event, PostSaved).as_fields())


def on_post_deleted(event: Event) -> None:
    services.post_tombstone(**payload_of(event, PostDeleted).as_fields())


def on_comment_changed(event: Event) -> None:
    services.comment_apply(**payload_of(event, CommentSaved).as_fields())


def on_comment_deleted(event: Event) -> None:
    services.comment_tombstone(**payload_of(event, CommentDeleted).as_fields())


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
    (run every few seconds by the worker, behind live delivery while its queue has a backlog;
    a new or wiped read model replays everything)."""
    return event_store_catch_up(handlers=HANDLERS, behind_live_delivery=True)


def read_model_rebuild(*, wipe: bool) -> int:
    """Replay the whole event store into the read model; returns how many events were applied.

    With `wipe`, first empty the read model and this service's inbox (services.read_model_reset).
    Events delivered live meanwhile are applied as usual; the inbox keeps each from being
    applied twice. Raises ServiceUnavailable when the event bus cannot be reached.
    """
    services.read_model_reset(wipe=wipe)
    return event_store_catch_up(handlers=HANDLERS, settled_seconds=0)
