"""Fixtures of the comments service's tests: clients, posts it knows, a stand-in posts service."""

from __future__ import annotations

import itertools
import json
import re
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from rest_framework.test import APIClient

from micro.comments import services
from micro.comments.models import Comment, KnownPost

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
    """What the stand-in posts service knows, and the paths it was asked for."""

    url: str
    posts: dict[int, dict] = field(default_factory=dict)
    calls: list[str] = field(default_factory=list)


class _PostsHandler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        stand_in: PostsStandIn = self.server.stand_in
        stand_in.calls.append(self.path)
        match = re.fullmatch(r"/api/posts/(\d+)/", self.path)
        post = stand_in.posts.get(int(match[1])) if match else None
        status, body = (200, post) if post else (404, {"code": "not_found", "message": "No."})
        payload = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format, *args) -> None:
        pass


@pytest.fixture
def posts_service(settings) -> Iterator[PostsStandIn]:
    """A real HTTP server on a free loopback port playing the posts service."""
    server = HTTPServer(("127.0.0.1", 0), _PostsHandler)
    server.stand_in = PostsStandIn(url=f"http://127.0.0.1:{server.server_port}")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.POSTS_URL = server.stand_in.url
    yield server.stand_in
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.fixture
def posts_down(settings) -> str:
    """Point POSTS_URL at a loopback port nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.POSTS_URL = f"http://127.0.0.1:{port}"
    return settings.POSTS_URL
