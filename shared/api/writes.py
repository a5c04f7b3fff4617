"""The write side of the public contract, once: create a post, add a comment to a post.

Each stack subclasses these with its own services module (the monolith's, which moderates
in the request; the posts and comments services', which publish events) and its own
schema description (`extend_schema_view`). The comment list's GET sits here too: it shares
its path, and so its view, with the comment POST.

The classes carry comments, not docstrings: drf-spectacular publishes a view's docstring
as the description of every operation that has none of its own, and the schema stays the
one the stacks documented before these views were shared.
"""

from __future__ import annotations

from types import ModuleType

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from shared.api.lean import LeanReadApi
from shared.api.serializers import (
    CommentInputSerializer,
    CommentOutputSerializer,
    PostInputSerializer,
    PostOutputSerializer,
    PostWithCommentsOutputSerializer,
)


def post_created_body(*, post) -> dict:
    """The 201 body of a new post: the post as the contract shows it, with no comments yet."""
    return {**PostOutputSerializer(post).data, "comments": []}


# POST a post. `services` provides post_create(*, title) -> the new post (a model instance).
class PostCreateApi(APIView):
    services: ModuleType

    @extend_schema(
        operation_id="post_create",
        request=PostInputSerializer,
        responses={201: PostWithCommentsOutputSerializer},
    )
    def post(self, request):
        serializer = PostInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        post = self.services.post_create(**serializer.validated_data)
        return Response(post_created_body(post=post), status=status.HTTP_201_CREATED)


# GET a post's comments, oldest first. `selectors` provides comment_list(*, post_id) -> the
# comments as the contract's dicts (shared.api.contract.comment_rows, dates already text), so
# no serializer runs; PostNotFound for an unknown post. The serializer still gives the schema.
class CommentListReadApi(LeanReadApi):
    selectors: ModuleType

    @extend_schema(operation_id="comment_list", responses={200: CommentOutputSerializer(many=True)})
    def get(self, request, post_id: int):
        return self.drf_answer(request, post_id=post_id)

    def read(self, request, post_id: int):
        return self.selectors.comment_list(post_id=post_id), 200


# POST a comment on a post. `services` provides comment_create(*, post_id, content) -> the
# new comment (a model instance); PostNotFound for an unknown post.
class CommentCreateApi(APIView):
    services: ModuleType

    @extend_schema(
        operation_id="comment_create",
        request=CommentInputSerializer,
        responses={201: CommentOutputSerializer},
    )
    def post(self, request, post_id: int):
        serializer = CommentInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        comment = self.services.comment_create(post_id=post_id, **serializer.validated_data)
        return Response(CommentOutputSerializer(comment).data, status=status.HTTP_201_CREATED)
