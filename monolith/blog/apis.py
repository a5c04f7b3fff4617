"""The monolith's public API: thin views over services and selectors."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from monolith.blog import selectors, services
from shared.api.serializers import (
    CommentInputSerializer,
    CommentOutputSerializer,
    PostInputSerializer,
    PostListParamsSerializer,
    PostWithCommentsOutputSerializer,
    parse_list_params,
)


class PostCollectionApi(APIView):
    @extend_schema(
        operation_id="post_list",
        parameters=[PostListParamsSerializer],
        responses={200: PostWithCommentsOutputSerializer(many=True)},
        description="Posts with their comments, newest first.",
    )
    def get(self, request):
        posts = selectors.post_list(limit=parse_list_params(request.query_params))
        return Response(PostWithCommentsOutputSerializer(posts, many=True).data)

    @extend_schema(
        operation_id="post_create",
        request=PostInputSerializer,
        responses={201: PostWithCommentsOutputSerializer},
    )
    def post(self, request):
        serializer = PostInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        post = services.post_create(**serializer.validated_data)
        body = PostWithCommentsOutputSerializer({**_fields(post), "comments": []}).data
        return Response(body, status=status.HTTP_201_CREATED)


class PostDetailApi(APIView):
    @extend_schema(operation_id="post_get", responses={200: PostWithCommentsOutputSerializer})
    def get(self, request, post_id: int):
        post = selectors.post_get(post_id=post_id)
        return Response(PostWithCommentsOutputSerializer(post).data)


class CommentCollectionApi(APIView):
    @extend_schema(operation_id="comment_list", responses={200: CommentOutputSerializer(many=True)})
    def get(self, request, post_id: int):
        comments = selectors.comment_list(post_id=post_id)
        return Response(CommentOutputSerializer(comments, many=True).data)

    @extend_schema(
        operation_id="comment_create",
        request=CommentInputSerializer,
        responses={201: CommentOutputSerializer},
        description="Add a comment; the monolith moderates it in the request.",
    )
    def post(self, request, post_id: int):
        serializer = CommentInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        comment = services.comment_create(post_id=post_id, **serializer.validated_data)
        return Response(CommentOutputSerializer(comment).data, status=status.HTTP_201_CREATED)


def _fields(post) -> dict:
    return {"id": post.id, "title": post.title, "created_at": post.created_at}
