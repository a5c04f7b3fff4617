"""What the comments service does with the events it consumes (drained with apply_event)."""

from __future__ import annotations

from typing import Any

from micro.comments import handlers, services, tasks
from micro.comments.models import Comment, KnownPost
from shared import events, rules
from shared.events import Event
from shared.messaging.consume import apply_event
from shared.messaging.models import DeadLetter, OutboxEvent, ProcessedEvent
from shared.testing.events import dev_signed


def post_event(event_type: str, *, post_id: int, title: str = "", revision: int) -> Event:
    data: dict[str, Any] = {"post_id": post_id, "revision": revision}
    if event_type != events.POST_DELETED:
        data.update(title=title, created_at="2026-01-01T00:00:00+00:00")
    return dev_signed(Event(type=event_type, source="posts", data=data))


def moderated(comment: Comment, status: str) -> Event:
    return dev_signed(
        Event(
            type=events.COMMENT_MODERATED,
            source="moderation",
            data={"comment_id": comment.id, "post_id": comment.post_id, "status": status},
        )
    )


def apply(event: Event) -> bool:
    return apply_event(event=event, handlers=handlers.HANDLERS)


def test_handlers_cover_what_comments_subscribes_to():
    subscribed = {name for name, services in events.SUBSCRIPTIONS.items() if "comments" in services}

    assert set(handlers.HANDLERS) == subscribed


def test_post_created_twice_is_applied_once(db, new_post_id):
    created = post_event(events.POST_CREATED, post_id=new_post_id, title="Hello", revision=1)

    assert apply(created) is True
    assert apply(created) is False

    known = KnownPost.objects.get(pk=new_post_id)
    assert (known.title, known.revision, known.deleted) == ("Hello", 1, False)
    assert ProcessedEvent.objects.filter(event_id=created.id).count() == 1


def test_another_event_of_the_same_revision_changes_nothing(db, new_post_id):
    apply(post_event(events.POST_CREATED, post_id=new_post_id, title="Hello", revision=1))

    apply(post_event(events.POST_CREATED, post_id=new_post_id, title="Other", revision=1))

    assert KnownPost.objects.get(pk=new_post_id).title == "Hello"


def test_post_updated_before_post_created_keeps_the_newer_title(db, new_post_id):
    apply(post_event(events.POST_UPDATED, post_id=new_post_id, title="Newer", revision=2))
    apply(post_event(events.POST_CREATED, post_id=new_post_id, title="Older", revision=1))

    known = KnownPost.objects.get(pk=new_post_id)
    assert (known.title, known.revision) == ("Newer", 2)


def test_post_updated_in_order_renames(db, known_post):
    apply(post_event(events.POST_UPDATED, post_id=known_post.post_id, title="Renamed", revision=2))

    assert KnownPost.objects.get(pk=known_post.pk).title == "Renamed"


def test_post_deleted_leaves_a_tombstone_and_deletes_its_comments(db, comment_factory, known_post):
    comment_factory()
    comment_factory()
    other = services.comment_create(
        post_id=KnownPost.objects.create(post_id=known_post.post_id + 1, revision=1).post_id,
        content="elsewhere",
    )

    apply(post_event(events.POST_DELETED, post_id=known_post.post_id, revision=2))

    known = KnownPost.objects.get(pk=known_post.pk)
    assert (known.deleted, known.revision, known.title) == (True, 2, known_post.title)
    assert list(Comment.objects.all()) == [other]


def test_late_post_created_does_not_resurrect_a_deleted_post(db, new_post_id):
    apply(post_event(events.POST_DELETED, post_id=new_post_id, revision=2))
    apply(post_event(events.POST_CREATED, post_id=new_post_id, title="Zombie", revision=1))

    known = KnownPost.objects.get(pk=new_post_id)
    assert known.deleted is True
    assert known.title == ""


def test_comment_moderated_sets_status_and_records_comment_updated(db, comment_factory):
    comment = comment_factory(content="Nice post")

    assert apply(moderated(comment, rules.APPROVED)) is True

    comment.refresh_from_db()
    assert (comment.status, comment.revision) == (rules.APPROVED, 2)
    outbox = OutboxEvent.objects.get(event_type=events.COMMENT_UPDATED)
    assert Event.from_message(outbox.message).data == {
        "comment_id": comment.id,
        "post_id": comment.post_id,
        "content": "Nice post",
        "status": rules.APPROVED,
        "created_at": comment.created_at.isoformat(),
        "revision": 2,
    }


def test_duplicate_comment_moderated_is_applied_once(db, comment_factory):
    comment = comment_factory()
    decision = moderated(comment, rules.REJECTED)

    assert apply(decision) is True
    assert apply(decision) is False

    comment.refresh_from_db()
    assert (comment.status, comment.revision) == (rules.REJECTED, 2)
    assert OutboxEvent.objects.filter(event_type=events.COMMENT_UPDATED).count() == 1


def test_comment_moderated_after_an_admin_override_is_ignored(db, comment_factory):
    comment = comment_factory()
    services.comment_set_status(comment=comment, status=rules.APPROVED)

    apply(moderated(comment, rules.REJECTED))

    comment.refresh_from_db()
    assert (comment.status, comment.revision) == (rules.APPROVED, 2)
    assert OutboxEvent.objects.filter(event_type=events.COMMENT_UPDATED).count() == 1


def test_comment_moderated_for_a_deleted_comment_is_ignored(db, comment_factory):
    comment = comment_factory()
    services.comment_delete(comment=comment)

    assert apply(moderated(comment, rules.APPROVED)) is True

    assert not Comment.objects.exists()
    assert not OutboxEvent.objects.filter(event_type=events.COMMENT_UPDATED).exists()


def test_task_applies_an_event(db, new_post_id):
    created = post_event(events.POST_CREATED, post_id=new_post_id, title="Via task", revision=1)

    result = tasks.handle_event.apply(args=(created.as_message(),))

    assert result.get() is True
    assert KnownPost.objects.get(pk=new_post_id).title == "Via task"


def test_task_dead_letters_an_invalid_event(db):
    message = {"id": "x", "type": "PostCreated", "source": "posts", "data": {}}

    result = tasks.handle_event.apply(args=(message,))

    assert result.get() is False
    dead = DeadLetter.objects.get()
    assert (dead.task_name, dead.message) == ("comments.handle_event", message)
    assert "lacks" in dead.error


def test_task_dead_letters_an_unknown_moderation_status(db, comment_factory):
    comment = comment_factory()

    result = tasks.handle_event.apply(args=(moderated(comment, "maybe").as_message(),))

    assert result.get() is False
    assert DeadLetter.objects.get().task_name == "comments.handle_event"
    comment.refresh_from_db()
    assert comment.status == rules.PENDING
