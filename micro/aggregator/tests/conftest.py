"""Fixtures of the aggregator's tests: real loopback HTTP servers playing posts and comments."""

from __future__ import annotations

import json
import re
import socket
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest

from micro.aggregator import selectors

Answer = Callable[[str, dict], tuple[int, object]]


class QuietHTTPServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        """A caller that gave up (read timeout) closed the connection: not worth a traceback."""


class FakeService:
    """A service on a real HTTP server in a thread: answers with `answer(path, params)`,
    which gives (status, JSON body), and remembers every request it received."""

    def __init__(self, answer: Answer):
        self.answer = answer
        self.requests: list[dict] = []
        self.server = QuietHTTPServer(("127.0.0.1", 0), self._handler_class())
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)

    @property
    def paths(self) -> list[str]:
        return [request["path"] for request in self.requests]

    def _handler_class(self):
        service = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                url = urlsplit(self.path)
                params = {name: values[0] for name, values in parse_qs(url.query).items()}
                service.requests.append(
                    {"path": url.path, "params": params, "headers": dict(self.headers)}
                )
                status, body = service.answer(url.path, params)
                content = body if isinstance(body, bytes) else json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(content)))
                self.end_headers()
                self.wfile.write(content)

            def log_message(self, format, *args):
                pass

        return Handler

    def start(self) -> FakeService:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


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


def _serve(monkeypatch, client, answer: Answer):
    service = FakeService(answer).start()
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


@pytest.fixture
def fake_service():
    """Start a FakeService with an answer of the test's own; stopped after the test."""
    started: list[FakeService] = []

    def start(answer: Answer) -> FakeService:
        started.append(FakeService(answer).start())
        return started[-1]

    yield start
    for service in started:
        service.stop()


@pytest.fixture
def closed_port_url() -> str:
    """The URL of a loopback port nothing listens on (a service that is down)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"
