"""Writes of the monolith's blog: create posts and comments, moderate in the request."""

from __future__ import annotations

from django.db import transaction

from monolith.blog.models import Comment, Post
from shared import rules, study
from shared.api.errors import PostNotFound


def post_create(*, title: str) -> Post:
    return Post.objects.create(title=title)


def comment_create(*, post_id: int, content: str) -> Comment:
    """Add a comment and moderate it at once (the request waits for moderation).

    Moderation runs before the write transaction opens, so a slow moderation step
    does not hold the database's write lock.
    """
    _ensure_post_exists(post_id=post_id)
    status = rules.moderate_slowly(content, delay_ms=study.moderation_delay_ms())
    with transaction.atomic():
        _ensure_post_exists(post_id=post_id)
        return Comment.objects.create(post_id=post_id, content=content, status=status)


def _ensure_post_exists(*, post_id: int) -> None:
    if not Post.objects.filter(pk=post_id).exists():
        raise PostNotFound()


def comment_set_status(*, comment: Comment, status: str) -> bool:
    """Override a comment's status (the admin's approve / reject actions).

    One conditional UPDATE: nothing happens when the comment already has that status or is
    gone. Returns True if the comment changed (as the comments service's does).
    """
    changed = Comment.objects.filter(pk=comment.pk).exclude(status=status).update(status=status)
    return changed > 0
