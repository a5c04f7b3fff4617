"""The aggregator's public API: the monolith's post list and post, composed over HTTP."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from micro.aggregator import selectors
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
        description="Posts with their comments, newest first: one call to posts, then one "
        "to comments per post. 503 naming the service that cannot answer.",
    )
    def get(self, request):
        posts = selectors.post_list(limit=parse_list_params(request.query_params))
        return Response(PostWithCommentsOutputSerializer(posts, many=True).data)


class PostDetailApi(APIView):
    @extend_schema(
        operation_id="post_get",
        responses={200: PostWithCommentsOutputSerializer},
        description="One post (from posts) with its comments (from comments); 404 if posts "
        "does not know it, 503 naming the service that cannot answer.",
    )
    def get(self, request, post_id: int):
        post = selectors.post_get(post_id=post_id)
        return Response(PostWithCommentsOutputSerializer(post).data)
