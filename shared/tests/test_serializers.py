"""The shared input serializers and the post list's query string."""

from __future__ import annotations

import re
import sys

import pytest
from django.http import QueryDict
from hypothesis import given, settings
from hypothesis import strategies as st
from rest_framework.exceptions import ValidationError

from shared import rules
from shared.api.serializers import (
    CommentInputSerializer,
    PostInputSerializer,
    PostListParamsSerializer,
    StrictCharField,
    StrictUUIDField,
    parse_list_params,
)

WHITE_SPACE_CHARACTERS = [
    *"\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680",
    *(chr(code) for code in range(0x2000, 0x200B)),
    *"\u2028\u2029\u202f\u205f\u3000",
]


def test_post_input_trims_the_title():
    serializer = PostInputSerializer(data={"title": "  Hello  "})

    assert serializer.is_valid()
    assert serializer.validated_data == {"title": "Hello"}


@pytest.mark.parametrize("title", [1, 1.5, True, ["a"], {"a": 1}])
def test_post_input_refuses_a_title_that_is_not_a_string(title):
    serializer = PostInputSerializer(data={"title": title})

    assert not serializer.is_valid()
    assert serializer.errors == {"title": [rules.MSG_NOT_A_STRING]}


def test_comment_input_limits_the_content():
    at_limit = CommentInputSerializer(data={"content": "c" * rules.CONTENT_MAX_LENGTH})
    over = CommentInputSerializer(data={"content": "c" * (rules.CONTENT_MAX_LENGTH + 1)})

    assert at_limit.is_valid()
    assert not over.is_valid()
    assert over.errors == {"content": [rules.MSG_CONTENT_TOO_LONG]}


@pytest.mark.parametrize(
    ("query", "limit"),
    [("", rules.LIST_LIMIT_DEFAULT), ("limit=", rules.LIST_LIMIT_DEFAULT), ("limit=7", 7)],
)
def test_parse_list_params_reads_the_limit(query, limit):
    assert parse_list_params(QueryDict(query)) == limit


@pytest.mark.parametrize("query", ["limit=0", "limit=501", "limit=x", "limit=1e3"])
def test_parse_list_params_refuses_a_bad_limit(query):
    with pytest.raises(ValidationError) as raised:
        parse_list_params(QueryDict(query))

    assert raised.value.detail == {"limit": [rules.MSG_LIMIT_INVALID]}


@pytest.mark.parametrize(
    "query",
    ["", "limit=", "limit=7", "limit=7&limit=9", "limit=%207%20", "limit=+7", "limit=07",
     "limit=\uff17", "limit=0", "limit=500", "limit=501", "limit=x", "limit=1e3", "limit=7.0",
     "other=1", "limit=-1", f"limit={2**70}"],
)  # fmt: skip
def test_parse_list_params_answers_as_the_serializer_does(query):
    """parse_list_params uses the serializer's bound field, not a serializer per request:
    the same limit or the same error detail for any query string."""
    params = PostListParamsSerializer(data=QueryDict(query))
    if params.is_valid():
        assert parse_list_params(QueryDict(query)) == params.validated_data["limit"]
    else:
        with pytest.raises(ValidationError) as raised:
            parse_list_params(QueryDict(query))
        assert raised.value.detail == params.errors


# Letters, every character str.strip() removes, NUL, and U+FEFF (space in ECMA-262's \s).
TEXT_ALPHABET = st.sampled_from(["a", "é", "\x00", "\ufeff", *WHITE_SPACE_CHARACTERS])


@settings(max_examples=300, derandomize=True, database=None)
@given(text=st.text(alphabet=TEXT_ALPHABET, max_size=8))
def test_the_schema_pattern_accepts_exactly_what_the_field_accepts(text):
    field = StrictCharField(max_length=3)
    try:
        field.run_validation(text)
        accepted = True
    except ValidationError:
        accepted = False

    assert bool(re.fullmatch(field.schema_pattern, text)) == accepted


def test_the_white_space_class_is_what_str_strip_removes():
    spaces = {chr(code) for code in range(sys.maxunicode + 1) if chr(code).isspace()}

    assert set(WHITE_SPACE_CHARACTERS) == spaces


@pytest.mark.parametrize(
    ("title", "accepted"),
    [
        ("t" * rules.TITLE_MAX_LENGTH, True),
        (f" \n {'t' * rules.TITLE_MAX_LENGTH}\u3000", True),
        ("t" * (rules.TITLE_MAX_LENGTH + 1), False),
        (" \t\u2028 ", False),
    ],
)
def test_the_title_pattern_at_its_limits(title, accepted):
    field = PostInputSerializer().fields["title"]
    assert isinstance(field, StrictCharField)
    pattern = field.schema_pattern

    assert bool(re.fullmatch(pattern, title)) == accepted
    assert PostInputSerializer(data={"title": title}).is_valid() == accepted


@pytest.mark.parametrize(
    "value",
    [0, 5, False, "0" * 32, "{12345678-1234-1234-1234-123456789abc}", "urn:uuid:x", "nope"],
)
def test_a_uuid_must_be_written_as_openapi_says(value):
    with pytest.raises(ValidationError):
        StrictUUIDField().run_validation(value)


def test_a_canonical_uuid_is_taken():
    value = "12345678-1234-1234-1234-123456789ABC"

    assert str(StrictUUIDField().run_validation(value)) == value.lower()
