"""Writes of the comments service; each change records its event in the outbox, same transaction."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from micro.comments.clients import posts_client
from micro.comments.models import Comment, KnownPost
from shared import events, rules
from shared.api.errors import PostNotFound
from shared.events import (
    CommentCreated,
    CommentDeleted,
    CommentSaved,
    CommentUpdated,
    Event,
    derived_event_id,
)
from shared.messaging.eventbus import EVENTBUS_QUEUE
from shared.messaging.in_flight import in_flight_event_ids
from shared.messaging.inserts import insert_unless_present
from shared.messaging.models import OutboxEvent
from shared.messaging.publish import (
    REASON_DECISION_LOST,
    record_event,
    resend,
    resend_backoff_seconds,
)

SERVICE = "comments"


def _comment_event(kind: type[CommentSaved], comment: Comment) -> Event:
    return Event.of(
        kind(
            comment_id=comment.id,
            post_id=comment.post_id,
            content=comment.content,
            status=comment.status,
            created_at=comment.created_at,
            revision=comment.revision,
        )
    )


def known_post_ensure(*, post_id: int) -> None:
    """Make sure this service knows the post a comment is about; PostNotFound when there
    is none (or it was deleted), ServiceUnavailable when posts cannot say.

    This service learns of posts from PostCreated events, but a client may comment on a
    post it has just created before that event arrives here (the event goes through the
    outbox and the broker). Refusing would make a fresh post look missing, so a post this
    service has never heard of is asked of the posts service, once: the answer is
    recorded, and the event, when it arrives, is a no-op or a newer revision. In the
    request counts this shows up as one internal HTTP call per such post.
    """
    described = _unknown_post_described(post_id=post_id)
    if described is None or _known_post_record(described):
        return
    # An event arrived while posts was asked: it decides, a PostDeleted included.
    if KnownPost.objects.filter(pk=post_id, deleted=True).exists():
        raise PostNotFound()


def _unknown_post_described(*, post_id: int) -> dict | None:
    """None for a post this service knows (PostNotFound if it was deleted); for one it has
    not heard of, what posts says of it as KnownPost's fields (PostNotFound if posts does
    not have it, ServiceUnavailable if posts cannot answer). Nothing is written."""
    deleted = KnownPost.objects.filter(pk=post_id).values_list("deleted", flat=True).first()
    if deleted is not None:
        if deleted:
            raise PostNotFound()
        return None
    client = posts_client()
    response = client.get(f"/api/posts/{post_id}/")
    if response.status == 404:
        raise PostNotFound()
    post = client.json_of(response)
    return {
        "post_id": post_id,
        "title": post.get("title", ""),
        "revision": int(post.get("revision", 1)),
        "deleted": False,
    }


def _known_post_record(values: dict) -> bool:
    """Record a post as posts described it, unless this service knows it already (an event
    that arrived meanwhile knows at least as much); whether it was recorded. One
    statement, no SELECT first."""
    return insert_unless_present(KnownPost, values=values, unique="post_id")


def known_post_apply(*, post_id: int, title: str, revision: int, deleted: bool = False) -> bool:
    """Record what a posts event says, unless this service already knows a newer revision.

    A deleted post stays a tombstone and loses its comments. Returns True if applied.
    """
    with transaction.atomic():
        known = KnownPost.objects.select_for_update().filter(pk=post_id).first()
        if known is None:
            known = KnownPost.objects.create(
                post_id=post_id, title=title, revision=revision, deleted=deleted
            )
        elif revision > known.revision and not known.deleted:
            known.title = title or known.title
            known.revision, known.deleted = revision, deleted
            known.save(update_fields=["title", "revision", "deleted"])
        else:
            return False
        if known.deleted:
            Comment.objects.filter(post_id=post_id).delete()
    return True


def comment_create(*, post_id: int, content: str) -> Comment:
    """Add a pending comment; moderation happens later, on CommentCreated.

    The post is looked up before the write transaction opens (over HTTP when this service
    has not heard of it, as known_post_ensure), then recorded if it was asked of posts, and
    checked again, locked, inside the transaction that adds the comment, so a PostDeleted
    applied meanwhile leaves no orphan comment. One write transaction per comment: each
    one waits for the database's write lock, which the relay and the worker take too
    (docs/speed.md, eighth pass).
    """
    described = _unknown_post_described(post_id=post_id)
    with transaction.atomic():
        if described is not None:
            _known_post_record(described)
        known = KnownPost.objects.select_for_update().get(pk=post_id)
        if known.deleted:
            raise PostNotFound()
        comment = Comment.objects.create(post_id=post_id, content=content)
        record_event(event=_comment_event(CommentCreated, comment))
    return comment


def _comment_change(*, comment_id: int, changes: dict, only_if: str | None = None) -> bool:
    """Change a comment's fields, bump its revision and record CommentUpdated.

    Nothing happens when the comment is gone, when nothing changes, or when `only_if` names
    a status the comment no longer has. Returns True if the comment changed.
    """
    with transaction.atomic():
        comment = Comment.objects.select_for_update().filter(pk=comment_id).first()
        if comment is None or (only_if is not None and comment.status != only_if):
            return False
        if all(getattr(comment, name) == value for name, value in changes.items()):
            return False
        for name, value in changes.items():
            setattr(comment, name, value)
        comment.revision += 1
        comment.save(update_fields=[*changes, "revision"])
        record_event(event=_comment_event(CommentUpdated, comment))
    return True


def comment_apply_moderation(*, comment_id: int, status: str) -> bool:
    """Apply moderation's decision to a comment still pending (an admin's override wins)."""
    if status not in (rules.APPROVED, rules.REJECTED):
        raise ValueError(f"moderation decided an unknown status {status!r}")
    return _comment_change(comment_id=comment_id, changes={"status": status}, only_if=rules.PENDING)


def comment_set_status(*, comment: Comment, status: str) -> bool:
    """Override a comment's status (the admin's approve / reject actions)."""
    return _comment_change(comment_id=comment.pk, changes={"status": status})


def comment_update(*, comment: Comment, content: str, status: str) -> bool:
    """Edit a comment's content and status (the admin's change form)."""
    return _comment_change(comment_id=comment.pk, changes={"content": content, "status": status})


def comment_delete(*, comment: Comment) -> None:
    with transaction.atomic():
        current = Comment.objects.select_for_update().filter(pk=comment.pk).first()
        if current is None:
            return
        deleted = CommentDeleted(
            comment_id=current.id, post_id=current.post_id, revision=current.revision + 1
        )
        current.delete()
        record_event(event=Event.of(deleted))


# A comment still pending this long after its CommentCreated was sent is sent again (the
# decision, or the event that asked for it, was lost on the way; every step is idempotent).
PENDING_RESEND_SECONDS = 20
RESEND_BATCH = 200
# The queues a pending comment's decision may still be on its way through.
DECISION_QUEUES = (EVENTBUS_QUEUE, "moderation", SERVICE)


def comment_pending_resend() -> int:
    """Send CommentCreated again for comments whose moderation decision was lost: pending
    for a while, with nothing on the way that could still decide them. While any of those
    queues has a backlog nothing is taken for lost (shared.messaging.in_flight), and each
    event is re-sent at most once per its backoff, so slowness makes no copies."""
    cutoff = timezone.now() - dt.timedelta(seconds=PENDING_RESEND_SECONDS)
    waiting = list(
        Comment.objects.filter(status=rules.PENDING, created_at__lte=cutoff).values_list(
            "id", flat=True
        )[:RESEND_BATCH]
    )
    if not waiting:
        return 0
    in_flight = in_flight_event_ids(queues=DECISION_QUEUES)
    if in_flight is None:
        return 0
    stale = OutboxEvent.objects.filter(
        event_type=events.COMMENT_CREATED,
        message__data__comment_id__in=waiting,
        sent_at__lte=cutoff,
    ).values_list("id", "sent_at", "resends")
    ids = [
        str(event_id)
        for event_id, sent_at, resends in stale
        if not {str(event_id), derived_event_id(str(event_id), events.COMMENT_MODERATED)}
        & in_flight
        and sent_at is not None  # sent_at__lte above: always
        and timezone.now() - sent_at >= dt.timedelta(seconds=resend_backoff_seconds(resends))
    ]
    return resend(ids=ids, reason=REASON_DECISION_LOST) if ids else 0
