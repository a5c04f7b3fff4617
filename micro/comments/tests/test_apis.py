"""The comments service's public API: create and list a post's comments, and the errors."""

from __future__ import annotations

import json

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from micro.comments import services
from micro.comments.models import Comment, KnownPost
from shared import events, rules
from shared.events import Event
from shared.messaging.models import OutboxEvent


def comments_url(post_id: int) -> str:
    return f"/api/posts/{post_id}/comments/"


def test_comment_create_is_pending_and_records_comment_created(api, known_post):
    response = api.post(comments_url(known_post.post_id), {"content": "First!"}, format="json")

    assert response.status_code == 201
    body = response.json()
    assert body["post_id"] == known_post.post_id
    assert body["content"] == "First!"
    assert body["status"] == rules.PENDING
    assert set(body) == {"id", "post_id", "content", "status", "created_at"}
    comment = Comment.objects.get(pk=body["id"])
    outbox = OutboxEvent.objects.get(event_type=events.COMMENT_CREATED)
    event = Event.from_message(outbox.message)
    assert event.source == "comments"
    assert event.data == {
        "comment_id": comment.id,
        "post_id": known_post.post_id,
        "content": "First!",
        "status": rules.PENDING,
        "created_at": comment.created_at.isoformat(),
        "revision": 1,
    }


def test_comment_list_is_oldest_first(api, comment_factory, known_post):
    first = comment_factory(content="one")
    second = comment_factory(content="two")

    response = api.get(comments_url(known_post.post_id))

    assert response.status_code == 200
    assert [comment["id"] for comment in response.json()] == [first.id, second.id]
    assert response.json()[0]["status"] == rules.PENDING


def test_comment_list_of_a_post_without_comments_is_empty(api, known_post):
    response = api.get(comments_url(known_post.post_id))

    assert response.status_code == 200
    assert response.json() == []


@pytest.mark.parametrize("method", ["get", "post"])
def test_deleted_post_is_404(api, known_post, method):
    KnownPost.objects.filter(pk=known_post.pk).update(deleted=True, revision=2)

    response = getattr(api, method)(
        comments_url(known_post.post_id), {"content": "late"}, format="json"
    )

    assert response.status_code == 404
    assert response.json() == {
        "code": "not_found",
        "message": rules.MSG_POST_NOT_FOUND,
        "fields": {"post_id": [rules.MSG_POST_NOT_FOUND]},
    }
    assert not Comment.objects.exists()
    assert not OutboxEvent.objects.exists()


def test_unknown_post_is_asked_of_posts_once(api, db, posts_service, new_post_id):
    posts_service.posts[new_post_id] = {
        "id": new_post_id,
        "title": "Just created",
        "created_at": "2026-01-01T00:00:00+00:00",
    }

    first = api.post(comments_url(new_post_id), {"content": "quick"}, format="json")
    second = api.post(comments_url(new_post_id), {"content": "quicker"}, format="json")
    listed = api.get(comments_url(new_post_id))

    assert (first.status_code, second.status_code, listed.status_code) == (201, 201, 200)
    assert posts_service.calls == [f"/api/posts/{new_post_id}/"]
    known = KnownPost.objects.get(pk=new_post_id)
    assert (known.title, known.revision, known.deleted) == ("Just created", 1, False)
    assert len(listed.json()) == 2


def test_a_comment_on_a_post_asked_of_posts_is_one_write_transaction(
    api, db, posts_service, new_post_id
):
    """The post posts described is recorded inside the transaction that adds the comment,
    not in one of its own before it: each write transaction waits for SQLite's write lock."""
    posts_service.posts[new_post_id] = {"id": new_post_id, "title": "Just created", "revision": 1}

    with CaptureQueriesContext(connection) as queries:
        response = api.post(comments_url(new_post_id), {"content": "quick"}, format="json")

    assert response.status_code == 201
    statements = [query["sql"] for query in queries.captured_queries]
    # Under the test's own transaction, each atomic block is a savepoint.
    opened = [number for number, sql in enumerate(statements) if sql.startswith("SAVEPOINT")]
    assert len(opened) == 1, statements
    inside = statements[opened[0] :]
    known_table = KnownPost._meta.db_table
    assert [sql for sql in inside if sql.startswith(f'INSERT INTO "{known_table}"')], statements
    assert not [sql for sql in statements[: opened[0]] if sql.startswith("INSERT")], statements


@pytest.fixture
def deleted_while_asked(posts_service, new_post_id, monkeypatch) -> int:
    """A post posts has, and a PostDeleted of it applied here right after posts answered."""
    posts_service.posts[new_post_id] = {"id": new_post_id, "title": "Going", "revision": 1}
    ask = services._unknown_post_described

    def asked_then_deleted(*, post_id):
        described = ask(post_id=post_id)
        services.known_post_apply(post_id=post_id, title="", revision=2, deleted=True)
        return described

    monkeypatch.setattr(services, "_unknown_post_described", asked_then_deleted)
    return new_post_id


def test_a_post_deleted_while_posts_was_asked_gets_no_comment(api, db, deleted_while_asked):
    """PostDeleted applied between posts' answer and the comment's transaction: the
    tombstone wins over what posts said, and the comment is refused."""
    post_id = deleted_while_asked
    response = api.post(comments_url(post_id), {"content": "too late"}, format="json")

    assert response.status_code == 404
    assert KnownPost.objects.get(pk=post_id).deleted
    assert not Comment.objects.filter(post_id=post_id).exists()


def test_a_post_deleted_while_posts_was_asked_is_404_to_a_list_read(api, db, deleted_while_asked):
    """The same race on a read: the tombstone wins, the list is a 404, not an empty list."""
    assert api.get(comments_url(deleted_while_asked)).status_code == 404


@pytest.mark.parametrize("method", ["get", "post"])
def test_post_unknown_to_posts_too_is_404(api, db, posts_service, new_post_id, method):
    response = getattr(api, method)(comments_url(new_post_id), {"content": "hi"}, format="json")

    assert response.status_code == 404
    assert response.json()["fields"] == {"post_id": [rules.MSG_POST_NOT_FOUND]}
    assert posts_service.calls == [f"/api/posts/{new_post_id}/"]
    assert not KnownPost.objects.filter(pk=new_post_id).exists()
    assert not Comment.objects.exists()


@pytest.mark.parametrize("method", ["get", "post"])
def test_posts_down_is_503(api, db, posts_down, new_post_id, method):
    response = getattr(api, method)(comments_url(new_post_id), {"content": "hi"}, format="json")

    assert response.status_code == 503
    body = response.json()
    assert body["code"] == "service_unavailable"
    assert body["service"] == "posts"
    assert body["message"] == rules.MSG_SERVICE_UNAVAILABLE.format(service="posts")
    assert response["Retry-After"] == "1"
    assert not Comment.objects.exists()
    assert not KnownPost.objects.filter(pk=new_post_id).exists()


def test_known_post_needs_no_call_to_posts(api, known_post, posts_down):
    response = api.post(comments_url(known_post.post_id), {"content": "offline"}, format="json")

    assert response.status_code == 201


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({}, rules.MSG_REQUIRED),
        ({"content": ""}, rules.MSG_BLANK),
        ({"content": "  \n\t "}, rules.MSG_BLANK),
        ({"content": 42}, rules.MSG_NOT_A_STRING),
        ({"content": True}, rules.MSG_NOT_A_STRING),
        ({"content": None}, rules.MSG_NOT_A_STRING),
        ({"content": ["a list"]}, rules.MSG_NOT_A_STRING),
        ({"content": {"an": "object"}}, rules.MSG_NOT_A_STRING),
        ({"content": "x" * (rules.CONTENT_MAX_LENGTH + 1)}, rules.MSG_CONTENT_TOO_LONG),
    ],
)
def test_bad_comment_is_400_naming_content(api, known_post, body, message):
    response = api.post(comments_url(known_post.post_id), body, format="json")

    assert response.status_code == 400
    assert response.json() == {
        "code": "invalid",
        "message": message,
        "fields": {"content": [message]},
    }
    assert not Comment.objects.exists()


def test_longest_comment_is_accepted(api, known_post):
    content = "x" * rules.CONTENT_MAX_LENGTH

    response = api.post(comments_url(known_post.post_id), {"content": content}, format="json")

    assert response.status_code == 201
    assert response.json()["content"] == content


def test_content_is_trimmed(api, known_post):
    response = api.post(comments_url(known_post.post_id), {"content": "  hi  "}, format="json")

    assert response.status_code == 201
    assert response.json()["content"] == "hi"


def test_malformed_json_is_400(api, known_post):
    response = api.post(
        comments_url(known_post.post_id), data='{"content": ', content_type="application/json"
    )

    assert response.status_code == 400
    assert response.json() == {
        "code": "malformed_json",
        "message": rules.MSG_MALFORMED_JSON,
        "fields": {"body": [rules.MSG_MALFORMED_JSON]},
    }


def test_body_not_an_object_is_400(api, known_post):
    response = api.post(comments_url(known_post.post_id), ["content"], format="json")

    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["body"]


def test_body_over_the_limit_is_413(api, known_post):
    content = "x" * (settings.MAX_BODY_BYTES + 1)

    response = api.post(
        comments_url(known_post.post_id),
        data=json.dumps({"content": content}),
        content_type="application/json",
    )

    assert response.status_code == 413
    assert response.json()["code"] == "payload_too_large"
    assert list(response.json()["fields"]) == ["body"]
    assert not Comment.objects.exists()


def test_unknown_path_is_404_in_the_error_shape(api, db):
    response = api.get("/api/nothing-here/")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_health_reports_the_database(api, db):
    response = api.get("/health/")

    assert response.status_code == 200
    assert response.json() == {"service": "comments", "status": "ok", "database": "ok"}


def test_schema_documents_both_operations(api, db):
    response = api.get("/api/schema/", HTTP_ACCEPT="application/json")

    assert response.status_code == 200
    schema = json.loads(response.content)
    operations = schema["paths"]["/api/posts/{post_id}/comments/"]
    assert {operations["get"]["operationId"], operations["post"]["operationId"]} == {
        "comment_list",
        "comment_create",
    }
