"""The monolith's post endpoints: create, list newest first with comments, get one."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from rest_framework.renderers import JSONRenderer

from monolith.blog.models import Comment, Post
from shared import rules
from shared.api.serializers import PostWithCommentsOutputSerializer
from shared.testing.comment_list import AWKWARD_TEXT, LISTED_ORDER, MOMENT, awkward_comments

pytestmark = pytest.mark.django_db

POSTS_URL = "/api/posts/"


def _post_url(post_id: int) -> str:
    return f"{POSTS_URL}{post_id}/"


def _parse_time(value: str) -> dt.datetime:
    return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))


def test_create_post_answers_201_with_the_new_post(api_client, unique_title):
    title = unique_title()

    response = api_client.post(POSTS_URL, {"title": title}, format="json")

    assert response.status_code == 201
    body = response.json()
    assert set(body) == {"id", "title", "created_at", "comments"}
    assert body["title"] == title
    assert body["comments"] == []
    post = Post.objects.get(pk=body["id"])
    assert post.title == title
    assert _parse_time(body["created_at"]) == post.created_at


def test_create_post_trims_the_title(api_client, unique_title):
    title = unique_title()

    response = api_client.post(POSTS_URL, {"title": f"  \t{title}\n "}, format="json")

    assert response.status_code == 201
    assert response.json()["title"] == title
    assert Post.objects.get(pk=response.json()["id"]).title == title


def test_create_post_ignores_unknown_fields(api_client, unique_title):
    title = unique_title()

    response = api_client.post(POSTS_URL, {"title": title, "id": 999_999}, format="json")

    assert response.status_code == 201
    assert response.json()["id"] != 999_999


def test_list_posts_newest_first_with_their_comments(api_client, make_post, make_comment):
    older = make_post()
    newer = make_post()
    first = make_comment(post=older, status=rules.APPROVED)
    second = make_comment(post=older, status=rules.REJECTED)

    response = api_client.get(POSTS_URL)

    assert response.status_code == 200
    posts = response.json()
    assert [post["id"] for post in posts[:2]] == [newer.id, older.id]
    assert posts[0]["comments"] == []
    assert set(posts[1]) == {"id", "title", "created_at", "comments"}
    comments = posts[1]["comments"]
    assert [comment["id"] for comment in comments] == [first.id, second.id]
    assert set(comments[0]) == {"id", "post_id", "content", "status", "created_at"}
    assert comments[0]["post_id"] == older.id
    assert comments[0]["content"] == first.content
    assert [comment["status"] for comment in comments] == [rules.APPROVED, rules.REJECTED]
    assert _parse_time(comments[0]["created_at"]) == first.created_at


def test_list_posts_respects_the_limit(api_client, make_post):
    posts = [make_post() for _ in range(3)]

    response = api_client.get(POSTS_URL, {"limit": 2})

    assert response.status_code == 200
    assert [post["id"] for post in response.json()] == [posts[2].id, posts[1].id]


def test_list_posts_defaults_to_the_default_limit(api_client, make_post):
    for _ in range(rules.LIST_LIMIT_DEFAULT + 1):
        make_post()

    response = api_client.get(POSTS_URL)

    assert len(response.json()) == rules.LIST_LIMIT_DEFAULT


@pytest.mark.parametrize("limit", ["1", str(rules.LIST_LIMIT_MAX)])
def test_list_posts_accepts_the_limit_bounds(api_client, make_post, limit):
    make_post()

    response = api_client.get(POSTS_URL, {"limit": limit})

    assert response.status_code == 200
    assert len(response.json()) == 1


def test_get_one_post_with_its_comments(api_client, make_post, make_comment):
    post = make_post()
    comment = make_comment(post=post)

    response = api_client.get(_post_url(post.id))

    assert response.status_code == 200
    body = response.json()
    assert body["id"] == post.id
    assert body["title"] == post.title
    assert [item["id"] for item in body["comments"]] == [comment.id]


def test_get_unknown_post_is_404_naming_post_id(api_client, make_post):
    missing_id = make_post().id + 1000

    response = api_client.get(_post_url(missing_id))

    assert response.status_code == 404
    assert response.json() == {
        "code": "not_found",
        "message": rules.MSG_POST_NOT_FOUND,
        "fields": {"post_id": [rules.MSG_POST_NOT_FOUND]},
    }


def test_get_post_with_an_id_beyond_64_bits_is_404(api_client):
    response = api_client.get(_post_url(10**20))

    assert response.status_code == 404
    assert response.json()["fields"] == {"post_id": [rules.MSG_POST_NOT_FOUND]}


def _serialized(posts) -> bytes:
    """What the contract's serializers render for these posts (model instances)."""
    expected = [
        {
            "id": post.id,
            "title": post.title,
            "created_at": post.created_at,
            "comments": list(post.comments.order_by("created_at", "id")),
        }
        for post in posts
    ]
    return JSONRenderer().render(PostWithCommentsOutputSerializer(expected, many=True).data)


def test_the_list_renders_byte_for_byte_as_the_serializers_render_the_rows(
    api_client, make_post, make_comment
):
    """The database writes the JSON (shared/api/json_sql.py): on SQLite and PostgreSQL alike
    it reads as the serializers and DRF's renderer write it, for hostile text in titles and
    comments, every status, ties of created_at broken by id, dates with and without
    microseconds, and a post without comments."""
    Post.objects.all().delete()
    quiet, busy = make_post(title=AWKWARD_TEXT), make_post(title=f"{AWKWARD_TEXT} busy")
    Post.objects.filter(pk=quiet.pk).update(created_at=MOMENT)
    Post.objects.filter(pk=busy.pk).update(created_at=MOMENT + dt.timedelta(microseconds=1))
    statuses = itertools.cycle(rules.COMMENT_STATUSES)
    written = awkward_comments(
        create=lambda content: make_comment(post=busy, content=content, status=next(statuses)),
        move=lambda comment, at: Comment.objects.filter(pk=comment.pk).update(created_at=at),
    )

    listed = api_client.get("/api/posts/")
    first = api_client.get("/api/posts/", {"limit": 1})
    one = api_client.get(f"/api/posts/{busy.id}/")
    lone = api_client.get(f"/api/posts/{quiet.id}/")

    posts = list(Post.objects.order_by("-created_at", "-id"))
    assert [post.id for post in posts] == [busy.id, quiet.id]
    assert listed.content == _serialized(posts)
    assert first.content == _serialized(posts[:1])
    assert one.content == _serialized(posts[:1])[1:-1]
    assert lone.content == _serialized(posts[1:])[1:-1]
    assert b"\\u2028" in listed.content and "\u2028".encode() not in listed.content
    comments = listed.json()[0]["comments"]
    assert [comment["id"] for comment in comments] == [written[n].id for n in LISTED_ORDER]
    assert {comment["status"] for comment in comments} == set(rules.COMMENT_STATUSES)
    assert listed.json()[1]["comments"] == []
    assert listed.json()[1]["created_at"] == "2026-11-29T12:00:00Z"
    assert listed.json()[0]["created_at"] == "2026-11-29T12:00:00.000001Z"


def test_an_empty_list_is_an_empty_array(api_client):
    Post.objects.all().delete()

    assert api_client.get("/api/posts/").content == b"[]"
