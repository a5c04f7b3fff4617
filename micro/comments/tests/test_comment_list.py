"""The comment list is rendered from rows, byte for byte as the serializer renders the
comments, in a fixed number of queries; an unknown post is still asked of posts."""

from __future__ import annotations

import pytest

from micro.comments.models import Comment, KnownPost
from shared.testing.comment_list import assert_listed_as_serialized, awkward_comments

pytestmark = pytest.mark.django_db

# Is the post known (and not deleted)? Then its comments.
KNOWN_POST_QUERIES = 2
# Known, and deleted: 404 without reading comments.
DELETED_POST_QUERIES = 1


def comments_url(post_id: int) -> str:
    return f"/api/posts/{post_id}/comments/"


def test_the_comment_list_renders_byte_for_byte_as_the_serializer_renders_the_comments(
    api, known_post, new_post_id
):
    """The dates come from the database as text (ContractDateTime), with microseconds only
    when there are some, on SQLite and PostgreSQL alike; ties of created_at go by id."""
    Comment.objects.create(post_id=new_post_id + 1, content="another post's")
    written = awkward_comments(
        create=lambda content: Comment.objects.create(post_id=known_post.post_id, content=content),
        move=lambda comment, at: Comment.objects.filter(pk=comment.pk).update(created_at=at),
    )

    response = api.get(comments_url(known_post.post_id))

    expected = Comment.objects.filter(post_id=known_post.post_id).order_by("created_at", "id")
    assert_listed_as_serialized(response, written=written, expected=expected)


def test_a_known_post_without_comments_lists_none(api, known_post):
    response = api.get(comments_url(known_post.post_id))

    assert (response.status_code, response.content) == (200, b"[]")


def test_the_comment_list_query_count_does_not_grow_with_comments(
    api, known_post, django_assert_num_queries
):
    with django_assert_num_queries(KNOWN_POST_QUERIES):
        assert api.get(comments_url(known_post.post_id)).json() == []

    Comment.objects.bulk_create(
        Comment(post_id=known_post.post_id, content=f"Comment {number}") for number in range(30)
    )
    with django_assert_num_queries(KNOWN_POST_QUERIES):
        assert len(api.get(comments_url(known_post.post_id)).json()) == 30


def test_a_deleted_post_is_404_in_one_query(api, known_post, django_assert_num_queries):
    Comment.objects.create(post_id=known_post.post_id, content="left behind")
    KnownPost.objects.filter(pk=known_post.pk).update(deleted=True, revision=2)

    with django_assert_num_queries(DELETED_POST_QUERIES):
        response = api.get(comments_url(known_post.post_id))

    assert response.status_code == 404


def test_a_post_posts_knows_is_recorded_then_listed_without_asking_again(
    api, db, posts_service, new_post_id, django_assert_num_queries
):
    posts_service.posts[new_post_id] = {"id": new_post_id, "title": "Fresh", "revision": 1}
    Comment.objects.create(post_id=new_post_id, content="arrived before PostCreated")

    first = api.get(comments_url(new_post_id))
    with django_assert_num_queries(KNOWN_POST_QUERIES):
        second = api.get(comments_url(new_post_id))

    assert first.content == second.content
    assert [comment["content"] for comment in first.json()] == ["arrived before PostCreated"]
    assert posts_service.calls == [f"/api/posts/{new_post_id}/"]
    assert KnownPost.objects.filter(pk=new_post_id, deleted=False).exists()


def test_an_id_beyond_64_bits_is_asked_of_posts_like_any_unknown_post(api, db, posts_service):
    post_id = 10**20
    response = api.get(comments_url(post_id))

    assert response.status_code == 404
    assert posts_service.calls == [f"/api/posts/{post_id}/"]
