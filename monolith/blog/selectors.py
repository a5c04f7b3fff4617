"""Reads of the monolith's blog: the post list with comments in one query (a join), whatever
its size: `values_list()` rows, the dates already as the contract's text from the database."""

from __future__ import annotations

import functools
from collections.abc import Iterable

from django.db import connection

from monolith.blog.models import Post
from shared import rules
from shared.api.contract import (
    COMMENT_KEYS,
    PLACEHOLDER_ID,
    POST_KEYS,
    ContractDateTime,
    comment_columns,
    comment_rows,
    id_in_range,
    one_id_sql,
)
from shared.api.errors import PostNotFound

# One row per comment (or one per post without comments): the post's fields, then the
# comment's, each in the contract's key order.
_ROW = (
    "id",
    "title",
    ContractDateTime("created_at"),
    *comment_columns(prefix="comments__"),
)
_POST_WIDTH = len(POST_KEYS)
# Newest posts first, each post's comments oldest first (ties by id), as the contract orders.
_POST_ORDER = ("-created_at", "-id")
_CONTRACT_ORDER = (*_POST_ORDER, "comments__created_at", "comments__id")


def _posts_with_comments(posts) -> list[dict]:
    """The posts (a queryset) as the public contract shows them, with their comments: one
    query, a left join ordered as the contract orders posts and comments."""
    return _grouped(posts.order_by(*_CONTRACT_ORDER).values_list(*_ROW))


def _grouped(rows: Iterable[tuple]) -> list[dict]:
    found: list[dict] = []
    post: dict = {"id": None}
    for row in rows:
        if row[0] != post["id"]:
            post = dict(zip(POST_KEYS, row[:_POST_WIDTH], strict=True), comments=[])
            found.append(post)
        if row[_POST_WIDTH] is not None:
            post["comments"].append(dict(zip(COMMENT_KEYS, row[_POST_WIDTH:], strict=True)))
    return found


def post_list(*, limit: int) -> list[dict]:
    """The newest posts with their comments: one query, whatever the size."""
    sql, params = _post_list_sql(connection.vendor, limit)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return _grouped(cursor.fetchall())


@functools.lru_cache(maxsize=rules.LIST_LIMIT_MAX)  # one per limit (and database vendor)
def _post_list_sql(vendor: str, limit: int) -> tuple[str, tuple]:
    """The list's SQL, compiled by the ORM once per limit, not once per request: compiling
    this join cost about 1.1 ms of the list's 3.7 ms in-process here (docs/speed.md). The
    rows are the queryset's own: no column of _ROW has a converter (ids, texts, and the
    dates as text from the database), which monolith/blog/tests/test_posts_api.py proves
    by comparing the bytes with the serializers' on SQLite and on PostgreSQL."""
    newest = Post.objects.order_by(*_POST_ORDER).values("pk")[:limit]
    rows = Post.objects.filter(pk__in=newest).order_by(*_CONTRACT_ORDER).values_list(*_ROW)
    return rows.query.sql_with_params()


def post_get(*, post_id: int) -> dict:
    found = _posts_with_comments(Post.objects.filter(pk=post_id))
    if not found:
        raise PostNotFound()
    return found[0]


# A post's comments, through the post (a left join): one query tells an unknown post (no row)
# from a post without comments (one row of nulls).
def comment_list(*, post_id: int) -> list[dict]:
    """The post's comments, oldest first (ties by id), as the contract's dicts: one query.
    PostNotFound for an unknown post."""
    rows = []
    if id_in_range(post_id, field=Post._meta.pk):
        with connection.cursor() as cursor:
            cursor.execute(_comment_list_sql(connection.vendor), (post_id,))
            rows = cursor.fetchall()
    if not rows:
        raise PostNotFound()
    return comment_rows(row for row in rows if row[0] is not None)


@functools.lru_cache(maxsize=4)  # one per database vendor
def _comment_list_sql(vendor: str) -> str:
    """The comment list's SQL, compiled by the ORM once (one_id_sql), as the post list's is;
    no column has a converter (monolith/blog/tests/test_comments_api.py proves the bytes)."""
    post = Post.objects.filter(pk=PLACEHOLDER_ID)
    rows = post.order_by("comments__created_at", "comments__id")
    return one_id_sql(rows.values_list(*comment_columns(prefix="comments__")))
