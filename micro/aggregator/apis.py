"""The aggregator's public API: the monolith's post list and post, composed over HTTP."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_view

from micro.aggregator import selectors
from shared.api.views import PostDetailReadApi, PostListReadApi


@extend_schema_view(
    get=extend_schema(
        description="Posts with their comments, newest first: one call to posts, then one "
        "to comments per post. 503 naming the service that cannot answer."
    )
)
class PostCollectionApi(PostListReadApi):
    selectors = selectors


@extend_schema_view(
    get=extend_schema(
        description="One post (from posts) with its comments (from comments); 404 if posts "
        "does not know it, 503 naming the service that cannot answer."
    )
)
class PostDetailApi(PostDetailReadApi):
    selectors = selectors
