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

# answer(path, params) -> (status, JSON body or raw bytes); or DROP: the connection is shut
# without an answer (a service that died with the request in flight).
Answer = Callable[[str, dict[str, str]], tuple[int, object]]
DROP = (0, None)


@dataclass
class ReceivedRequest:
    path: str
    params: dict[str, str]
    headers: dict[str, str] = field(default_factory=dict)
    method: str = "GET"
    body: bytes = b""
    client: tuple = ()  # the caller's (host, port): one per connection it opened


class _QuietHTTPServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        """A caller that gave up (read timeout) closed the connection: not worth a traceback."""


class HttpStandIn:
    """Answers every GET and POST with `answer(path, params)` over kept-alive HTTP/1.1
    connections (as gunicorn does), and remembers each request it received. With
    `close_after` set it closes each connection after answering, without saying so in the
    answer (what a server's keep-alive timeout or restart does to an idle connection)."""

    def __init__(self, answer: Answer):
        self.answer = answer
        self.requests: list[ReceivedRequest] = []
        self.close_after = False
        self._server = _QuietHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), daemon=True
        )

    @property
    def paths(self) -> list[str]:
        return [request.path for request in self.requests]

    @property
    def connections(self) -> int:
        """How many connections the requests came over."""
        return len({request.client for request in self.requests})

    def start(self) -> HttpStandIn:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


def _handler_for(stand_in: HttpStandIn) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            url = urlsplit(self.path)
            params = {name: values[0] for name, values in parse_qs(url.query).items()}
            length = int(self.headers.get("Content-Length") or 0)
            received = ReceivedRequest(
                url.path,
                params,
                dict(self.headers),
                method=self.command,
                body=self.rfile.read(length) if length else b"",
                client=self.client_address,
            )
            stand_in.requests.append(received)
            status, body = stand_in.answer(url.path, params)
            if (status, body) == DROP:
                self.close_connection = True
                self.connection.shutdown(socket.SHUT_RDWR)
                return
            content = body if isinstance(body, bytes) else json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(content)))
            self.end_headers()
            self.wfile.write(content)
            self.close_connection = stand_in.close_after

        do_POST = do_GET

        def log_message(self, format, *args) -> None:
            pass

    return Handler


def closed_port_url() -> str:
    """The URL of a loopback port nothing listens on: a service that is down."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"
