"""Reads of the query service: stored post documents, assembled in one SQL query.

No row objects, no serializer, no datetime parsing: each post's document is the contract's
JSON already (written by micro.query.services with every event), and the list is those
texts joined, newest first as the contract orders it (ties by id).
"""

from __future__ import annotations

import orjson
from django.db import connection

from micro.query.models import Post
from shared import rules
from shared.api.contract import post_list_from_documents
from shared.api.errors import PostNotFound

# Raw SQL: the ORM's query compilation would cost more than the rest of the read.
_TABLE = Post._meta.db_table
_LIST_SQL = (
    f'SELECT "document" FROM "{_TABLE}" WHERE "document" IS NOT NULL '
    'ORDER BY "created_at" DESC, "post_id" DESC LIMIT %s'
)
_GET_SQL = f'SELECT "document" FROM "{_TABLE}" WHERE "post_id" = %s AND "document" IS NOT NULL'


def post_list(*, limit: int) -> orjson.Fragment:
    """The newest posts that are not deleted, with their comments that are not deleted."""
    with connection.cursor() as cursor:
        cursor.execute(_LIST_SQL, [limit])
        return post_list_from_documents(document for (document,) in cursor.fetchall())


def post_get(*, post_id: int) -> orjson.Fragment:
    # No post has an id outside the database's integer range, and raw SQL would overflow on
    # one (the ORM's lookups answer nothing for such values by themselves).
    if not rules.ID_MIN <= post_id <= rules.ID_MAX:
        raise PostNotFound()
    with connection.cursor() as cursor:
        cursor.execute(_GET_SQL, [post_id])
        row = cursor.fetchone()
    if row is None:
        raise PostNotFound()
    return orjson.Fragment(row[0])
