"""The read side of the public contract, once: the post list and one post, with comments.

Each stack subclasses these with its own selectors (the monolith's join, query's read
model, the aggregator's HTTP composition) and its own schema description. The selectors
give rows already in the contract's shape (shared/api/contract.py), so the answer is
rendered without a serializer; the serializers document it. Each is a LeanReadApi
(shared/api/lean.py): a plain GET skips DRF's request machinery, with the same answer.
"""

from __future__ import annotations

from types import ModuleType

from drf_spectacular.utils import extend_schema

from shared.api.lean import LeanReadApi
from shared.api.serializers import (
    PostListParamsSerializer,
    PostWithCommentsOutputSerializer,
    parse_list_params,
)


class PostListReadApi(LeanReadApi):
    """GET the post list, newest first, each post with its comments."""

    selectors: ModuleType  # provides post_list(*, limit) -> contract rows

    @extend_schema(
        operation_id="post_list",
        parameters=[PostListParamsSerializer],
        responses={200: PostWithCommentsOutputSerializer(many=True)},
    )
    def get(self, request):
        return self.drf_answer(request)

    def read(self, request):
        return self.selectors.post_list(limit=parse_list_params(request.GET)), 200


class PostDetailReadApi(LeanReadApi):
    """GET one post with its comments."""

    selectors: ModuleType  # provides post_get(*, post_id) -> a contract row

    @extend_schema(operation_id="post_get", responses={200: PostWithCommentsOutputSerializer})
    def get(self, request, post_id: int):
        return self.drf_answer(request, post_id=post_id)

    def read(self, request, post_id: int):
        return self.selectors.post_get(post_id=post_id), 200
