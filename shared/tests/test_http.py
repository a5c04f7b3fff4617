"""ServiceClient against a real local HTTP server: internal calls carry the token and the
request id, reuse one connection, survive the server closing it while idle, and every
failure (down, timeout, dropped, 5xx, not JSON) becomes a clear 503."""

from __future__ import annotations

import json
import select
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest

from shared.api.errors import ServiceUnavailable
from shared.api.http import ServiceClient
from shared.api.permissions import INTERNAL_TOKEN_HEADER
from shared.instrumentation.tally import REQUEST_ID_HEADER, current_request_id
from shared.testing.http_stand_in import DROP, HttpStandIn, closed_port_url


@dataclass
class Service:
    """What the stand-in answers next."""

    status: int = 200
    body: object = field(default_factory=list)
    delay: float = 0.0
    drop: bool = False  # shut the connection without answering

    def answer(self, path: str, params: dict) -> tuple[int, object]:
        if self.delay:
            time.sleep(self.delay)
        return DROP if self.drop else (self.status, self.body)


@pytest.fixture
def service() -> Service:
    return Service()


@pytest.fixture
def stand_in(service) -> Iterator[HttpStandIn]:
    server = HttpStandIn(service.answer).start()
    yield server
    server.stop()


@pytest.fixture
def client(stand_in) -> ServiceClient:
    return ServiceClient(service="comments", base_url=f"{stand_in.url}/")


def test_get_sends_the_internal_token_the_request_id_and_the_params(client, stand_in, settings):
    token = current_request_id.set("req-1")
    try:
        client.get("/api/comments/", params={"post_id": 3, "after": "a b"})
    finally:
        current_request_id.reset(token)

    [request] = stand_in.requests
    assert request.method == "GET"
    assert (request.path, request.params) == ("/api/comments/", {"post_id": "3", "after": "a b"})
    assert request.headers[INTERNAL_TOKEN_HEADER] == settings.INTERNAL_TOKEN
    assert request.headers[REQUEST_ID_HEADER] == "req-1"


def test_get_without_a_request_id_sends_only_the_token(client, stand_in):
    client.get("/health/")

    assert INTERNAL_TOKEN_HEADER in stand_in.requests[0].headers
    assert REQUEST_ID_HEADER not in stand_in.requests[0].headers


def test_post_json_sends_the_body_as_json_and_answers_the_json(client, stand_in, service):
    service.body = {"stored": [1]}

    assert client.post_json("/internal/events/stored/", {"ids": [1, 2]}) == {"stored": [1]}
    [request] = stand_in.requests
    assert request.method == "POST"
    assert request.headers["Content-Type"] == "application/json"
    assert json.loads(request.body) == {"ids": [1, 2]}


def test_calls_from_one_thread_reuse_one_connection(client, stand_in):
    for _ in range(5):
        assert client.get("/health/").status == 200

    assert len(stand_in.requests) == 5
    assert stand_in.connections == 1


def test_each_thread_has_its_own_connection(client, stand_in):
    client.get("/health/")
    thread = threading.Thread(target=client.get, args=("/health/",))
    thread.start()
    thread.join(timeout=10)

    assert len(stand_in.requests) == 2
    assert stand_in.connections == 2


def test_a_connection_the_server_closed_while_idle_is_replaced(client, stand_in):
    stand_in.close_after = True  # the server ends the connection after this answer (a restart)
    client.get("/health/")
    [connection] = client.connections._connections.values()
    deadline = time.monotonic() + 5
    while not select.select([connection.sock], [], [], 0.05)[0]:  # its end-of-file arrives
        assert time.monotonic() < deadline
    stand_in.close_after = False

    assert client.get("/health/").status == 200
    assert client.connections.reconnects == 1
    assert len(stand_in.requests) == 2
    assert stand_in.connections == 2


@pytest.mark.parametrize("status", [500, 502, 503])
def test_a_5xx_answer_is_service_unavailable(client, service, status):
    service.status = status

    with pytest.raises(ServiceUnavailable) as raised:
        client.get("/api/comments/")

    assert raised.value.service == "comments"
    assert raised.value.status_code == 503


def test_get_json_answers_the_body(client, service):
    service.body = [{"id": 1}]

    assert client.get_json("/api/comments/") == [{"id": 1}]


def test_get_json_refuses_an_answer_that_is_not_200(client, service):
    service.status, service.body = 404, {"code": "not_found"}

    with pytest.raises(ServiceUnavailable, match="comments answered 404"):
        client.get_json("/api/comments/")


def test_an_answer_that_is_not_json_is_service_unavailable(client, service):
    service.body = b"<html>proxy error</html>"

    with pytest.raises(ServiceUnavailable, match="comments answered non-JSON"):
        client.get_json("/api/comments/")


def test_a_timeout_is_service_unavailable(client, service, settings):
    settings.HTTP_READ_TIMEOUT = 0.2
    service.delay = 1.0

    started = time.monotonic()
    with pytest.raises(ServiceUnavailable):
        client.get("/api/comments/")

    assert time.monotonic() - started < 0.9  # gave up at the read timeout, not the answer


def test_a_connection_dropped_in_flight_is_service_unavailable_and_not_retried(
    client, stand_in, service
):
    service.drop = True

    with pytest.raises(ServiceUnavailable):
        client.post_json("/internal/events/stored/", {"ids": [1]})

    assert len(stand_in.requests) == 1  # sent once: a POST may have been applied
    service.drop = False
    assert client.get("/health/").status == 200  # the next call has a new connection


def test_a_service_that_is_down_is_service_unavailable():
    client = ServiceClient(service="posts", base_url=closed_port_url())

    with pytest.raises(ServiceUnavailable) as raised:
        client.get("/api/posts/")

    assert raised.value.status_code == 503
    assert raised.value.service == "posts"


def test_a_call_goes_straight_to_the_service_whatever_proxy_the_environment_names(
    client, stand_in, monkeypatch
):
    """An HTTP_PROXY meant for the host's outbound traffic (here one that nobody listens on)
    does not take an internal call away from the service's URL."""
    nobody = closed_port_url()
    for name in ("NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HTTP_PROXY", nobody)
    monkeypatch.setenv("http_proxy", nobody)

    assert client.get("/health/").status == 200
    assert len(stand_in.requests) == 1
