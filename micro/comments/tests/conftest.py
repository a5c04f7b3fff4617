"""Fixtures of the comments service's tests: clients, posts it knows, a stand-in posts service."""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field

import pytest
from rest_framework.test import APIClient

from micro.comments import services
from micro.comments.models import Comment, KnownPost
from shared.testing.http_stand_in import HttpStandIn

_post_ids = itertools.count(start=1_000)


@pytest.fixture
def api() -> APIClient:
    return APIClient()


@pytest.fixture
def new_post_id() -> int:
    """A post id no other test uses."""
    return next(_post_ids)


@pytest.fixture
def known_post(db, new_post_id) -> KnownPost:
    """A post this service has heard of through PostCreated."""
    return KnownPost.objects.create(post_id=new_post_id, title=f"Post {new_post_id}", revision=1)


@pytest.fixture
def comment_factory(known_post):
    """Makes pending comments through the service (so CommentCreated is recorded too)."""
    counter = itertools.count(1)

    def make(*, content: str | None = None, post_id: int | None = None) -> Comment:
        return services.comment_create(
            post_id=post_id or known_post.post_id,
            content=content or f"Comment {next(counter)} on {known_post.post_id}",
        )

    return make


@dataclass
class PostsStandIn:
    """What the stand-in posts service knows; `calls` are the paths it was asked for."""

    posts: dict[int, dict] = field(default_factory=dict)
    server: HttpStandIn | None = None

    def answer(self, path: str, params: dict) -> tuple[int, object]:
        match = re.fullmatch(r"/api/posts/(\d+)/", path)
        post = self.posts.get(int(match[1])) if match else None
        return (200, post) if post else (404, {"code": "not_found", "message": "No."})

    @property
    def calls(self) -> list[str]:
        assert self.server is not None, "the stand-in is not serving"
        return self.server.paths


@pytest.fixture
def posts_service(settings, http_stand_in) -> PostsStandIn:
    """A real HTTP server on a free loopback port playing the posts service."""
    stand_in = PostsStandIn()
    stand_in.server = http_stand_in(stand_in.answer)
    settings.POSTS_URL = stand_in.server.url
    return stand_in


@pytest.fixture
def posts_down(settings, closed_port_url) -> str:
    """Point POSTS_URL at a loopback port nothing listens on."""
    settings.POSTS_URL = closed_port_url
    return settings.POSTS_URL
