"""The benchmark's HTTP client (shared.api.keepalive) against real local servers: one kept-alive
connection for many requests, a silent reconnect when the server closed an idle connection,
and a connection dropped in flight counted as a reset (and as an error of the run)."""

from __future__ import annotations

import os
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from shared.api.keepalive import ConnectionDropped, KeepAliveClient, _closed_by_peer
from stacks.client import NO_ANSWER, BlogClient
from stacks.compare import loadgen
from stacks.launcher.processes import gunicorn_command
from stacks.processes import ManagedProcess, wait_until
from stacks.redis_server import free_port


class _Server(ThreadingHTTPServer):
    """A local server that counts the connections it accepted."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.lock, self.connections = threading.Lock(), 0
        self.url = f"http://127.0.0.1:{self.server_address[1]}"


class _Handler(BaseHTTPRequestHandler):
    """HTTP/1.1 with keep-alive. /drop... reads the request and resets the connection unanswered;
    /bye answers, then closes the connection (without saying so: an idle close)."""

    protocol_version = "HTTP/1.1"
    server: _Server

    def setup(self):
        super().setup()
        with self.server.lock:
            self.server.connections += 1

    def do_GET(self):
        if self.path.startswith("/drop"):
            self.close_connection = True
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\0\0\0\0\0\0\0")
            return  # closed with a reset, nothing answered
        body = b'{"path": "%s"}' % self.path.encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        if self.path == "/bye":
            self.close_connection = True

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.send_response(201)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    httpd = _Server()
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()


def test_n_requests_travel_on_one_kept_alive_connection_with_nodelay(server):
    client = KeepAliveClient(timeout=5)
    answers = [client.request("GET", f"{server.url}/n/{n}") for n in range(25)]
    assert [a.status for a in answers] == [200] * 25
    assert answers[7].body == b'{"path": "/n/7"}'
    assert server.connections == 1
    assert (client.connections_opened, client.reconnects, client.resets) == (1, 0, 0)
    (connection,) = client._connections.values()
    assert connection.sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) != 0
    client.close()


def test_an_idle_connection_the_server_closed_is_replaced_silently(server):
    client = KeepAliveClient(timeout=5)
    assert client.request("GET", f"{server.url}/bye").status == 200
    wait_until(lambda: _peer_closed(client), timeout=5, interval=0.01)
    assert client.request("GET", f"{server.url}/after").status == 200
    assert server.connections == 2
    assert (client.connections_opened, client.reconnects, client.resets) == (2, 1, 0)


def test_a_connection_dropped_in_flight_is_a_counted_reset_and_the_next_request_reconnects(
    server,
):
    client = KeepAliveClient(timeout=5)
    assert client.request("GET", f"{server.url}/first").status == 200
    with pytest.raises(ConnectionDropped):
        client.request("GET", f"{server.url}/drop")
    assert client.request("GET", f"{server.url}/again").status == 200
    assert (client.connections_opened, client.resets) == (2, 1)
    assert server.connections == 2


def test_the_blog_client_over_keepalive_answers_like_requests_and_names_a_reset(server):
    urls = {"monolith": server.url}
    kept, plain = BlogClient("monolith", urls, keepalive=True), BlogClient("monolith", urls)
    for client in (kept, plain):
        created = client.create_post("café, 1 ☕")
        assert (created.status, created.body) == (201, {"title": "café, 1 ☕"})
        assert created.request_id and created.seconds > 0
    dropped = kept.get("post_list", "/drop")
    assert (dropped.status, dropped.outcome, kept.resets) == (NO_ANSWER, "reset", 1)
    assert kept.get("post_list", "/x").body == {"path": "/x"}


def test_nobody_listening_is_refused_not_a_reset():
    client = BlogClient("monolith", {"monolith": f"http://127.0.0.1:{free_port('127.0.0.1')}"},
                        keepalive=True)  # fmt: skip
    reply = client.list_posts()
    assert (reply.status, reply.outcome, client.resets) == (NO_ANSWER, "refused", 0)


def test_a_closed_loop_counts_the_resets_of_its_clients(server):
    work = loadgen.Workload("monolith", {"monolith": server.url}, "list", limit=1)
    work_drop = loadgen.Workload("monolith", {"monolith": server.url + "/drop"}, "list")
    ok = loadgen.run_closed_loop(work, concurrency=2, duration=5.0, processes=1, max_requests=20)
    assert (len(ok["samples"]), ok["resets"]) == (20, 0)
    assert server.connections == 2  # one connection per client thread, whatever the count
    dropped = loadgen.run_closed_loop(
        work_drop, concurrency=2, duration=5.0, processes=2, max_requests=6
    )
    assert [s["outcome"] for s in dropped["samples"]] == ["reset"] * 6
    assert dropped["resets"] == 6


def test_gunicorn_keeps_the_connection_and_a_restart_is_a_reconnect_not_a_reset(tmp_path):
    """The WSGI floor app under the services' own gunicorn command and config."""
    (tmp_path / "body.json").write_bytes(b'[{"id": 1}]')
    port = free_port("127.0.0.1")
    url = f"http://127.0.0.1:{port}/"

    def start() -> ManagedProcess:
        process = ManagedProcess(
            name="floor",
            command=gunicorn_command("stacks.floor_app:application", bind=f"127.0.0.1:{port}"),
            env={
                **os.environ,
                "BLOG_FLOOR_BODY_FILE": str(tmp_path / "body.json"),
                "PROMETHEUS_MULTIPROC_DIR": str(tmp_path),
            },
            log_path=tmp_path / "gunicorn.log",
        )
        process.start()
        wait_until(lambda: _answers(url), timeout=30, interval=0.1)
        return process

    process = start()
    client = KeepAliveClient(timeout=5)
    try:
        bodies = {client.request("GET", url).body for _ in range(50)}
        assert bodies == {b'[{"id": 1}]'}
        assert (client.connections_opened, client.resets) == (1, 0)
        process.stop()
        with pytest.raises(ConnectionRefusedError):
            client.request("GET", url)  # the closed connection noticed, nobody listening
        process = start()
        assert client.request("GET", url).status == 200
        assert (client.reconnects, client.resets) == (1, 0)
    finally:
        client.close()
        process.stop()


def _answers(url: str) -> bool:
    try:
        KeepAliveClient(timeout=1).request("GET", url)
    except OSError:
        return False
    return True


def _peer_closed(client: KeepAliveClient) -> bool:
    (connection,) = client._connections.values()
    return _closed_by_peer(connection.sock)
