"""The comments service's API: the shared comment views (shared/api/writes.py), wired to its
services and selectors."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_view

from micro.comments import selectors, services
from shared.api.writes import CommentCreateApi, CommentListReadApi


@extend_schema_view(
    get=extend_schema(
        description="A post's comments, oldest first (the naive client's per-post request, "
        "and the aggregator's). 404 for an unknown post, 503 if posts must be asked and is down."
    ),
    post=extend_schema(
        description="Add a comment, pending; CommentCreated is published after the transaction "
        "commits and moderation decides later (the request does not wait for it)."
    ),
)
class CommentCollectionApi(CommentListReadApi, CommentCreateApi):
    selectors = selectors
    services = services
