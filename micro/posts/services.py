"""Writes of the posts service; each change records its event in the outbox, same transaction."""

from __future__ import annotations

from django.db import transaction
from django.db.models import F

from micro.posts.models import Post
from shared.events import Event, PostCreated, PostDeleted, PostSaved, PostUpdated
from shared.messaging.publish import record_event


def _post_event(kind: type[PostSaved], post: Post) -> Event:
    return Event.of(
        kind(post_id=post.id, title=post.title, created_at=post.created_at, revision=post.revision)
    )


def post_create(*, title: str) -> Post:
    with transaction.atomic():
        post = Post.objects.create(title=title)
        record_event(event=_post_event(PostCreated, post))
    return post


def post_update(*, post: Post, title: str) -> Post:
    with transaction.atomic():
        Post.objects.filter(pk=post.pk).update(title=title, revision=F("revision") + 1)
        post.refresh_from_db()
        record_event(event=_post_event(PostUpdated, post))
    return post


def post_delete(*, post: Post) -> None:
    with transaction.atomic():
        deleted = PostDeleted(post_id=post.id, revision=post.revision + 1)
        post.delete()
        record_event(event=Event.of(deleted))
