"""Writes of the query service: apply post and comment events to the read model; rebuild it.

Each event carries the whole entity and its revision: a row is only overwritten by a higher
revision, and a tombstone is final, so the same events in any order give the same read model.
Every change to a post or one of its comments rewrites that post's stored document in the
same transaction (the event handler's), so the documents follow the rows exactly.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging

from django.db import connection, models, transaction
from django.db.models import F
from django.db.models.functions import Greatest

from micro.query.models import Comment, Post
from shared.api.contract import (
    COMMENT_KEYS,
    PLACEHOLDER_ID,
    POST_KEYS,
    ContractDateTime,
    one_id_sql,
    post_document,
)
from shared.messaging.catch_up import reset_cursor
from shared.messaging.inserts import insert_on_conflict
from shared.messaging.models import ProcessedEvent

logger = logging.getLogger(__name__)


def _upsert_newer(model: type[Post | Comment], *, pk: int, revision: int, fields: dict) -> bool:
    """Write `fields` at `revision` unless the row holds this revision or a newer one.

    One statement (INSERT ... ON CONFLICT DO UPDATE ... WHERE, SQLite >= 3.24 and PostgreSQL
    alike): a new row is inserted, an older revision overwritten, a newer one left alone
    (no row changed). It replaces an UPDATE, then a get_or_create (SELECT, and an INSERT in a
    savepoint) and another UPDATE after a lost race: 5 statements for a new row. `deleted`
    is not overwritten, so a tombstone stays one.
    """
    meta = model._meta
    written = {meta.pk.name: pk, "revision": revision, **fields}

    def overwrite_older(table: str, columns: dict[str, str]) -> str:
        overwritten = ", ".join(
            f"{column} = excluded.{column}"
            for name, column in columns.items()
            if name in written and name != meta.pk.name
        )
        revision_column = columns["revision"]
        return (
            f"DO UPDATE SET {overwritten} "
            f"WHERE {table}.{revision_column} < excluded.{revision_column}"
        )

    return insert_on_conflict(
        model, values={**written, "deleted": False}, conflict=meta.pk.name, then=overwrite_older
    )


def _tombstone(model: type[Post | Comment], *, pk: int, revision: int, fields: dict) -> None:
    """Mark a row deleted for good, creating it if its create has not arrived yet."""
    rows = model.objects.filter(pk=pk)
    newest = Greatest(F("revision"), revision, output_field=models.PositiveIntegerField())
    if rows.update(deleted=True, revision=newest):
        return
    _, created = model.objects.get_or_create(
        pk=pk, defaults={"revision": revision, "deleted": True, **fields}
    )
    if not created:  # Lost a race with a concurrent first write: mark that row.
        rows.update(deleted=True, revision=newest)


def _lock_post(post_id: int) -> None:
    """Serialise the writers of one post's document until the transaction ends.

    Two workers applying two comments of one post would otherwise each rebuild the document
    without the other's comment. PostgreSQL: a transaction-level advisory lock on the post
    id (taken before the post row may exist). SQLite: writers are serialised already
    (transaction_mode IMMEDIATE).
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [post_id])


def post_document_build(*, post_id: int, posts=None, comments=None) -> str | None:
    """The post's public JSON with its live comments as the rows hold them; None when the
    post is unknown or deleted. (`posts` / `comments`: other managers, for a migration.)

    Two queries compiled by the ORM once per database vendor (one_id_sql), the dates read
    as the contract's text (ContractDateTime): compiling them on every event cost the
    query worker about a third of its CPU per event (docs/speed.md, seventh pass). The rows'
    `deleted` flags are looked at here, so that the post's id is the queries' one parameter."""
    if posts is None and comments is None:
        post_sql, comments_sql = _document_sql(connection.vendor)
    else:
        post_sql, comments_sql = _document_queries(
            Post.objects if posts is None else posts,
            Comment.objects if comments is None else comments,
        )
    with connection.cursor() as cursor:
        cursor.execute(post_sql, (post_id,))
        post = cursor.fetchone()
        if post is None or post[-1] or post[-2] is None:  # unknown, or not created yet
            return None
        cursor.execute(comments_sql, (post_id,))
        rows = [row[:-1] for row in cursor.fetchall() if not row[-1]]
    return post_document(
        post=dict(zip(POST_KEYS, post[:-1], strict=True)),
        comments=(dict(zip(COMMENT_KEYS, row, strict=True)) for row in rows),
    )


@functools.lru_cache(maxsize=4)  # one per database vendor
def _document_sql(vendor: str) -> tuple[str, str]:
    return _document_queries(Post.objects, Comment.objects)


def _document_queries(posts, comments) -> tuple[str, str]:
    """The post's row (POST_KEYS' columns, then `deleted`) and its comments' rows oldest
    first, ties by id (COMMENT_KEYS' columns, then `deleted`)."""
    date = ContractDateTime("created_at")
    post = posts.filter(pk=PLACEHOLDER_ID).values_list("post_id", "title", date, "deleted")
    rows = (
        comments.filter(post_id=PLACEHOLDER_ID)
        .order_by("created_at", "comment_id")
        .values_list("comment_id", "post_id", "content", "status", date, "deleted")
    )
    return one_id_sql(post), one_id_sql(rows)


def _document_refresh(post_id: int) -> None:
    Post.objects.filter(pk=post_id).update(document=post_document_build(post_id=post_id))


# No savepoint of their own: they run inside the handler's transaction (apply_event), and a
# failure rolls all of it back anyway (2 statements fewer per event).
@transaction.atomic(savepoint=False)
def post_apply(*, post_id: int, title: str, created_at: dt.datetime, revision: int) -> bool:
    """PostCreated / PostUpdated: upsert the post if this revision is newer (never undeletes)."""
    _lock_post(post_id)
    fields = {"title": title, "created_at": created_at}
    applied = _upsert_newer(Post, pk=post_id, revision=revision, fields=fields)
    if applied:
        _document_refresh(post_id)
    return applied


@transaction.atomic(savepoint=False)
def post_tombstone(*, post_id: int, revision: int) -> None:
    """PostDeleted: the post disappears from the read model, and a late create cannot revive it."""
    _lock_post(post_id)
    _tombstone(Post, pk=post_id, revision=revision, fields={})
    _document_refresh(post_id)


@transaction.atomic(savepoint=False)
def comment_apply(
    *,
    comment_id: int,
    post_id: int,
    content: str,
    status: str,
    created_at: dt.datetime,
    revision: int,
) -> bool:
    """CommentCreated / CommentUpdated: upsert the comment if this revision is newer."""
    _lock_post(post_id)
    fields = {"post_id": post_id, "content": content, "status": status, "created_at": created_at}
    applied = _upsert_newer(Comment, pk=comment_id, revision=revision, fields=fields)
    if applied:
        _document_refresh(post_id)
    return applied


@transaction.atomic(savepoint=False)
def comment_tombstone(*, comment_id: int, post_id: int, revision: int) -> None:
    """CommentDeleted: the comment disappears, and a late create or update cannot revive it."""
    _lock_post(post_id)
    _tombstone(Comment, pk=comment_id, revision=revision, fields={"post_id": post_id})
    _document_refresh(post_id)


def read_model_reset(*, wipe: bool) -> None:
    """Before a rebuild: the event store's cursor back to the start and, with `wipe`, the read
    model and this service's inbox emptied (one transaction), so that every stored event is
    applied again (micro.query.handlers.read_model_rebuild)."""
    with transaction.atomic():
        if wipe:
            Comment.objects.all().delete()
            Post.objects.all().delete()
            ProcessedEvent.objects.all().delete()
        reset_cursor()
