"""Reads of the monolith's blog, each one query whatever its size, whose answer is the
contract's JSON text written by the database (shared/api/json_sql.py): the post list and
one post (the newest posts, each with its comments aggregated in a correlated subquery),
and a post's comments. Python handles no row: the texts are handed to the renderer as an
orjson.Fragment, as the query service hands it its stored documents."""

from __future__ import annotations

import functools

import orjson
from django.db import connection

from monolith.blog.models import Comment, Post
from shared.api import json_sql
from shared.api.contract import id_in_range, post_list_from_documents
from shared.api.errors import PostNotFound
from shared.api.serializers import CommentOutputSerializer, PostOutputSerializer

# Newest posts first, each post's comments oldest first (ties by id), as the contract orders.
_POST_ORDER = "p.{created_at} DESC, p.{id} DESC"
_COMMENT_ORDER = "c.{created_at}, c.{id}"


def post_list(*, limit: int) -> orjson.Fragment:
    """The newest posts with their comments: one query, one row (a post's JSON) per post."""
    with connection.cursor() as cursor:
        cursor.execute(_post_list_sql(connection.vendor), (limit,))
        return post_list_from_documents(document for (document,) in cursor.fetchall())


def post_get(*, post_id: int) -> orjson.Fragment:
    """One post with its comments: one query. PostNotFound for an unknown post."""
    return orjson.Fragment(_one_document(_post_get_sql(connection.vendor), post_id))


def comment_list(*, post_id: int) -> orjson.Fragment:
    """The post's comments, oldest first (ties by id): one query, the post's row with its
    comments aggregated (no row: no such post). PostNotFound for an unknown post."""
    return orjson.Fragment(_one_document(_comment_list_sql(connection.vendor), post_id))


def _one_document(sql: str, post_id: int) -> str:
    row = None
    # Raw SQL would overflow on an id beyond the column's range; the ORM finds no row.
    if id_in_range(post_id, field=Post._meta.pk):
        with connection.cursor() as cursor:
            cursor.execute(sql, (post_id,))
            row = cursor.fetchone()
    if row is None:
        raise PostNotFound()
    return row[0]


def _names() -> dict[str, str]:
    """The quoted names of the tables and of the columns the SQL below reads (by attname:
    posts and comments name their `id` and `created_at` columns alike), for str.format."""
    quote = connection.ops.quote_name
    names = {"posts": quote(Post._meta.db_table), "comments": quote(Comment._meta.db_table)}
    for model in (Post, Comment):
        names.update(
            {field.attname: json_sql.column_name(field) for field in model._meta.concrete_fields}
        )
    return names


def _comments_sql(vendor: str) -> str:
    """The JSON array of post `p`'s comments (a correlated subquery)."""
    names = _names()
    members = json_sql.serializer_members(CommentOutputSerializer(), model=Comment, alias="c")
    return json_sql.array_sql(
        vendor,
        json_sql.object_sql(vendor, members),
        source="FROM {comments} c WHERE c.{post_id} = p.{id}".format(**names),
        order_by=_COMMENT_ORDER.format(**names),
    )


def _post_sql(vendor: str) -> str:
    """The JSON object of post `p` with its comments, keys in the contract's order."""
    members = json_sql.serializer_members(PostOutputSerializer(), model=Post, alias="p")
    comments = ("comments", json_sql.JSON, _comments_sql(vendor))
    return json_sql.object_sql(vendor, [*members, comments])


@functools.lru_cache(maxsize=4)  # one per database vendor
def _post_list_sql(vendor: str) -> str:
    names = _names()
    order = _POST_ORDER.format(**names)
    return f"SELECT {_post_sql(vendor)} FROM {names['posts']} p ORDER BY {order} LIMIT %s"


@functools.lru_cache(maxsize=4)
def _post_get_sql(vendor: str) -> str:
    names = _names()
    return f"SELECT {_post_sql(vendor)} FROM {names['posts']} p WHERE p.{names['id']} = %s"


@functools.lru_cache(maxsize=4)
def _comment_list_sql(vendor: str) -> str:
    names = _names()
    return f"SELECT {_comments_sql(vendor)} FROM {names['posts']} p WHERE p.{names['id']} = %s"
