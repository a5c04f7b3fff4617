"""Kept-alive http.client connections, one per origin: the benchmark's HTTP client, and the
transport of every call one service makes to another (shared.api.http.ServiceClient).

One instance belongs to one client thread (http.client connections are not thread-safe). It
keeps one `http.client.HTTPConnection` per (host, port) open across requests (TCP_NODELAY
set, as http.client does on connect), so a request costs one write and one read, not a
connection, a pool lookup and requests' layers of adapters. It is the cheapest Python client
that still speaks HTTP/1.1 properly, and what issue 10's Node figures were measured with.

Dropped connections are counted, never hidden:

- the server closed an *idle* connection (its keep-alive timeout, a restart): seen before the
  next request is written (the socket reads end-of-file), reconnected silently and counted in
  `reconnects`; nothing was lost, no request was in flight.
- the connection dropped *while a request was in flight* (reset, closed before an answer):
  the request fails with `ConnectionDropped`, counted in `resets`; the connection is closed
  and the next request opens a new one. The request is not retried: a POST may have been
  applied, and a benchmark must not send one action twice.
"""

from __future__ import annotations

import http.client
import json
import select
import socket
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit


class ConnectionDropped(ConnectionError):
    """The connection closed or was reset while a request was in flight."""


@dataclass
class Response:
    status: int
    content_type: str
    body: bytes

    def json(self) -> Any:
        """The body as JSON (ValueError if it is not)."""
        return json.loads(self.body)


DROPPED = (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError)


class KeepAliveClient:
    """HTTP/1.1 over kept-alive connections, one per origin; for one thread."""

    def __init__(self, *, timeout: float = 10.0, connect_timeout: float | None = None):
        self.timeout = timeout  # for each read of an answer
        self.connect_timeout = timeout if connect_timeout is None else connect_timeout
        self._connections: dict[tuple[str, int], http.client.HTTPConnection] = {}
        self.connections_opened = 0  # every TCP connection this client made
        self.reconnects = 0  # an idle connection the server had closed, replaced
        self.resets = 0  # a connection that dropped with a request in flight

    def request(
        self, method: str, url: str, *, body: bytes | None = None, headers: dict | None = None
    ) -> Response:
        """Send one request and read the whole answer. Raises TimeoutError, ConnectionRefusedError
        (nobody listens), ConnectionDropped (see the module's docstring) or another OSError."""
        parts = urlsplit(url)
        origin = (parts.hostname or "127.0.0.1", parts.port or 80)
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        connection = self._connection(origin)
        try:
            connection.request(method, path, body=body, headers=headers or {})
            response = connection.getresponse()
            content = response.read()
        except DROPPED as error:
            self._discard(origin)
            self.resets += 1
            raise ConnectionDropped(f"{method} {url}: {error!r}") from error
        except http.client.IncompleteRead as error:
            self._discard(origin)
            self.resets += 1
            raise ConnectionDropped(f"{method} {url}: {error!r}") from error
        except BaseException:
            self._discard(origin)  # a timeout or refusal leaves the connection unusable
            raise
        if response.will_close:
            self._discard(origin)
        return Response(response.status, response.getheader("Content-Type", ""), content)

    def _connection(self, origin: tuple[str, int]) -> http.client.HTTPConnection:
        connection = self._connections.get(origin)
        if connection is not None and connection.sock is not None:
            if not _closed_by_peer(connection.sock):
                return connection
            self.reconnects += 1
            connection.close()
        connection = http.client.HTTPConnection(*origin, timeout=self.connect_timeout)
        connection.connect()
        connection.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        connection.sock.settimeout(self.timeout)
        self.connections_opened += 1
        self._connections[origin] = connection
        return connection

    def _discard(self, origin: tuple[str, int]) -> None:
        connection = self._connections.pop(origin, None)
        if connection is not None:
            connection.close()

    def close(self) -> None:
        for origin in list(self._connections):
            self._discard(origin)


def _closed_by_peer(sock: socket.socket) -> bool:
    """An idle kept-alive socket that is readable has end-of-file (or a stray byte) waiting:
    the server closed it, so it cannot carry the next request."""
    readable, _, _ = select.select([sock], [], [], 0)
    return bool(readable)
