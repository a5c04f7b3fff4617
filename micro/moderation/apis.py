"""The moderation service's API: preview the decision the rule makes on a comment."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from micro.moderation import services
from shared import rules
from shared.api.serializers import CommentInputSerializer


class ModerationDecisionOutputSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=[rules.APPROVED, rules.REJECTED])


class ModerationDecisionApi(APIView):
    @extend_schema(
        operation_id="moderation_decide",
        request=CommentInputSerializer,
        responses={200: ModerationDecisionOutputSerializer},
        description="What moderation would decide on this content (with the configured "
        "delay); nothing is stored or published.",
    )
    def post(self, request):
        serializer = CommentInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        status = services.content_decide(**serializer.validated_data)
        return Response(ModerationDecisionOutputSerializer({"status": status}).data)
