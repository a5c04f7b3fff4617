"""Fixtures of the monolith's blog tests: factories with unique data."""

from __future__ import annotations

import uuid

import pytest

from monolith.blog.models import Comment, Post
from shared import rules


@pytest.fixture
def make_post(db, unique_title):
    def make(*, title: str | None = None) -> Post:
        return Post.objects.create(title=title or unique_title())

    return make


@pytest.fixture
def make_comment(db):
    def make(*, post: Post, content: str | None = None, status: str = rules.APPROVED) -> Comment:
        content = content or f"Comment {uuid.uuid4().hex[:8]}"
        return Comment.objects.create(post=post, content=content, status=status)

    return make
