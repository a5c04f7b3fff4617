"""Reads of the aggregator: the post list composed from the posts and comments services.

One request to posts, then one to comments per post, one after the other: the 1 + N internal
calls the study compares with the query service's single request.
"""

from __future__ import annotations

from django.conf import settings
from requests import Response

from shared.api.contract import posts_with_comments
from shared.api.errors import PostNotFound, ServiceUnavailable
from shared.api.http import ServiceClient

posts_client = ServiceClient(service="posts", base_url=settings.POSTS_URL)
comments_client = ServiceClient(service="comments", base_url=settings.COMMENTS_URL)


def _body(client: ServiceClient, response: Response):
    """The JSON of a 200 answer; anything else from a dependency makes it unavailable."""
    if response.status_code != 200:
        raise ServiceUnavailable(
            client.service, f"{client.service} answered {response.status_code}"
        )
    try:
        return response.json()
    except ValueError as error:
        raise ServiceUnavailable(client.service, f"{client.service} answered non-JSON") from error


def _comments_of(post_id: int) -> list[dict]:
    """A post's comments; none when the comments service has not heard of the post yet."""
    response = comments_client.get(f"/api/posts/{post_id}/comments/")
    if response.status_code == 404:
        return []
    return _body(comments_client, response)


def post_list(*, limit: int) -> list[dict]:
    posts = _body(posts_client, posts_client.get("/api/posts/", params={"limit": limit}))
    comments = [comment for post in posts for comment in _comments_of(post["id"])]
    return posts_with_comments(posts=posts, comments=comments)


def post_get(*, post_id: int) -> dict:
    response = posts_client.get(f"/api/posts/{post_id}/")
    if response.status_code == 404:
        raise PostNotFound()
    post = _body(posts_client, response)
    return posts_with_comments(posts=[post], comments=_comments_of(post["id"]))[0]
