"""What the comments service does on each event it consumes: one table, handlers call services."""

from __future__ import annotations

from celery import shared_task

from micro.comments import services
from shared import events
from shared.deployables import event_task
from shared.events import CommentModerated, Event, PostDeleted, PostSaved, payload_of
from shared.messaging.consume import MAX_RETRIES, Handler, consume_message


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


# max_retries matches consume_message's own limit, so the last failure is dead-lettered
# instead of Celery giving up first (its default is 3).
@shared_task(name=event_task("comments"), bind=True, max_retries=MAX_RETRIES)
def handle_event(self, message: dict) -> bool:
    return consume_message(task=self, message=message, handlers=HANDLERS)
