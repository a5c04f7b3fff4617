"""query.handle_event: each event type, any order, each event once."""

from __future__ import annotations

import random
from typing import Any

import pytest

from micro.query.handlers import HANDLERS
from micro.query.models import Comment, Post
from shared import events
from shared.messaging.models import DeadLetter, ProcessedEvent

pytestmark = pytest.mark.django_db

CREATED_AT = "2026-03-01T12:00:00+00:00"


def test_handlers_cover_what_query_subscribes_to():
    subscribed = {name for name, services in events.SUBSCRIPTIONS.items() if "query" in services}

    assert set(HANDLERS) == subscribed


def test_post_created_adds_the_post(deliver, post_event, new_id):
    post_id = new_id()

    message = post_event(
        events.POST_CREATED, post_id=post_id, revision=1, title="Hi", created_at=CREATED_AT
    )

    assert deliver(message) is True

    post = Post.objects.get(post_id=post_id)
    assert (post.title, post.revision, post.deleted) == ("Hi", 1, False)
    assert post.created_at is not None
    assert post.created_at.isoformat() == CREATED_AT


def test_post_updated_with_a_newer_revision_wins(deliver, post_event, new_id):
    post_id = new_id()
    deliver(post_event(events.POST_CREATED, post_id=post_id, revision=1, title="Old"))

    deliver(post_event(events.POST_UPDATED, post_id=post_id, revision=2, title="New"))
    deliver(post_event(events.POST_UPDATED, post_id=post_id, revision=1, title="Stale"))

    post = Post.objects.get(post_id=post_id)
    assert (post.title, post.revision) == ("New", 2)


def test_post_deleted_leaves_a_tombstone_a_late_create_cannot_revive(deliver, post_event, new_id):
    post_id = new_id()
    deliver(post_event(events.POST_CREATED, post_id=post_id, revision=1))

    deliver(post_event(events.POST_DELETED, post_id=post_id, revision=2))
    deliver(post_event(events.POST_UPDATED, post_id=post_id, revision=1, title="Late"))

    post = Post.objects.get(post_id=post_id)
    assert (post.deleted, post.revision) == (True, 2)


def test_comment_created_adds_the_comment(deliver, post_event, comment_event, new_id):
    post_id, comment_id = new_id(), new_id()
    deliver(post_event(events.POST_CREATED, post_id=post_id, revision=1))

    deliver(
        comment_event(
            events.COMMENT_CREATED,
            comment_id=comment_id,
            post_id=post_id,
            revision=1,
            content="Nice",
            created_at=CREATED_AT,
        )
    )

    comment = Comment.objects.get(comment_id=comment_id)
    assert (comment.post_id, comment.content, comment.status) == (post_id, "Nice", "pending")
    assert comment.created_at is not None
    assert (comment.created_at.isoformat(), comment.revision, comment.deleted) == (
        CREATED_AT,
        1,
        False,
    )


def test_comment_updated_with_a_newer_revision_wins(deliver, comment_event, new_id):
    post_id, comment_id = new_id(), new_id()
    ids = {"comment_id": comment_id, "post_id": post_id}
    deliver(comment_event(events.COMMENT_CREATED, revision=1, **ids))

    deliver(comment_event(events.COMMENT_UPDATED, revision=2, status="approved", **ids))
    deliver(comment_event(events.COMMENT_UPDATED, revision=1, status="rejected", **ids))

    comment = Comment.objects.get(comment_id=comment_id)
    assert (comment.status, comment.revision) == ("approved", 2)


def test_comment_deleted_leaves_a_tombstone(deliver, comment_event, new_id):
    ids = {"comment_id": new_id(), "post_id": new_id()}
    deliver(comment_event(events.COMMENT_CREATED, revision=1, **ids))

    deliver(comment_event(events.COMMENT_DELETED, revision=2, **ids))
    deliver(comment_event(events.COMMENT_UPDATED, revision=1, status="approved", **ids))

    comment = Comment.objects.get(comment_id=ids["comment_id"])
    assert (comment.deleted, comment.revision, comment.status) == (True, 2, "pending")


def test_a_duplicate_event_is_applied_once(deliver, comment_event, new_id):
    ids = {"comment_id": new_id(), "post_id": new_id()}
    created = comment_event(events.COMMENT_CREATED, revision=1, **ids)

    assert deliver(created) is True
    assert deliver(created) is False

    assert ProcessedEvent.objects.filter(event_id=created["id"]).count() == 1
    assert Comment.objects.filter(comment_id=ids["comment_id"]).count() == 1


def test_a_comment_before_its_post_shows_once_the_post_arrives(
    client, deliver, post_event, comment_event, new_id
):
    post_id, comment_id = new_id(), new_id()
    deliver(
        comment_event(events.COMMENT_CREATED, comment_id=comment_id, post_id=post_id, revision=1)
    )
    assert client.get(f"/api/posts/{post_id}/").status_code == 404

    deliver(post_event(events.POST_CREATED, post_id=post_id, revision=1))

    body = client.get(f"/api/posts/{post_id}/").json()
    assert [comment["id"] for comment in body["comments"]] == [comment_id]


def _a_posts_history(post_event, comment_event, new_id) -> list[dict]:
    """One post's life in order: edited, commented, moderated, a comment deleted."""
    post_id, kept, removed = new_id(), new_id(), new_id()
    post = {"post_id": post_id, "created_at": CREATED_AT}
    first = {"comment_id": kept, "post_id": post_id, "created_at": "2026-03-01T12:01:00+00:00"}
    second = {"comment_id": removed, "post_id": post_id, "created_at": "2026-03-01T12:02:00+00:00"}
    return [
        post_event(events.POST_CREATED, revision=1, title="Draft", **post),
        post_event(events.POST_UPDATED, revision=2, title="Final", **post),
        comment_event(events.COMMENT_CREATED, revision=1, content="Yes", **first),
        comment_event(
            events.COMMENT_UPDATED, revision=2, content="Yes", status="approved", **first
        ),
        comment_event(events.COMMENT_CREATED, revision=1, content="No", **second),
        comment_event(events.COMMENT_DELETED, revision=2, **second),
    ]


def _forget_everything() -> None:
    Comment.objects.all().delete()
    Post.objects.all().delete()
    ProcessedEvent.objects.all().delete()


def test_any_delivery_order_gives_the_in_order_read_model(
    deliver, read_model, post_event, comment_event, new_id
):
    history = _a_posts_history(post_event, comment_event, new_id)
    for message in history:
        deliver(message)
    in_order = read_model()
    assert [comment["deleted"] for comment in in_order["comments"]] == [False, True]
    assert in_order["comments"][0]["status"] == "approved"

    orders = [list(reversed(history))] + [
        random.Random(seed).sample(history, 6) for seed in range(20)
    ]
    for order in orders:
        _forget_everything()
        for message in order:
            deliver(message)
        assert read_model() == in_order, [message["type"] for message in order]


def test_comment_updated_before_comment_created_ends_the_same(
    deliver, read_model, comment_event, new_id
):
    ids = {"comment_id": new_id(), "post_id": new_id(), "created_at": CREATED_AT}
    created = comment_event(events.COMMENT_CREATED, revision=1, **ids)
    updated = comment_event(events.COMMENT_UPDATED, revision=2, status="rejected", **ids)
    deliver(created)
    deliver(updated)
    in_order = read_model()

    _forget_everything()
    deliver(updated)
    deliver(created)

    assert read_model() == in_order
    assert Comment.objects.get().status == "rejected"


def test_post_deleted_before_post_created_ends_the_same(deliver, read_model, post_event, new_id):
    post_id = new_id()
    created = post_event(events.POST_CREATED, post_id=post_id, revision=1, created_at=CREATED_AT)
    deleted = post_event(events.POST_DELETED, post_id=post_id, revision=2)
    deliver(created)
    deliver(deleted)
    in_order = read_model()

    _forget_everything()
    deliver(deleted)
    deliver(created)

    assert read_model() == in_order
    assert Post.objects.get().deleted is True


def test_an_invalid_message_is_dead_lettered(deliver, new_id):
    message = {"id": "x", "type": events.POST_CREATED, "source": "posts", "data": {"post_id": 1}}

    assert deliver(message) is False

    dead_letter = DeadLetter.objects.get()
    assert (dead_letter.task_name, dead_letter.message) == ("query.handle_event", message)
    assert not Post.objects.exists()


def test_an_event_that_cannot_be_applied_is_dead_lettered_after_retries(
    deliver, post_event, new_id
):
    message = post_event(events.POST_CREATED, post_id=new_id(), revision=1, created_at="someday")

    assert deliver(message) is False

    assert "someday" in DeadLetter.objects.get().error
    assert not Post.objects.exists()
    assert not ProcessedEvent.objects.exists()


def test_applying_a_comment_is_one_upsert_and_the_documents_rewrite():
    """The row in one statement (INSERT ... ON CONFLICT DO UPDATE ... WHERE an older
    revision), then the post's document: read the post and its comments, write it. On
    PostgreSQL the post's advisory lock comes first."""
    import datetime as dt

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from micro.query import services

    moment = dt.datetime.fromisoformat(CREATED_AT)
    services.post_apply(post_id=901, title="Counted", created_at=moment, revision=1)
    arguments: dict[str, Any] = dict(
        comment_id=902, post_id=901, content="hi", status="pending", revision=1
    )
    with CaptureQueriesContext(connection) as first:
        assert services.comment_apply(created_at=moment, **arguments)
    with CaptureQueriesContext(connection) as again:
        assert not services.comment_apply(created_at=moment, **arguments)  # not newer: kept

    statements = [query["sql"].split()[0] for query in first.captured_queries]
    lock = ["SELECT"] if connection.vendor == "postgresql" else []
    assert statements == [*lock, "INSERT", "SELECT", "SELECT", "UPDATE"]
    assert len(again.captured_queries) == len(lock) + 1  # the upsert changed nothing
    assert Comment.objects.get(pk=902).revision == 1
