"""The query service's public API: the post list with comments in one SQL query; one post."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.renderers import JSONRenderer

from micro.query import services
from micro.query.models import Comment, Post
from shared import events, rules
from shared.api.serializers import PostWithCommentsOutputSerializer

pytestmark = pytest.mark.django_db


@pytest.fixture
def a_post(deliver, post_event, comment_event, new_id):
    """A post with an approved comment, a pending one, and a deleted one."""

    def make(*, created_at: str, comments: int = 2, title: str = "A post") -> int:
        post_id = new_id()
        deliver(
            post_event(
                events.POST_CREATED,
                post_id=post_id,
                revision=1,
                title=title,
                created_at=created_at,
            )
        )
        for number in range(comments):
            deliver(
                comment_event(
                    events.COMMENT_CREATED,
                    comment_id=new_id(),
                    post_id=post_id,
                    revision=1,
                    content=f"Comment {number}",
                    status=rules.APPROVED if number % 2 == 0 else rules.PENDING,
                )
            )
        return post_id

    return make


def test_the_list_has_the_monoliths_shape(client, deliver, comment_event, a_post, new_id):
    post_id = a_post(created_at="2026-04-01T10:00:00+00:00", title="Shape")
    gone = {"comment_id": new_id(), "post_id": post_id}
    deliver(comment_event(events.COMMENT_CREATED, revision=1, **gone))
    deliver(comment_event(events.COMMENT_DELETED, revision=2, **gone))

    response = client.get("/api/posts/")

    assert response.status_code == 200
    (post,) = response.json()
    assert set(post) == {"id", "title", "created_at", "comments"}
    assert (post["id"], post["title"]) == (post_id, "Shape")
    assert post["created_at"] == "2026-04-01T10:00:00Z"
    assert [comment["content"] for comment in post["comments"]] == ["Comment 0", "Comment 1"]
    assert [comment["status"] for comment in post["comments"]] == ["approved", "pending"]
    for comment in post["comments"]:
        assert set(comment) == {"id", "post_id", "content", "status", "created_at"}
        assert comment["post_id"] == post_id


def test_the_list_is_newest_first_and_comments_oldest_first(
    client, deliver, post_event, comment_event, a_post, new_id
):
    older = a_post(created_at="2026-04-01T10:00:00+00:00")
    newer = a_post(created_at="2026-04-02T10:00:00+00:00")
    same_time = "2026-04-03T10:00:00+00:00"
    tied_low, tied_high = a_post(created_at=same_time), a_post(created_at=same_time)
    same_moment = {"post_id": older, "created_at": "2026-05-01T00:00:00+00:00", "revision": 1}
    first_id, second_id = new_id(), new_id()
    deliver(comment_event(events.COMMENT_CREATED, comment_id=second_id, **same_moment))
    deliver(comment_event(events.COMMENT_CREATED, comment_id=first_id, **same_moment))

    body = client.get("/api/posts/").json()

    assert [post["id"] for post in body] == [tied_high, tied_low, newer, older]
    assert [comment["id"] for comment in body[-1]["comments"]][-2:] == [first_id, second_id]


def test_deleted_posts_are_not_listed(client, deliver, post_event, a_post):
    kept = a_post(created_at="2026-04-01T10:00:00+00:00")
    deleted = a_post(created_at="2026-04-02T10:00:00+00:00")
    deliver(post_event(events.POST_DELETED, post_id=deleted, revision=2))

    assert [post["id"] for post in client.get("/api/posts/").json()] == [kept]


def test_limit_caps_the_list(client, a_post):
    for day in range(1, 4):
        a_post(created_at=f"2026-04-0{day}T10:00:00+00:00", comments=0)

    assert len(client.get("/api/posts/", {"limit": 2}).json()) == 2


@pytest.mark.parametrize("limit", ["0", "abc", str(rules.LIST_LIMIT_MAX + 1), "-1"])
def test_a_bad_limit_is_a_400_naming_it(client, limit):
    response = client.get("/api/posts/", {"limit": limit})

    assert response.status_code == 400
    assert response.json()["fields"] == {"limit": [rules.MSG_LIMIT_INVALID]}


def _list_queries(client) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/api/posts/", {"limit": rules.LIST_LIMIT_MAX})
    assert response.status_code == 200
    return len(queries), len(response.json())


def test_the_list_takes_the_same_queries_for_one_post_as_for_fifty(client, a_post):
    a_post(created_at="2026-04-01T10:00:00+00:00", comments=1)
    one_post = _list_queries(client)

    for number in range(49):
        a_post(created_at=f"2026-04-02T10:{number:02}:00+00:00", comments=10)
    fifty_posts = _list_queries(client)

    assert one_post == (1, 1)
    assert fifty_posts == (1, 50)


def test_the_list_and_one_post_each_run_exactly_one_sql_query(
    client, a_post, django_assert_num_queries
):
    post_id = a_post(created_at="2026-04-01T10:00:00+00:00", comments=3)
    with django_assert_num_queries(1):
        assert client.get("/api/posts/").status_code == 200
    with django_assert_num_queries(1):
        assert client.get(f"/api/posts/{post_id}/").status_code == 200
    with django_assert_num_queries(1):
        assert client.get("/api/posts/999999999/").status_code == 404


def test_one_post_with_its_comments(client, a_post):
    post_id = a_post(created_at="2026-04-01T10:00:00+00:00", title="One")

    response = client.get(f"/api/posts/{post_id}/")

    assert response.status_code == 200
    assert (response.json()["id"], response.json()["title"]) == (post_id, "One")
    assert len(response.json()["comments"]) == 2


def test_an_unknown_post_is_a_404(client, new_id):
    response = client.get(f"/api/posts/{new_id()}/")

    assert response.status_code == 404
    assert response.json() == {
        "code": "not_found",
        "message": rules.MSG_POST_NOT_FOUND,
        "fields": {"post_id": [rules.MSG_POST_NOT_FOUND]},
    }


def test_a_deleted_post_is_a_404(client, a_post):
    post_id = a_post(created_at="2026-04-01T10:00:00+00:00")
    services.post_tombstone(post_id=post_id, revision=2)

    assert client.get(f"/api/posts/{post_id}/").status_code == 404


def test_the_api_is_in_the_schema(client):
    paths = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()["paths"]

    assert paths["/api/posts/"]["get"]["operationId"] == "post_list"
    assert paths["/api/posts/{post_id}/"]["get"]["operationId"] == "post_get"


def _serialized(posts) -> bytes:
    """What the contract's serializers render for these read-model rows (live ones only)."""
    expected = [
        {
            "id": post.post_id,
            "title": post.title,
            "created_at": post.created_at,
            "comments": [
                {"id": comment.comment_id, **{k: getattr(comment, k) for k in COMMENT_FIELDS}}
                for comment in Comment.objects.filter(post_id=post.post_id, deleted=False)
            ],
        }
        for post in posts
    ]
    return JSONRenderer().render(PostWithCommentsOutputSerializer(expected, many=True).data)


COMMENT_FIELDS = ("post_id", "content", "status", "created_at")


def test_the_stored_documents_render_byte_for_byte_as_the_serializers_render_the_rows(
    client, deliver, post_event, comment_event, new_id
):
    early, late, gone, orphan = new_id(), new_id(), new_id(), new_id()
    awkward = 'é 日本 😀 </script> \u2028 "quoted" \\ \t\x01'
    # A comment before its post, a revision older than the one applied, a deleted comment,
    # a deleted post, and microseconds (and none) in the dates.
    deliver(
        comment_event(
            events.COMMENT_CREATED,
            comment_id=new_id(),
            post_id=early,
            revision=1,
            content=awkward,
            created_at="2026-05-01T10:00:00.000001+00:00",
        )
    )
    moderated = {"comment_id": new_id(), "post_id": early, "created_at": "2026-05-01T11:00:00Z"}
    deliver(comment_event(events.COMMENT_UPDATED, revision=2, status="approved", **moderated))
    deliver(comment_event(events.COMMENT_CREATED, revision=1, status="pending", **moderated))
    deliver(
        post_event(
            events.POST_CREATED,
            post_id=early,
            revision=1,
            title=awkward,
            created_at="2026-05-01T09:00:00.120000+02:00",
        )
    )
    deliver(
        post_event(
            events.POST_CREATED,
            post_id=late,
            revision=1,
            title="Late",
            created_at="2026-05-02T09:00:00+00:00",
        )
    )
    dropped = {"comment_id": new_id(), "post_id": late}
    deliver(comment_event(events.COMMENT_CREATED, revision=1, **dropped))
    deliver(comment_event(events.COMMENT_DELETED, revision=2, **dropped))
    deliver(post_event(events.POST_CREATED, post_id=gone, revision=1))
    deliver(post_event(events.POST_DELETED, post_id=gone, revision=2))
    deliver(comment_event(events.COMMENT_CREATED, comment_id=new_id(), post_id=orphan, revision=1))

    listed = client.get("/api/posts/")
    one = client.get(f"/api/posts/{early}/")

    live = list(Post.objects.filter(deleted=False, created_at__isnull=False))
    assert [post.post_id for post in live] == [late, early]
    assert listed.content == _serialized(live)
    assert one.content == _serialized([Post.objects.get(pk=early)])[1:-1]
    assert listed["Content-Type"] == one["Content-Type"] == "application/json"
    assert [len(post["comments"]) for post in listed.json()] == [0, 2]
    assert listed.json()[1]["comments"][1]["status"] == "approved"


@pytest.mark.parametrize("post_id", [0, 2**63, 10**30])
def test_a_post_id_outside_the_database_range_is_a_404(client, post_id):
    response = client.get(f"/api/posts/{post_id}/")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
