"""Reads of the comments service: a post's comments, oldest first, as the contract's rows."""

from __future__ import annotations

import functools

from django.db import connection

from micro.comments.models import Comment, KnownPost
from micro.comments.services import known_post_ensure
from shared.api.contract import (
    PLACEHOLDER_ID,
    comment_columns,
    comment_rows,
    id_in_range,
    one_id_sql,
)
from shared.api.errors import PostNotFound


def comment_list(*, post_id: int) -> list[dict]:
    """The post's comments as the contract's dicts: two queries for a post this service knows
    (is it deleted? its comments). PostNotFound for a post that does not exist; a post it has
    never heard of is asked of posts, as a comment on it would be (see known_post_ensure)."""
    known_sql, comments_sql = _comment_list_sql(connection.vendor)
    in_range = id_in_range(post_id, field=KnownPost._meta.pk)  # else, as the ORM: no row
    with connection.cursor() as cursor:
        deleted = []
        if in_range:
            cursor.execute(known_sql, (post_id,))
            deleted = cursor.fetchall()
        if not deleted:
            known_post_ensure(post_id=post_id)  # unknown here: asks posts (404, 503, or now known)
        elif deleted[0][0]:
            raise PostNotFound()
        if not in_range:
            return []
        cursor.execute(comments_sql, (post_id,))
        return comment_rows(cursor.fetchall())


@functools.lru_cache(maxsize=4)  # one per database vendor
def _comment_list_sql(vendor: str) -> tuple[str, str]:
    """The two queries, compiled by the ORM once (one_id_sql): the known post's `deleted`
    flag, and its comments oldest first, ties by id. No column has a converter (ids, texts,
    the dates as text; `deleted` is read for its truth only), which
    micro/comments/tests/test_comment_list.py proves on SQLite and PostgreSQL."""
    known = KnownPost.objects.filter(pk=PLACEHOLDER_ID).values_list("deleted")[:1]
    comments = Comment.objects.filter(post_id=PLACEHOLDER_ID).order_by("created_at", "id")
    return one_id_sql(known), one_id_sql(comments.values_list(*comment_columns()))
