"""Reads of the monolith's blog: a post list with comments in two queries, whatever its size."""

from __future__ import annotations

from monolith.blog.models import Comment, Post
from shared.api.contract import posts_with_comments
from shared.api.errors import PostNotFound


def _with_comments(posts: list[dict]) -> list[dict]:
    """Posts as the public contract shows them, each with its comments (one query for all)."""
    comments = (
        Comment.objects.filter(post_id__in=[post["id"] for post in posts])
        .order_by("created_at", "id")
        .values("id", "post_id", "content", "status", "created_at")
    )
    return posts_with_comments(posts=posts, comments=comments)


def _posts():
    return Post.objects.values("id", "title", "created_at")


def post_list(*, limit: int) -> list[dict]:
    """The newest posts with their comments: two queries, whatever the size."""
    return _with_comments(list(_posts().order_by("-created_at", "-id")[:limit]))


def post_get(*, post_id: int) -> dict:
    post = _posts().filter(pk=post_id).first()
    if post is None:
        raise PostNotFound()
    return _with_comments([post])[0]


def comment_list(*, post_id: int) -> list[Comment]:
    if not Post.objects.filter(pk=post_id).exists():
        raise PostNotFound()
    return list(Comment.objects.filter(post_id=post_id).order_by("created_at", "id"))
