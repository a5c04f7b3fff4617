"""The posts service's API: create, list and get posts (never with comments)."""

from __future__ import annotations

import datetime as dt

import pytest

from micro.posts.models import Post
from shared import rules

pytestmark = pytest.mark.django_db

POSTS_URL = "/api/posts/"
POST_KEYS = {"id", "title", "created_at"}


def _parse_time(value: str) -> dt.datetime:
    return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))


def test_create_post_answers_201_with_the_new_post(api_client, unique_title):
    title = unique_title()

    response = api_client.post(POSTS_URL, {"title": f"  {title}  "}, format="json")

    assert response.status_code == 201
    body = response.json()
    assert set(body) == {*POST_KEYS, "comments"}
    assert (body["title"], body["comments"]) == (title, [])
    post = Post.objects.get(pk=body["id"])
    assert (post.title, post.revision) == (title, 1)
    assert _parse_time(body["created_at"]) == post.created_at


def test_list_posts_newest_first_without_comments(api_client, make_post):
    older = make_post()
    newer = make_post()

    response = api_client.get(POSTS_URL)

    assert response.status_code == 200
    posts = response.json()
    assert [post["id"] for post in posts] == [newer.id, older.id]
    assert all(set(post) == POST_KEYS for post in posts)
    assert posts[1]["title"] == older.title


def test_list_posts_respects_the_limit(api_client, make_post):
    posts = [make_post() for _ in range(3)]

    response = api_client.get(POSTS_URL, {"limit": "2"})

    assert [post["id"] for post in response.json()] == [posts[2].id, posts[1].id]


def test_list_posts_in_one_query(api_client, make_post, django_assert_num_queries):
    for _ in range(5):
        make_post()

    with django_assert_num_queries(1):
        response = api_client.get(POSTS_URL)

    assert len(response.json()) == 5


def test_get_one_post(api_client, make_post):
    post = make_post()

    response = api_client.get(f"{POSTS_URL}{post.id}/")

    assert response.status_code == 200
    assert response.json()["id"] == post.id
    assert response.json()["title"] == post.title
    assert set(response.json()) == POST_KEYS


def test_get_unknown_post_is_404_naming_post_id(api_client, make_post):
    response = api_client.get(f"{POSTS_URL}{make_post().id + 1000}/")

    assert response.status_code == 404
    assert response.json() == {
        "code": "not_found",
        "message": rules.MSG_POST_NOT_FOUND,
        "fields": {"post_id": [rules.MSG_POST_NOT_FOUND]},
    }


def test_comments_are_not_served_here(api_client, make_post):
    response = api_client.get(f"{POSTS_URL}{make_post().id}/comments/")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_health_is_200(api_client):
    response = api_client.get("/health/")

    assert response.status_code == 200
    assert response.json() == {"service": "posts", "status": "ok", "database": "ok"}


def test_schema_documents_the_posts_paths(api_client):
    response = api_client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")

    assert response.status_code == 200
    paths = response.json()["paths"]
    assert set(paths["/api/posts/"]) == {"get", "post"}
    assert set(paths["/api/posts/{post_id}/"]) == {"get"}
