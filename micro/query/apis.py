"""The query service's public API: the post list with comments in one request, and one post."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from micro.query import selectors
from shared.api.serializers import (
    PostListParamsSerializer,
    PostWithCommentsOutputSerializer,
    parse_list_params,
)


class PostCollectionApi(APIView):
    @extend_schema(
        operation_id="post_list",
        parameters=[PostListParamsSerializer],
        responses={200: PostWithCommentsOutputSerializer(many=True)},
        description="Posts with their comments, newest first, from the read model (eventually "
        "consistent): two SQL queries, however many posts and comments.",
    )
    def get(self, request):
        posts = selectors.post_list(limit=parse_list_params(request.query_params))
        return Response(PostWithCommentsOutputSerializer(posts, many=True).data)


class PostDetailApi(APIView):
    @extend_schema(
        operation_id="post_get",
        responses={200: PostWithCommentsOutputSerializer},
        description="One post with its comments, from the read model; 404 if it is unknown "
        "or deleted.",
    )
    def get(self, request, post_id: int):
        post = selectors.post_get(post_id=post_id)
        return Response(PostWithCommentsOutputSerializer(post).data)
