"""Comments that make a comment list hard to render, and what the serializers render for a
list: both stacks' tests prove their lean comment list against it, byte for byte."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import TypeVar

from rest_framework.renderers import JSONRenderer

from shared.api.serializers import CommentOutputSerializer

C = TypeVar("C")  # a comment, as the stack's model

# Every kind of character a JSON string treats apart: quotes, backslashes (and a text that
# reads like an escape), each control character that has a short escape and some that have
# none, DEL, the two line separators the renderer escapes, non-ASCII, emoji, a BOM, and
# what a format string or an SQL literal would take for its own (%s, %%, ').
AWKWARD_TEXT = (
    "é 日本 😀 </script> \u2028 \u2029 \"quoted\" \\ \\u0041 'single' \t\n\r\b\f\x01\x1f\x7f"
    " \x85 \ufeff %s %d %% {}[],:"
)
MOMENT = dt.datetime(2026, 11, 29, 12, 0, 0, tzinfo=dt.UTC)
# Each comment's created_at, in the order the comments are written (so ids ascend): no
# microseconds, some, the most, one; and three ties broken by id only (the tied comments
# are moved in descending id order, so a database's physical order is not the answer).
CREATED_AT = [
    MOMENT + dt.timedelta(seconds=3),
    MOMENT + dt.timedelta(microseconds=120000),
    MOMENT + dt.timedelta(seconds=3),
    MOMENT + dt.timedelta(microseconds=999999),
    MOMENT + dt.timedelta(microseconds=1),
    MOMENT + dt.timedelta(seconds=3),
    MOMENT,
]


def awkward_comments(
    *, create: Callable[[str], C], move: Callable[[C, dt.datetime], object]
) -> list[C]:
    """Write len(CREATED_AT) comments with `create(content)`, then give each its created_at
    with `move(comment, created_at)`, the last written first."""
    comments = [create(f"{AWKWARD_TEXT} {number}") for number in range(len(CREATED_AT))]
    for comment, created_at in reversed(list(zip(comments, CREATED_AT, strict=True))):
        move(comment, created_at)
    return comments


def serialized_comments(comments: Iterable) -> bytes:
    """What the contract's serializer, rendered by DRF's JSONRenderer, makes of the comments
    (model instances, in the order given)."""
    return JSONRenderer().render(CommentOutputSerializer(comments, many=True).data)


# The ids' order the contract gives the comments awkward_comments wrote (by created_at, ties
# by id), and the first three dates as the contract writes them.
LISTED_ORDER = (6, 4, 1, 3, 0, 2, 5)
FIRST_DATES = ["2026-11-29T12:00:00Z", "2026-11-29T12:00:00.000001Z", "2026-11-29T12:00:00.120000Z"]


def assert_listed_as_serialized(response, *, written: list, expected: Iterable) -> None:
    """A comment list's answer: 200, the serializer's very bytes for `expected`, the
    comments `written` by awkward_comments in the contract's order, dates as it writes them."""
    assert response.status_code == 200
    assert response.content == serialized_comments(expected)
    assert [comment["id"] for comment in response.json()] == [
        written[number].id for number in LISTED_ORDER
    ]
    assert [comment["created_at"] for comment in response.json()[:3]] == FIRST_DATES
