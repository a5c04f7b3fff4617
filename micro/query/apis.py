"""The query service's public API: the post list with comments in one request, and one post."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_view

from micro.query import selectors
from shared.api.views import PostDetailReadApi, PostListReadApi


@extend_schema_view(
    get=extend_schema(
        description="Posts with their comments, newest first, from the read model (eventually "
        "consistent): one SQL query over stored documents, however many posts and comments."
    )
)
class PostCollectionApi(PostListReadApi):
    selectors = selectors


@extend_schema_view(
    get=extend_schema(
        description="One post with its comments, from the read model; 404 if it is unknown "
        "or deleted."
    )
)
class PostDetailApi(PostDetailReadApi):
    selectors = selectors
