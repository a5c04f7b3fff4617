"""Reads of the query service: the post list with comments in two queries, whatever its size."""

from __future__ import annotations

from collections import defaultdict

from micro.query.models import Comment, Post
from shared.api.errors import PostNotFound


def _comment_body(comment: Comment) -> dict:
    return {
        "id": comment.comment_id,
        "post_id": comment.post_id,
        "content": comment.content,
        "status": comment.status,
        "created_at": comment.created_at,
    }


def _with_comments(posts: list[Post]) -> list[dict]:
    """Posts as the public contract shows them, each with its comments (one query for all)."""
    comments_by_post: dict[int, list[dict]] = defaultdict(list)
    if posts:
        comments = Comment.objects.filter(
            post_id__in=[post.post_id for post in posts], deleted=False
        ).order_by("created_at", "comment_id")
        for comment in comments:
            comments_by_post[comment.post_id].append(_comment_body(comment))
    return [
        {
            "id": post.post_id,
            "title": post.title,
            "created_at": post.created_at,
            "comments": comments_by_post[post.post_id],
        }
        for post in posts
    ]


def post_list(*, limit: int) -> list[dict]:
    """The newest posts that are not deleted, with their comments that are not deleted."""
    posts = Post.objects.filter(deleted=False).order_by("-created_at", "-post_id")
    return _with_comments(list(posts[:limit]))


def post_get(*, post_id: int) -> dict:
    post = Post.objects.filter(post_id=post_id, deleted=False).first()
    if post is None:
        raise PostNotFound()
    return _with_comments([post])[0]
