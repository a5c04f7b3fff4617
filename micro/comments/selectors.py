"""Reads of the comments service: a post's comments, oldest first, as the contract's rows."""

from __future__ import annotations

from micro.comments.models import Comment, KnownPost
from micro.comments.services import known_post_ensure
from shared.api.contract import comment_columns, comment_rows
from shared.api.errors import PostNotFound

_COMMENT_ROW = comment_columns()


def comment_list(*, post_id: int) -> list[dict]:
    """The post's comments as the contract's dicts: two queries for a post this service knows
    (is it deleted? its comments). PostNotFound for a post that does not exist; a post it has
    never heard of is asked of posts, as a comment on it would be (see known_post_ensure)."""
    deleted = list(KnownPost.objects.filter(pk=post_id).values_list("deleted", flat=True)[:1])
    if not deleted:
        known_post_ensure(post_id=post_id)  # unknown here: asks posts (404, 503, or now known)
    elif deleted[0]:
        raise PostNotFound()
    comments = Comment.objects.filter(post_id=post_id).order_by("created_at", "id")
    return comment_rows(comments.values_list(*_COMMENT_ROW))
