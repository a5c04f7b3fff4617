"""The monolith's public API: thin views over services and selectors."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from monolith.blog import selectors, services
from shared.api.serializers import (
    CommentInputSerializer,
    CommentOutputSerializer,
    PostInputSerializer,
    PostWithCommentsOutputSerializer,
)
from shared.api.views import PostDetailReadApi, PostListReadApi


@extend_schema_view(get=extend_schema(description="Posts with their comments, newest first."))
class PostCollectionApi(PostListReadApi):
    selectors = selectors

    @extend_schema(
        operation_id="post_create",
        request=PostInputSerializer,
        responses={201: PostWithCommentsOutputSerializer},
        description="Create a post (with no comments yet).",
    )
    def post(self, request):
        serializer = PostInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        post = services.post_create(**serializer.validated_data)
        body = PostWithCommentsOutputSerializer({**_fields(post), "comments": []}).data
        return Response(body, status=status.HTTP_201_CREATED)


class PostDetailApi(PostDetailReadApi):
    selectors = selectors


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
