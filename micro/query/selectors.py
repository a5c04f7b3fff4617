"""Reads of the query service: the post list with comments in two queries, whatever its size."""

from __future__ import annotations

from django.db.models import F

from micro.query.models import Comment, Post
from shared.api.contract import posts_with_comments
from shared.api.errors import PostNotFound


def _with_comments(posts: list[dict]) -> list[dict]:
    """Posts as the public contract shows them, each with its comments (one query for all)."""
    comments = (
        Comment.objects.filter(post_id__in=[post["id"] for post in posts], deleted=False)
        .order_by("created_at", "comment_id")
        .values("post_id", "content", "status", "created_at", id=F("comment_id"))
    )
    return posts_with_comments(posts=posts, comments=comments)


def _live_posts():
    return Post.objects.filter(deleted=False).values("title", "created_at", id=F("post_id"))


def post_list(*, limit: int) -> list[dict]:
    """The newest posts that are not deleted, with their comments that are not deleted."""
    return _with_comments(list(_live_posts().order_by("-created_at", "-post_id")[:limit]))


def post_get(*, post_id: int) -> dict:
    post = _live_posts().filter(post_id=post_id).first()
    if post is None:
        raise PostNotFound()
    return _with_comments([post])[0]
