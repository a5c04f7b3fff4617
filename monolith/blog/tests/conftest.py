"""Fixtures of the monolith's blog tests: an API client and factories with unique data."""

from __future__ import annotations

import itertools
import uuid

import pytest
from rest_framework.test import APIClient

from monolith.blog.models import Comment, Post
from shared import rules

_sequence = itertools.count(1)


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


@pytest.fixture
def unique_title():
    """A title no other test uses, so assertions never match someone else's post."""

    def make(prefix: str = "Post") -> str:
        return f"{prefix} {next(_sequence)} {uuid.uuid4().hex[:8]}"

    return make


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
