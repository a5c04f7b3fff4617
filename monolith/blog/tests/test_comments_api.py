"""The monolith's comment endpoints: moderated in the request, 404 for an unknown post."""

from __future__ import annotations

import pytest

from monolith.blog.models import Comment
from shared import rules
from shared.testing.comment_list import assert_listed_as_serialized, awkward_comments

pytestmark = pytest.mark.django_db


def _comments_url(post_id: int) -> str:
    return f"/api/posts/{post_id}/comments/"


@pytest.mark.parametrize(
    "content",
    ["Orange", "ORANGE", "oRaNgE", "I like oranges", "blood-orange juice"],
)
def test_comment_mentioning_orange_is_rejected_at_once(api_client, make_post, content):
    post = make_post()

    response = api_client.post(_comments_url(post.id), {"content": content}, format="json")

    assert response.status_code == 201
    assert response.json()["status"] == rules.REJECTED
    assert Comment.objects.get(pk=response.json()["id"]).status == rules.REJECTED


@pytest.mark.parametrize("content", ["apple", "An apple a day", "or ange"])
def test_comment_without_orange_is_approved_at_once(api_client, make_post, content):
    post = make_post()

    response = api_client.post(_comments_url(post.id), {"content": content}, format="json")

    assert response.status_code == 201
    assert response.json()["status"] == rules.APPROVED
    assert Comment.objects.get(pk=response.json()["id"]).status == rules.APPROVED


def test_create_comment_answers_201_with_the_comment(api_client, make_post):
    post = make_post()

    response = api_client.post(_comments_url(post.id), {"content": "  apple pie  "}, format="json")

    assert response.status_code == 201
    body = response.json()
    assert set(body) == {"id", "post_id", "content", "status", "created_at"}
    assert body["post_id"] == post.id
    assert body["content"] == "apple pie"
    comment = Comment.objects.get(pk=body["id"])
    assert (comment.post_id, comment.content) == (post.id, "apple pie")


def test_comment_appears_in_the_post_list(api_client, make_post):
    post = make_post()
    created = api_client.post(_comments_url(post.id), {"content": "apple"}, format="json")

    listed = api_client.get("/api/posts/").json()

    [entry] = [item for item in listed if item["id"] == post.id]
    assert entry["comments"] == [created.json()]


def test_comment_on_unknown_post_is_404_and_writes_nothing(api_client, make_post):
    missing_id = make_post().id + 1000

    response = api_client.post(_comments_url(missing_id), {"content": "apple"}, format="json")

    assert response.status_code == 404
    body = response.json()
    assert body["code"] == "not_found"
    assert body["fields"] == {"post_id": [rules.MSG_POST_NOT_FOUND]}
    assert not Comment.objects.exists()


def test_comment_on_unknown_post_does_not_moderate(api_client, make_post, monkeypatch):
    moderated = []
    monkeypatch.setattr(
        rules, "moderate_slowly", lambda content, *, delay_ms: moderated.append(content)
    )
    missing_id = make_post().id + 1000

    response = api_client.post(_comments_url(missing_id), {"content": "apple"}, format="json")

    assert response.status_code == 404
    assert moderated == []


def test_list_comments_of_a_post_oldest_first(api_client, make_post, make_comment):
    post = make_post()
    other = make_post()
    first = make_comment(post=post)
    second = make_comment(post=post)
    make_comment(post=other)

    response = api_client.get(_comments_url(post.id))

    assert response.status_code == 200
    assert [comment["id"] for comment in response.json()] == [first.id, second.id]


@pytest.mark.parametrize("offset", [1000, 10**20])
def test_list_comments_of_unknown_post_is_404(api_client, make_post, offset):
    response = api_client.get(_comments_url(make_post().id + offset))

    assert response.status_code == 404
    assert response.json()["fields"] == {"post_id": [rules.MSG_POST_NOT_FOUND]}


def test_the_comment_list_renders_byte_for_byte_as_the_serializer_renders_the_comments(
    api_client, make_post, make_comment
):
    """The dates come from the database as text (ContractDateTime), with microseconds only
    when there are some, on SQLite and PostgreSQL alike; ties of created_at go by id."""
    post, other = make_post(), make_post()
    make_comment(post=other)
    written = awkward_comments(
        create=lambda content: make_comment(post=post, content=content),
        move=lambda comment, at: Comment.objects.filter(pk=comment.pk).update(created_at=at),
    )

    response = api_client.get(_comments_url(post.id))
    empty = api_client.get(_comments_url(make_post().id))

    expected = Comment.objects.filter(post=post).order_by("created_at", "id")
    assert_listed_as_serialized(response, written=written, expected=expected)
    assert empty.content == b"[]"
