"""The monolith's public API: the shared views (shared/api), wired to its services and selectors."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_view

from monolith.blog import selectors, services
from shared.api.views import PostDetailReadApi, PostListReadApi
from shared.api.writes import CommentCreateApi, CommentListReadApi, PostCreateApi


@extend_schema_view(
    get=extend_schema(description="Posts with their comments, newest first."),
    post=extend_schema(description="Create a post (with no comments yet)."),
)
class PostCollectionApi(PostListReadApi, PostCreateApi):
    selectors = selectors
    services = services


class PostDetailApi(PostDetailReadApi):
    selectors = selectors


@extend_schema_view(
    post=extend_schema(description="Add a comment; the monolith moderates it in the request.")
)
class CommentCollectionApi(CommentListReadApi, CommentCreateApi):
    selectors = selectors
    services = services
