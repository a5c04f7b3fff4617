"""Another service played by a real HTTP server on a free loopback port, in a thread.

Unit tests of a service that calls another one over HTTP (the aggregator, comments asking
posts, query and comments reading the event store) point that service's URL here.
"""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

# answer(path, params) -> (status, JSON body or raw bytes)
Answer = Callable[[str, dict[str, str]], tuple[int, object]]


@dataclass
class ReceivedRequest:
    path: str
    params: dict[str, str]
    headers: dict[str, str] = field(default_factory=dict)


class _QuietHTTPServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        """A caller that gave up (read timeout) closed the connection: not worth a traceback."""


class HttpStandIn:
    """Answers every GET with `answer(path, params)` and remembers each request it received."""

    def __init__(self, answer: Answer):
        self.answer = answer
        self.requests: list[ReceivedRequest] = []
        self._server = _QuietHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), daemon=True
        )

    @property
    def paths(self) -> list[str]:
        return [request.path for request in self.requests]

    def start(self) -> HttpStandIn:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


def _handler_for(stand_in: HttpStandIn) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            url = urlsplit(self.path)
            params = {name: values[0] for name, values in parse_qs(url.query).items()}
            stand_in.requests.append(ReceivedRequest(url.path, params, dict(self.headers)))
            status, body = stand_in.answer(url.path, params)
            content = body if isinstance(body, bytes) else json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(content)))
            self.end_headers()
            self.wfile.write(content)

        def log_message(self, format, *args) -> None:
            pass

    return Handler


def closed_port_url() -> str:
    """The URL of a loopback port nothing listens on: a service that is down."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"
