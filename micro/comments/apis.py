"""The comments service's API: add a comment to a post, list a post's comments."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from micro.comments import selectors, services
from shared.api.serializers import CommentInputSerializer, CommentOutputSerializer


class CommentCollectionApi(APIView):
    @extend_schema(
        operation_id="comment_list",
        responses={200: CommentOutputSerializer(many=True)},
        description="A post's comments, oldest first (the naive client's per-post request, "
        "and the aggregator's). 404 for an unknown post, 503 if posts must be asked and is down.",
    )
    def get(self, request, post_id: int):
        comments = selectors.comment_list(post_id=post_id)
        return Response(CommentOutputSerializer(comments, many=True).data)

    @extend_schema(
        operation_id="comment_create",
        request=CommentInputSerializer,
        responses={201: CommentOutputSerializer},
        description="Add a comment, pending; CommentCreated is published after the transaction "
        "commits and moderation decides later (the request does not wait for it).",
    )
    def post(self, request, post_id: int):
        serializer = CommentInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        comment = services.comment_create(post_id=post_id, **serializer.validated_data)
        return Response(CommentOutputSerializer(comment).data, status=status.HTTP_201_CREATED)
