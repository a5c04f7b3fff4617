"""The posts service's API: create a post (a shared view); list and get posts without comments."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework.response import Response
from rest_framework.views import APIView

from micro.posts import selectors, services
from shared.api.serializers import PostListParamsSerializer, PostOutputSerializer, parse_list_params
from shared.api.writes import PostCreateApi


@extend_schema_view(
    post=extend_schema(
        description="Create a post; PostCreated is published after the transaction commits."
    )
)
class PostCollectionApi(PostCreateApi):
    services = services

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


class PostDetailApi(APIView):
    @extend_schema(operation_id="post_get", responses={200: PostOutputSerializer})
    def get(self, request, post_id: int):
        return Response(PostOutputSerializer(selectors.post_get(post_id=post_id)).data)
