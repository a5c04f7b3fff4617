"""Fixtures of the aggregator's tests: real loopback HTTP servers playing posts and comments."""

from __future__ import annotations

import re

import pytest

from micro.aggregator import selectors
from shared.testing.http_stand_in import Answer, HttpStandIn


class Blog:
    """What the fake posts and comments services hold."""

    def __init__(self):
        self.posts: list[dict] = []
        # Posts the comments service knows, with their comments; others answer 404.
        self.comments: dict[int, list[dict]] = {}

    def add_post(self, post_id: int, *, comments: int = 0, known_to_comments: bool = True):
        post = {"id": post_id, "title": f"Post {post_id}", "created_at": "2026-06-01T10:00:00Z"}
        self.posts.append(post)
        if known_to_comments:
            self.comments[post_id] = [
                {
                    "id": post_id * 100 + number,
                    "post_id": post_id,
                    "content": f"Comment {number} on {post_id}",
                    "status": "approved",
                    "created_at": f"2026-06-01T10:0{number}:00Z",
                }
                for number in range(comments)
            ]
        return post

    def answer_posts(self, path: str, params: dict) -> tuple[int, object]:
        if path == "/api/posts/":
            return 200, self.posts[: int(params.get("limit", 50))]
        match = re.fullmatch(r"/api/posts/(\d+)/", path)
        post = match and next((p for p in self.posts if p["id"] == int(match[1])), None)
        return (200, post) if post else (404, {"code": "not_found"})

    def answer_comments(self, path: str, params: dict) -> tuple[int, object]:
        match = re.fullmatch(r"/api/posts/(\d+)/comments/", path)
        if match and int(match[1]) in self.comments:
            return 200, self.comments[int(match[1])]
        return 404, {"code": "not_found"}


@pytest.fixture
def blog() -> Blog:
    return Blog()


def _serve(monkeypatch, client, answer: Answer) -> HttpStandIn:
    service = HttpStandIn(answer).start()
    monkeypatch.setattr(client, "base_url", service.url)
    return service


@pytest.fixture
def posts_service(monkeypatch, blog):
    service = _serve(monkeypatch, selectors.posts_client, blog.answer_posts)
    yield service
    service.stop()


@pytest.fixture
def comments_service(monkeypatch, blog):
    service = _serve(monkeypatch, selectors.comments_client, blog.answer_comments)
    yield service
    service.stop()
