"""The event bus's internal API: the stored events, a page at a time, for replay."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from micro.eventbus import selectors
from shared.api.permissions import HasInternalToken

EVENT_PAGE_LIMIT_DEFAULT = 500
EVENT_PAGE_LIMIT_MAX = 1000


class EventPageParamsSerializer(serializers.Serializer):
    after = serializers.IntegerField(
        min_value=0, default=0, help_text="Return the events stored after this seq (default 0)."
    )
    limit = serializers.IntegerField(
        min_value=1,
        max_value=EVENT_PAGE_LIMIT_MAX,
        default=EVENT_PAGE_LIMIT_DEFAULT,
        help_text="How many events at most (1 to 1000, default 500).",
    )


class EventPageOutputSerializer(serializers.Serializer):
    events = serializers.ListField(
        child=serializers.DictField(),
        help_text="Event envelopes (id, type, version, occurred_at, source, data) in store "
        "order, each with its `seq`.",
    )
    next_after = serializers.IntegerField(
        allow_null=True, help_text="The `after` of the next page; null when no more are stored."
    )


class EventCollectionApi(APIView):
    permission_classes = [HasInternalToken]

    @extend_schema(
        operation_id="event_list",
        parameters=[EventPageParamsSerializer],
        responses={200: EventPageOutputSerializer},
        description="Internal (X-Internal-Token): the stored events in order, for a read "
        "model to rebuild itself. 400 names a bad parameter; 403 without the token.",
    )
    def get(self, request):
        params = EventPageParamsSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        events, next_after = selectors.event_page(**params.validated_data)
        return Response(
            EventPageOutputSerializer({"events": events, "next_after": next_after}).data
        )
