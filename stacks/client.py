"""One small client for either stack, through the public contract and micro's read strategies."""

from __future__ import annotations

import http.client
import json
import time
from http.client import RemoteDisconnected
from typing import Any

import requests

from shared.api.keepalive import ConnectionDropped, KeepAliveClient
from stacks.routes import PUBLIC_ROUTES, READ_STRATEGIES
from stacks.tracing import new_request_id

REQUEST_ID_HEADER = "X-Request-ID"
NO_ANSWER = 0  # Reply.status when the server did not answer (refused or timed out)


class Reply:
    """What one client action got back, and what it cost the client.

    An answer read by the keep-alive transport keeps its raw bytes and decodes them on the
    first read of `body`: the benchmark's load generator never reads the list it times, so
    it does not spend its processes' CPU (on a machine it shares with the servers) parsing
    58 kB of JSON per request."""

    __slots__ = ("_body", "_raw", "request_id", "requests", "seconds", "status")

    def __init__(
        self,
        status: int,
        body: Any = None,
        requests: int = 1,
        seconds: float = 0.0,
        request_id: str = "",
        *,
        raw: bytes | None = None,
    ):
        self.status = status
        self._body = body
        self._raw = raw
        self.requests = requests
        self.seconds = seconds
        self.request_id = request_id

    @property
    def body(self) -> Any:
        """The answer as JSON where it parses (as requests' .json() would), else as text."""
        if self._raw is not None:
            self._body, self._raw = _decoded(self._raw), None
        return self._body

    @body.setter
    def body(self, value: Any) -> None:
        self._body, self._raw = value, None

    @property
    def decoded(self) -> bool:
        """False while the raw answer has not been read as JSON yet."""
        return self._raw is None

    def __repr__(self) -> str:
        body = self._body if self._raw is None else f"<{len(self._raw)} bytes, not decoded>"
        return f"Reply(status={self.status}, body={body!r}, requests={self.requests})"

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    @property
    def outcome(self) -> str:
        """The status code, or what happened when no HTTP answer came ("refused", "reset",
        "timeout")."""
        return str(self.status) if self.status else str(self.body.get("error"))


def _was_reset(error: BaseException) -> bool:
    """True when an open connection broke under the request (reset by the server, or closed
    without an answer: what a keep-alive race looks like), not one that could not be made."""
    pending, looked_at = [error], 0
    while pending and looked_at < 20:  # requests wraps urllib3's error, which wraps the OS's
        current, looked_at = pending.pop(), looked_at + 1
        if isinstance(current, ConnectionResetError | BrokenPipeError | RemoteDisconnected):
            return True
        pending += [arg for arg in current.args if isinstance(arg, BaseException)]
        if current.__cause__ is not None:
            pending.append(current.__cause__)
    return False


class BlogClient:
    """Create posts and comments and read the post list, on the monolith or on micro.

    Two transports, the same actions and Replies: a `requests.Session` (the default: tests, the
    lab, the demo), or with `keepalive=True` the benchmark's own client, kept-alive http.client
    connections (shared.api.keepalive), which every phase of `compare` measures with. A request
    whose connection dropped in flight answers NO_ANSWER with error "reset" (counted in
    `resets`)."""

    def __init__(
        self, kind: str, urls: dict[str, str], *, timeout: float = 10.0, keepalive: bool = False
    ):
        self.kind = kind
        self.urls = urls
        self.timeout = timeout
        self.http = KeepAliveClient(timeout=timeout) if keepalive else None
        self.session = None if keepalive else requests.Session()

    def close(self) -> None:
        """Close the client's connections."""
        if self.http is not None:
            self.http.close()
        elif self.session is not None:
            self.session.close()

    @property
    def resets(self) -> int:
        """Requests whose connection dropped in flight (the keep-alive transport counts them)."""
        return self.http.resets if self.http else 0

    def base(self, operation: str) -> str:
        return self.urls[PUBLIC_ROUTES[operation][self.kind]]

    def _send(self, method: str, url: str, *, request_id: str | None = None, **kwargs) -> Reply:
        """One HTTP request, tagged with a request id (a new one unless given)."""
        request_id = request_id or new_request_id()
        headers = {**kwargs.pop("headers", {}), REQUEST_ID_HEADER: request_id}
        if self.http is not None:
            return self._send_kept_alive(method, url, request_id, headers, **kwargs)
        assert self.session is not None  # one transport or the other (__init__)
        started = time.perf_counter()
        try:
            response = self.session.request(
                method, url, timeout=self.timeout, headers=headers, **kwargs
            )
        except requests.Timeout:
            return Reply(
                NO_ANSWER, {"error": "timeout"}, 1, time.perf_counter() - started, request_id
            )
        except requests.ConnectionError as error:
            return Reply(
                NO_ANSWER,
                {"error": "reset" if _was_reset(error) else "refused"},
                1,
                time.perf_counter() - started,
                request_id,
            )
        try:
            body = response.json()
        except ValueError:
            body = response.text
        return Reply(response.status_code, body, 1, time.perf_counter() - started, request_id)

    def _send_kept_alive(
        self, method: str, url: str, request_id: str, headers: dict, *, json=None, data=None
    ) -> Reply:
        """The same request over the keep-alive transport; timed from send to body read."""
        assert self.http is not None  # _send calls this with the keep-alive transport only
        if json is not None:
            data = _json_bytes(json)
            headers = {"Content-Type": "application/json", **headers}
        started = time.perf_counter()
        try:
            response = self.http.request(method, url, body=data, headers=headers)
        except TimeoutError:
            error = "timeout"
        except ConnectionDropped:
            error = "reset"
        except OSError:  # refused, unreachable: nobody answered
            error = "refused"
        except http.client.HTTPException:  # an answer that is not HTTP/1.1
            error = "bad answer"
        else:
            seconds = time.perf_counter() - started
            return Reply(response.status, None, 1, seconds, request_id, raw=response.body)
        return Reply(NO_ANSWER, {"error": error}, 1, time.perf_counter() - started, request_id)

    def get(self, operation: str, path: str) -> Reply:
        """GET any path of the service that answers an operation."""
        return self._send("GET", f"{self.base(operation)}{path}")

    def create_post(self, title: Any) -> Reply:
        return self._send("POST", f"{self.base('post_create')}/api/posts/", json={"title": title})

    def add_comment(self, post_id: int, content: Any) -> Reply:
        url = f"{self.base('comment_create')}/api/posts/{post_id}/comments/"
        return self._send("POST", url, json={"content": content})

    def send_raw(self, operation: str, path: str, *, data: bytes, content_type: str) -> Reply:
        """POST any body (malformed JSON, oversize, wrong type) to an operation's service."""
        headers = {"Content-Type": content_type}
        return self._send("POST", f"{self.base(operation)}{path}", data=data, headers=headers)

    def get_post(self, post_id: int) -> Reply:
        return self._send("GET", f"{self.base('post_get')}/api/posts/{post_id}/")

    def list_posts(self, *, limit: int = 50, strategy: str = "query") -> Reply:
        """The post list with comments; on micro, through one of READ_STRATEGIES."""
        if self.kind == "monolith" or strategy == "query":
            return self._send("GET", f"{self.base('post_list')}/api/posts/?limit={limit}")
        if strategy == "aggregator":
            return self._send("GET", f"{self.urls['aggregator']}/api/posts/?limit={limit}")
        if strategy == "naive":
            return self._list_naively(limit=limit)
        raise ValueError(f"unknown read strategy {strategy!r}; choose from {list(READ_STRATEGIES)}")

    def _list_naively(self, *, limit: int) -> Reply:
        """Ask posts for the posts, then comments once per post: 1 + N requests."""
        started = time.perf_counter()
        request_id = new_request_id()
        posts = self._send(
            "GET", f"{self.urls['posts']}/api/posts/?limit={limit}", request_id=request_id
        )
        if not posts.ok:
            return posts
        count = 1
        composed = []
        for post in posts.body:
            comments = self._send(
                "GET",
                f"{self.urls['comments']}/api/posts/{post['id']}/comments/",
                request_id=request_id,
            )
            count += 1
            if comments.status == 404:
                comments.body = []
            elif not comments.ok:
                seconds = time.perf_counter() - started
                return Reply(comments.status, comments.body, count, seconds, request_id)
            composed.append({**post, "comments": comments.body})
        return Reply(200, composed, count, time.perf_counter() - started, request_id)


def _json_bytes(value: Any) -> bytes:
    """A JSON request body as requests' json= writes it."""
    return json.dumps(value, allow_nan=False).encode("utf-8")


def _decoded(raw: bytes) -> Any:
    """The body as JSON where it parses (as requests' .json() would), else as text."""
    text = raw.decode("utf-8", errors="replace")
    try:
        return json.loads(text)
    except ValueError:
        return text
