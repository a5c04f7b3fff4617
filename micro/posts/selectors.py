"""Reads of the posts service: its own posts, without comments."""

from __future__ import annotations

from micro.posts.models import Post
from shared.api.errors import PostNotFound


def post_list(*, limit: int) -> list[Post]:
    return list(Post.objects.order_by("-created_at", "-id")[:limit])


def post_get(*, post_id: int) -> Post:
    post = Post.objects.filter(pk=post_id).first()
    if post is None:
        raise PostNotFound()
    return post
