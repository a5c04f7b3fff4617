"""The read side of the public contract, once: the post list and one post, with comments.

Each stack subclasses these with its own selectors (the monolith's join, query's read
model, the aggregator's HTTP composition) and its own schema description. The selectors
give rows already in the contract's shape (shared/api/contract.py), so the answer is
rendered without a serializer; the serializers document it.
"""

from __future__ import annotations

from types import ModuleType

from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from shared.api.serializers import (
    PostListParamsSerializer,
    PostWithCommentsOutputSerializer,
    parse_list_params,
)


class PostListReadApi(APIView):
    """GET the post list, newest first, each post with its comments."""

    selectors: ModuleType  # provides post_list(*, limit) -> contract rows

    @extend_schema(
        operation_id="post_list",
        parameters=[PostListParamsSerializer],
        responses={200: PostWithCommentsOutputSerializer(many=True)},
    )
    def get(self, request):
        posts = self.selectors.post_list(limit=parse_list_params(request.query_params))
        return Response(posts)


class PostDetailReadApi(APIView):
    """GET one post with its comments."""

    selectors: ModuleType  # provides post_get(*, post_id) -> a contract row

    @extend_schema(operation_id="post_get", responses={200: PostWithCommentsOutputSerializer})
    def get(self, request, post_id: int):
        post = self.selectors.post_get(post_id=post_id)
        return Response(post)
