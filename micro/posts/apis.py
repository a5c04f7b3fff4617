"""The posts service's API: create a post; list and get posts (without comments)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from micro.posts import selectors, services
from shared.api.serializers import (
    PostInputSerializer,
    PostListParamsSerializer,
    PostOutputSerializer,
    PostWithCommentsOutputSerializer,
    parse_list_params,
)


class PostCollectionApi(APIView):
    @extend_schema(
        operation_id="post_list",
        parameters=[PostListParamsSerializer],
        responses={200: PostOutputSerializer(many=True)},
        description="Posts without their comments, newest first (the naive client's first "
        "request, and the aggregator's).",
    )
    def get(self, request):
        posts = selectors.post_list(limit=parse_list_params(request.query_params))
        return Response(PostOutputSerializer(posts, many=True).data)

    @extend_schema(
        operation_id="post_create",
        request=PostInputSerializer,
        responses={201: PostWithCommentsOutputSerializer},
        description="Create a post; PostCreated is published after the transaction commits.",
    )
    def post(self, request):
        serializer = PostInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        post = services.post_create(**serializer.validated_data)
        body = {**PostOutputSerializer(post).data, "comments": []}
        return Response(body, status=status.HTTP_201_CREATED)


class PostDetailApi(APIView):
    @extend_schema(operation_id="post_get", responses={200: PostOutputSerializer})
    def get(self, request, post_id: int):
        return Response(PostOutputSerializer(selectors.post_get(post_id=post_id)).data)
