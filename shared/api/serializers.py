"""The public contract's request and response bodies, shared by both stacks."""

from __future__ import annotations

from collections.abc import Mapping

from rest_framework import serializers
from rest_framework.fields import empty
from rest_framework.settings import api_settings

from shared import rules


class StrictCharField(serializers.CharField):
    """A CharField that refuses numbers, booleans and objects instead of coercing them."""

    default_error_messages = {
        "required": rules.MSG_REQUIRED,
        "blank": rules.MSG_BLANK,
        "invalid": rules.MSG_NOT_A_STRING,
        "null": rules.MSG_NOT_A_STRING,
    }

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class JsonObjectSerializer(serializers.Serializer):
    """A request body: anything but a JSON object is refused with one message."""

    def run_validation(self, data=empty):
        if not isinstance(data, Mapping):
            raise serializers.ValidationError(
                {api_settings.NON_FIELD_ERRORS_KEY: [rules.MSG_BODY_NOT_OBJECT]}, code="invalid"
            )
        return super().run_validation(data)


class PostInputSerializer(JsonObjectSerializer):
    title = StrictCharField(
        max_length=rules.TITLE_MAX_LENGTH,
        error_messages={"max_length": rules.MSG_TITLE_TOO_LONG},
        help_text="1 to 200 characters after trimming white space.",
    )


class CommentInputSerializer(JsonObjectSerializer):
    content = StrictCharField(
        max_length=rules.CONTENT_MAX_LENGTH,
        error_messages={"max_length": rules.MSG_CONTENT_TOO_LONG},
        help_text="1 to 2,000 characters after trimming white space.",
    )


class PostListParamsSerializer(serializers.Serializer):
    limit = serializers.IntegerField(
        min_value=1,
        max_value=rules.LIST_LIMIT_MAX,
        default=rules.LIST_LIMIT_DEFAULT,
        error_messages={
            "invalid": rules.MSG_LIMIT_INVALID,
            "min_value": rules.MSG_LIMIT_INVALID,
            "max_value": rules.MSG_LIMIT_INVALID,
            "max_string_length": rules.MSG_LIMIT_INVALID,
        },
        help_text="How many posts, newest first (1 to 500, default 50).",
    )


class CommentOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    post_id = serializers.IntegerField()
    content = serializers.CharField()
    status = serializers.ChoiceField(choices=rules.COMMENT_STATUSES)
    created_at = serializers.DateTimeField()


class PostOutputSerializer(serializers.Serializer):
    """A post without its comments (the posts service's own view)."""

    id = serializers.IntegerField()
    title = serializers.CharField()
    created_at = serializers.DateTimeField()


class PostWithCommentsOutputSerializer(PostOutputSerializer):
    comments = CommentOutputSerializer(many=True)


def parse_list_params(query_params) -> int:
    """Validate the post list's query string; returns the limit."""
    params = PostListParamsSerializer(data=query_params)
    params.is_valid(raise_exception=True)
    return params.validated_data["limit"]
