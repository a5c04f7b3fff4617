"""The public contract's request and response bodies, shared by both stacks."""

from __future__ import annotations

import re
from collections.abc import Mapping

from rest_framework import serializers
from rest_framework.fields import empty
from rest_framework.settings import api_settings

from shared import rules

# The characters Python's str.strip() removes (str.isspace()), so DRF's trim_whitespace
# too. Those above U+00FF are written literally, so that the pattern reads the same in
# Python, in ECMA-262 (OpenAPI's `pattern`) and in Rust (schemathesis's validator).
WHITE_SPACE_CLASS = (
    r"\t\n\v\f\r\x1c-\x20\x85\xa0" + "\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
)


def trimmed_text_pattern(*, max_length: int) -> str:
    """A regex for what a trimmed, non-blank text field of at most max_length accepts:
    any white space around 1 to max_length characters that start and end with something
    else, and no NUL anywhere (DRF refuses NUL)."""
    space = f"[{WHITE_SPACE_CLASS}]"
    text = rf"[^{WHITE_SPACE_CLASS}\x00]"
    return rf"^{space}*{text}(?:[^\x00]{{0,{max_length - 2}}}{text})?{space}*$"


class StrictCharField(serializers.CharField):
    """A CharField that refuses numbers, booleans and objects instead of coercing them.

    Trimmed, never blank, with a max_length; its OpenAPI schema is `schema_pattern`.
    """

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

    @property
    def schema_pattern(self) -> str:
        assert self.max_length is not None, "a StrictCharField has a max_length"
        return trimmed_text_pattern(max_length=self.max_length)


class StrictUUIDField(serializers.UUIDField):
    """A UUID written as OpenAPI's `format: uuid` says (8-4-4-4-12 hex digits): no numbers,
    booleans, braces, URNs or undashed hex, which UUIDField would take."""

    CANONICAL = re.compile(r"[0-9a-fA-F]{8}(?:-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}")

    def to_internal_value(self, data):
        if not isinstance(data, str) or not self.CANONICAL.fullmatch(data):
            self.fail("invalid", value=data)
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


class ErrorOutputSerializer(serializers.Serializer):
    """The one error shape (shared.api.errors.error_body)."""

    code = serializers.CharField(help_text="What went wrong, for programs: invalid, not_found ...")
    message = serializers.CharField(help_text="What went wrong, for people.")
    # DRF's metaclass moves declared fields into _declared_fields, so this does not replace
    # Serializer.fields at run time, as the stubs assume.
    fields = serializers.DictField(  # type: ignore[assignment]
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Each bad field (or `body`) with its messages; empty when no field is to blame.",
    )
    service = serializers.CharField(
        required=False, help_text="On a 503: the service or dependency that cannot answer."
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


# The one field of PostListParamsSerializer, bound once: a serializer per request would
# deep-copy its fields every time (about 50 us of the post list's read here). Fields keep
# no state between validations.
_LIMIT_NAME = "limit"
_LIMIT = PostListParamsSerializer().fields[_LIMIT_NAME]


def parse_list_params(query_params) -> int:
    """Validate the post list's query string as PostListParamsSerializer does (its field,
    its messages, the same error shape); returns the limit."""
    try:
        return _LIMIT.run_validation(_LIMIT.get_value(query_params))
    except serializers.ValidationError as error:
        raise serializers.ValidationError({_LIMIT_NAME: error.detail}) from None
