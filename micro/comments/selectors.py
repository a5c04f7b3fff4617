"""Reads of the comments service: a post's comments, oldest first."""

from __future__ import annotations

from micro.comments.models import Comment
from micro.comments.services import known_post_ensure


def comment_list(*, post_id: int) -> list[Comment]:
    """The post's comments; PostNotFound for a post that does not exist (see known_post_ensure)."""
    known_post_ensure(post_id=post_id)
    return list(Comment.objects.filter(post_id=post_id).order_by("created_at", "id"))
