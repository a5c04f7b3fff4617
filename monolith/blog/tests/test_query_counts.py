"""The monolith renders the post list with comments in a fixed number of queries (no N+1)."""

from __future__ import annotations

import uuid

import pytest

from monolith.blog.models import Comment, Post
from shared import rules

pytestmark = pytest.mark.django_db

# One query: the posts joined with their comments.
LIST_QUERIES = 1
# One query: the post joined with its comments (no row: no such post).
COMMENT_LIST_QUERIES = 1


def _many_posts_with_comments(*, posts: int, comments_each: int) -> list[Post]:
    tag = uuid.uuid4().hex[:8]
    created = [Post.objects.create(title=f"Busy {tag} {number}") for number in range(posts)]
    Comment.objects.bulk_create(
        Comment(post=post, content=f"Comment {tag} {number}", status=rules.APPROVED)
        for post in created
        for number in range(comments_each)
    )
    return created


def test_post_list_query_count_does_not_grow_with_posts_and_comments(
    api_client, make_post, make_comment, django_assert_num_queries
):
    make_comment(post=make_post())
    with django_assert_num_queries(LIST_QUERIES):
        small = api_client.get("/api/posts/", {"limit": 50})
    assert len(small.json()) == 1

    Post.objects.all().delete()
    _many_posts_with_comments(posts=50, comments_each=10)
    with django_assert_num_queries(LIST_QUERIES):
        large = api_client.get("/api/posts/", {"limit": 50})

    posts = large.json()
    assert len(posts) == 50
    assert all(len(post["comments"]) == 10 for post in posts)


def test_post_detail_query_count_does_not_grow_with_comments(
    api_client, make_post, make_comment, django_assert_num_queries
):
    quiet = make_post()
    with django_assert_num_queries(LIST_QUERIES):
        api_client.get(f"/api/posts/{quiet.id}/")

    [busy] = _many_posts_with_comments(posts=1, comments_each=30)
    with django_assert_num_queries(LIST_QUERIES):
        response = api_client.get(f"/api/posts/{busy.id}/")

    assert len(response.json()["comments"]) == 30


def test_comment_list_query_count_does_not_grow_with_comments(
    api_client, make_post, django_assert_num_queries
):
    quiet = make_post()
    with django_assert_num_queries(COMMENT_LIST_QUERIES):
        empty = api_client.get(f"/api/posts/{quiet.id}/comments/")
    assert empty.json() == []

    [busy] = _many_posts_with_comments(posts=1, comments_each=30)
    with django_assert_num_queries(COMMENT_LIST_QUERIES):
        response = api_client.get(f"/api/posts/{busy.id}/comments/")
    assert len(response.json()) == 30

    with django_assert_num_queries(COMMENT_LIST_QUERIES):
        missing = api_client.get(f"/api/posts/{busy.id + 1000}/comments/")
    assert missing.status_code == 404
