"""Reads of the monolith's blog: a post list with comments in two queries, whatever its size."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from monolith.blog.models import Comment, Post
from shared.api.errors import PostNotFound


def _with_comments(posts: QuerySet[Post]) -> QuerySet[Post]:
    return posts.prefetch_related(
        Prefetch("comments", queryset=Comment.objects.order_by("created_at", "id"))
    )


def post_list(*, limit: int) -> list[Post]:
    return list(_with_comments(Post.objects.order_by("-created_at", "-id"))[:limit])


def post_get(*, post_id: int) -> Post:
    post = _with_comments(Post.objects.filter(pk=post_id)).first()
    if post is None:
        raise PostNotFound()
    return post


def comment_list(*, post_id: int) -> list[Comment]:
    if not Post.objects.filter(pk=post_id).exists():
        raise PostNotFound()
    return list(Comment.objects.filter(post_id=post_id).order_by("created_at", "id"))
