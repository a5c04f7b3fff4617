"""ServiceClient: internal calls carry the token and request id; failures become a clear 503."""

from __future__ import annotations

import socket

import pytest
import requests

from shared.api.errors import ServiceUnavailable
from shared.api.http import ServiceClient
from shared.api.permissions import INTERNAL_TOKEN_HEADER
from shared.instrumentation.tally import REQUEST_ID_HEADER, current_request_id


class _Answer:
    def __init__(self, status_code: int, body: object = None):
        self.status_code = status_code
        self._body = body

    def json(self) -> object:
        return self._body


class _RecordingSession:
    """Stands in for requests.Session: records each request and gives the prepared answer."""

    def __init__(self):
        self.calls: list[dict] = []
        self.answer = _Answer(200, [])

    def request(self, method, url, **kwargs):
        self.calls.append({"method": method, "url": url, **kwargs})
        return self.answer


@pytest.fixture
def comments_client() -> ServiceClient:
    return ServiceClient(service="comments", base_url="http://comments.invalid/")


@pytest.fixture
def session(comments_client) -> _RecordingSession:
    fake = _RecordingSession()
    comments_client._local.session = fake
    return fake


def test_get_sends_the_internal_token_and_the_current_request_id(
    comments_client, session, settings
):
    token = current_request_id.set("req-1")
    try:
        comments_client.get("/api/comments/", params={"post_id": 3})
    finally:
        current_request_id.reset(token)

    [call] = session.calls
    assert call["url"] == "http://comments.invalid/api/comments/"
    assert call["params"] == {"post_id": 3}
    assert call["headers"] == {
        INTERNAL_TOKEN_HEADER: settings.INTERNAL_TOKEN,
        REQUEST_ID_HEADER: "req-1",
    }
    assert call["timeout"] == (settings.HTTP_CONNECT_TIMEOUT, settings.HTTP_READ_TIMEOUT)


def test_get_without_a_request_id_sends_only_the_token(comments_client, session):
    comments_client.get("/health/")

    assert set(session.calls[0]["headers"]) == {INTERNAL_TOKEN_HEADER}


@pytest.mark.parametrize("status_code", [500, 502, 503])
def test_a_5xx_answer_is_service_unavailable(comments_client, session, status_code):
    session.answer = _Answer(status_code)

    with pytest.raises(ServiceUnavailable) as raised:
        comments_client.get("/api/comments/")

    assert raised.value.service == "comments"


def test_get_json_answers_the_body(comments_client, session):
    session.answer = _Answer(200, [{"id": 1}])

    assert comments_client.get_json("/api/comments/") == [{"id": 1}]


def test_get_json_refuses_an_answer_that_is_not_200(comments_client, session):
    session.answer = _Answer(404, {"code": "not_found"})

    with pytest.raises(ServiceUnavailable, match="comments answered 404"):
        comments_client.get_json("/api/comments/")


def test_a_timeout_is_service_unavailable(comments_client, session, monkeypatch):
    def time_out(method, url, **kwargs):
        raise requests.Timeout("read timed out")

    monkeypatch.setattr(session, "request", time_out)

    with pytest.raises(ServiceUnavailable):
        comments_client.get("/api/comments/")


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_service_that_is_down_is_service_unavailable():
    client = ServiceClient(service="posts", base_url=f"http://127.0.0.1:{_closed_port()}")

    with pytest.raises(ServiceUnavailable) as raised:
        client.get("/api/posts/")

    assert raised.value.status_code == 503
    assert raised.value.service == "posts"


def test_each_thread_gets_its_own_session(comments_client):
    import threading

    sessions = []
    thread = threading.Thread(target=lambda: sessions.append(comments_client.session))
    thread.start()
    thread.join()

    assert comments_client.session is comments_client.session
    assert sessions[0] is not comments_client.session


def test_a_call_goes_straight_to_the_service_whatever_proxy_the_environment_names(
    monkeypatch, settings
):
    """trust_env is off: an HTTP_PROXY meant for the host's outbound traffic (here one that
    nobody listens on) does not take an internal call away from the service's URL."""
    import http.server
    import threading

    class Health(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        nobody = unused.getsockname()[1]
    for name in ("NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{nobody}")
    monkeypatch.setenv("http_proxy", f"http://127.0.0.1:{nobody}")
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Health)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        client = ServiceClient(service="posts", base_url=f"http://127.0.0.1:{server.server_port}")
        assert client.get("/health/").status_code == 200
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
