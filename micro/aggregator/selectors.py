"""Reads of the aggregator: the post list composed from the posts and comments services.

One request to posts, then one to comments per post, one after the other: the 1 + N internal
calls the study compares with the query service's single request.
"""

from __future__ import annotations

from django.conf import settings

from shared.api.contract import posts_with_comments
from shared.api.errors import PostNotFound
from shared.api.http import ServiceClient

posts_client = ServiceClient(service="posts", base_url=settings.POSTS_URL)
comments_client = ServiceClient(service="comments", base_url=settings.COMMENTS_URL)


def _comments_of(post_id: int) -> list[dict]:
    """A post's comments; none when the comments service has not heard of the post yet."""
    response = comments_client.get(f"/api/posts/{post_id}/comments/")
    if response.status == 404:
        return []
    return comments_client.json_of(response)


def post_list(*, limit: int) -> list[dict]:
    posts = posts_client.get_json("/api/posts/", params={"limit": limit})
    comments = [comment for post in posts for comment in _comments_of(post["id"])]
    return posts_with_comments(posts=posts, comments=comments)


def post_get(*, post_id: int) -> dict:
    response = posts_client.get(f"/api/posts/{post_id}/")
    if response.status == 404:
        raise PostNotFound()
    post = posts_client.json_of(response)
    return posts_with_comments(posts=[post], comments=_comments_of(post["id"]))[0]
