"""The shared input serializers and the post list's query string."""

from __future__ import annotations

import pytest
from django.http import QueryDict
from rest_framework.exceptions import ValidationError

from shared import rules
from shared.api.serializers import (
    CommentInputSerializer,
    PostInputSerializer,
    parse_list_params,
)


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
