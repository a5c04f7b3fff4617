"""The lists' shapes built from plain rows, without a serializer: the lists are the hot path.

DRF's serializers still describe the contract (the OpenAPI schema is made from them); the
keys come from those serializers, and shared/tests/test_contract.py proves that what is
built here renders byte for byte as the serializers would render it: the rows, and the
stored documents the query service assembles its answers from.
"""

from __future__ import annotations

from collections.abc import Iterable

import orjson
from django.db import connection
from django.db.models import CharField, Field, Func, QuerySet
from rest_framework import serializers

from shared.api.json_sql import contract_datetime_sql
from shared.api.renderers import render_json
from shared.api.serializers import CommentOutputSerializer, PostOutputSerializer

POST_KEYS = tuple(PostOutputSerializer().fields)
COMMENT_KEYS = tuple(CommentOutputSerializer().fields)


class ContractDateTime(Func):
    """A datetime column as the contract writes it, computed by the database: ISO 8601 in
    UTC ending in "Z", microseconds only when there are some (DRF's DateTimeField writes
    isoformat()). Saves parsing each date into a Python datetime only to print it again.
    The tests of both stacks' lists (monolith/blog/tests/test_posts_api.py, test_comments_api.py,
    micro/comments/tests/test_comment_list.py) prove the bytes on SQLite and on PostgreSQL.
    Its SQL is shared.api.json_sql.contract_datetime_sql's."""

    output_field = CharField()

    def as_sql(self, compiler, connection, function=None, template=None, arg_joiner=None, **extra):
        if template is None:
            template = contract_datetime_sql(connection.vendor, "%(expressions)s")
        return super().as_sql(compiler, connection, function, template, arg_joiner, **extra)


def comment_columns(*, prefix: str = "") -> tuple:
    """The columns of a comment row, for `values_list()`, in COMMENT_KEYS' order: the
    serializer's own field names (after `prefix`, e.g. "comments__" through a join), its
    dates as the contract's text (ContractDateTime)."""
    fields = CommentOutputSerializer().fields
    return tuple(
        ContractDateTime(prefix + key)
        if isinstance(fields[key], serializers.DateTimeField)
        else prefix + key
        for key in COMMENT_KEYS
    )


def comment_rows(rows: Iterable[tuple]) -> list[dict]:
    """Comment rows (columns as comment_columns() gives them) as the contract's dicts."""
    return [dict(zip(COMMENT_KEYS, row, strict=True)) for row in rows]


# The id a query is compiled with once (one_id_sql), to be run again with any other id.
PLACEHOLDER_ID = 0


def one_id_sql(queryset: QuerySet) -> str:
    """The SQL of a queryset whose one parameter is PLACEHOLDER_ID: compiling a query with
    the ORM costs more than running it (docs/speed.md), so a hot read compiles it once."""
    sql, params = queryset.query.sql_with_params()
    if tuple(params) != (PLACEHOLDER_ID,):
        raise ValueError(f"expected the one parameter {PLACEHOLDER_ID}, got {params!r}")
    return sql


def id_in_range(value: int, *, field: Field) -> bool:
    """Whether the database can hold `value` in `field`: the ORM finds no row for an id
    beyond its column's range (django.db.models.lookups.IntegerFieldOverflow), and so does
    a query compiled once, when it is not run."""
    low, high = connection.ops.integer_field_range(field.get_internal_type())
    return (low is None or value >= low) and (high is None or value <= high)


def posts_with_comments(*, posts: Iterable[dict], comments: Iterable[dict]) -> list[dict]:
    """Posts (in the order given), each with the given comments that belong to it, in order.

    Rows may carry more keys than the contract has; only the contract's keys are kept.
    """
    by_id = {
        post["id"]: {**{key: post[key] for key in POST_KEYS}, "comments": []} for post in posts
    }
    for comment in comments:
        post = by_id.get(comment["post_id"])
        if post is not None:
            post["comments"].append({key: comment[key] for key in COMMENT_KEYS})
    return list(by_id.values())


def post_document(*, post: dict, comments: Iterable[dict]) -> str:
    """One post with its comments (in order) as the contract's JSON text, to be stored."""
    [post_with_comments] = posts_with_comments(posts=[post], comments=comments)
    return render_json(post_with_comments).decode()


def post_list_from_documents(documents: Iterable[str]) -> orjson.Fragment:
    """The post list assembled from stored post documents (in order), ready to render."""
    return orjson.Fragment("[" + ",".join(documents) + "]")
