"""The event bus's internal API: the stored events, a page at a time, for replay."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from micro.eventbus import selectors
from shared import rules
from shared.api.permissions import HasInternalToken
from shared.api.serializers import StrictUUIDField
from shared.events import EVENT_TYPES

STORED_IDS_MAX = rules.STORED_IDS_MAX

EVENT_PAGE_LIMIT_DEFAULT = 500
EVENT_PAGE_LIMIT_MAX = 1000


class EventPageParamsSerializer(serializers.Serializer):
    after = serializers.IntegerField(
        min_value=0,
        max_value=rules.ID_MAX,
        default=0,
        help_text="Return the events stored after this seq (default 0).",
    )
    limit = serializers.IntegerField(
        min_value=1,
        max_value=EVENT_PAGE_LIMIT_MAX,
        default=EVENT_PAGE_LIMIT_DEFAULT,
        help_text="How many events at most (1 to 1000, default 500).",
    )
    types = serializers.CharField(
        required=False,
        allow_blank=True,
        trim_whitespace=False,
        help_text="Comma-separated event types to keep, exactly as named (default: all).",
    )
    settled_seconds = serializers.IntegerField(
        min_value=0,
        max_value=3600,
        default=0,
        help_text="Only events stored at least this many seconds ago (default 0).",
    )

    def validate_types(self, value: str) -> list[str]:
        types = value.split(",") if value else []
        unknown = sorted(set(types) - set(EVENT_TYPES))
        if unknown:
            named = ", ".join(map(repr, unknown))
            raise serializers.ValidationError(f"Unknown event types: {named}.")
        return types


# What `types` really is: a list of known event types, sent as one comma-separated value.
TYPES_PARAMETER = OpenApiParameter(
    "types",
    type={"type": "array", "items": {"type": "string", "enum": sorted(EVENT_TYPES)}},
    style="form",
    explode=False,
    description="Comma-separated event types to keep, exactly as named (default: all).",
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
        parameters=[EventPageParamsSerializer, TYPES_PARAMETER],
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


class StoredIdsInputSerializer(serializers.Serializer):
    ids = serializers.ListField(
        child=StrictUUIDField(),
        min_length=1,
        max_length=STORED_IDS_MAX,
        help_text="Event ids (1 to 300).",
    )


class StoredIdsOutputSerializer(serializers.Serializer):
    stored = serializers.ListField(
        child=serializers.UUIDField(), help_text="The ids the store holds."
    )


class StoredEventIdsApi(APIView):
    permission_classes = [HasInternalToken]

    @extend_schema(
        operation_id="event_stored_ids",
        request=StoredIdsInputSerializer,
        responses={200: StoredIdsOutputSerializer},
        description="Internal (X-Internal-Token): which of these event ids are stored. A "
        "publisher confirms its outbox with it and re-sends what the store never got.",
    )
    def post(self, request):
        body = StoredIdsInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        ids = [str(event_id) for event_id in body.validated_data["ids"]]
        stored = selectors.stored_event_ids(event_ids=ids)
        return Response(StoredIdsOutputSerializer({"stored": stored}).data)
