"""Bad input gets the same clear 4xx, with the field named, from both stacks."""

from __future__ import annotations

import json
import socket
import uuid
from urllib.parse import urlsplit

import pytest
import requests

from shared import rules
from shared.api.permissions import INTERNAL_TOKEN_HEADER
from stacks.routes import PUBLIC_ROUTES, STACK_SERVICES

# What this checks does not depend on the database: run on SQLite only (see Makefile).
pytestmark = [pytest.mark.e2e, pytest.mark.any_database]

TOO_BIG = rules.MAX_BODY_BYTES + 1

BAD_POSTS = [
    pytest.param({}, "title", rules.MSG_REQUIRED, id="missing"),
    pytest.param({"title": ""}, "title", rules.MSG_BLANK, id="empty"),
    pytest.param({"title": "   "}, "title", rules.MSG_BLANK, id="whitespace"),
    pytest.param({"title": 42}, "title", rules.MSG_NOT_A_STRING, id="number"),
    pytest.param({"title": ["a"]}, "title", rules.MSG_NOT_A_STRING, id="list"),
    pytest.param({"title": "x" * 201}, "title", rules.MSG_TITLE_TOO_LONG, id="too-long"),
]
BAD_COMMENTS = [
    pytest.param({}, "content", rules.MSG_REQUIRED, id="missing"),
    pytest.param({"content": " \n "}, "content", rules.MSG_BLANK, id="whitespace"),
    pytest.param({"content": True}, "content", rules.MSG_NOT_A_STRING, id="bool"),
    pytest.param({"content": "x" * 2001}, "content", rules.MSG_CONTENT_TOO_LONG, id="too-long"),
]


@pytest.mark.parametrize(("body", "field", "message"), BAD_POSTS)
def test_a_bad_post_is_refused_with_the_field_named(client, body, field, message):
    reply = client.send_raw(
        "post_create",
        "/api/posts/",
        data=json.dumps(body).encode(),
        content_type="application/json",
    )
    assert reply.status == 400
    assert reply.body["code"] == "invalid"
    assert reply.body["fields"][field] == [message]


@pytest.mark.parametrize(("body", "field", "message"), BAD_COMMENTS)
def test_a_bad_comment_is_refused_with_the_field_named(client, unique, body, field, message):
    post = client.create_post(f"Target {unique}").body
    reply = client.send_raw(
        "comment_create",
        f"/api/posts/{post['id']}/comments/",
        data=json.dumps(body).encode(),
        content_type="application/json",
    )
    assert reply.status == 400
    assert reply.body["fields"][field] == [message]


def test_malformed_json_is_a_400_naming_the_body(client):
    reply = client.send_raw(
        "post_create", "/api/posts/", data=b'{"title": ', content_type="application/json"
    )
    assert reply.status == 400
    assert reply.body == {
        "code": "malformed_json",
        "message": rules.MSG_MALFORMED_JSON,
        "fields": {"body": [rules.MSG_MALFORMED_JSON]},
    }


def test_a_body_over_the_limit_is_a_413_before_parsing(client):
    body = b'{"title": "' + b"x" * TOO_BIG + b'"}'
    reply = client.send_raw(
        "post_create", "/api/posts/", data=body, content_type="application/json"
    )
    assert reply.status == 413
    assert reply.body["code"] == "payload_too_large"
    assert "body" in reply.body["fields"]


def test_a_json_array_is_refused_naming_the_body(client):
    reply = client.send_raw(
        "post_create", "/api/posts/", data=b"[1, 2]", content_type="application/json"
    )
    assert reply.status == 400
    assert list(reply.body["fields"]) == ["body"]


@pytest.mark.parametrize("limit", ["0", "501", "ten"])
def test_a_bad_list_limit_names_the_field(client, limit):
    reply = client.get("post_list", f"/api/posts/?limit={limit}")
    assert reply.status == 400
    assert reply.body["fields"] == {"limit": [rules.MSG_LIMIT_INVALID]}


def test_an_unknown_path_is_a_json_404(client):
    reply = client.get("post_list", "/api/nothing-here/")
    assert reply.status == 404
    assert reply.body["code"] == "not_found"


# A path on each service that takes a body (or, where none does, its post list).
BODY_PATHS = {
    "monolith": "/api/posts/",
    "posts": "/api/posts/",
    "comments": "/api/posts/1/comments/",
    "moderation": "/api/moderation/decisions/",
    "query": "/api/posts/",
    "eventbus": "/internal/events/stored/",
    "aggregator": "/api/posts/",
}
EVERY_SERVICE = [
    pytest.param(kind, spec.name, id=spec.name)
    for kind, specs in STACK_SERVICES.items()
    for spec in specs
]
# Over the limit and not JSON: a 413 (not a 400 malformed_json) shows it was never parsed.
OVERSIZED = b"{" + b"x" * TOO_BIG


def _chunks(body: bytes, size: int = 4096):
    """A generator body: requests sends it with Transfer-Encoding: chunked, no length."""
    for start in range(0, len(body), size):
        yield body[start : start + size]


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
@pytest.mark.parametrize(("kind", "service"), EVERY_SERVICE)
def test_every_service_refuses_a_body_over_the_limit_with_413_before_parsing(
    request, kind, service, chunked
):
    stack = request.getfixturevalue(f"{kind}_stack")
    response = requests.post(
        f"{stack.url(service)}{BODY_PATHS[service]}",
        data=_chunks(OVERSIZED) if chunked else OVERSIZED,
        headers={"Content-Type": "application/json", INTERNAL_TOKEN_HEADER: stack.internal_token},
        timeout=10,
    )

    assert response.status_code == 413
    assert response.headers["Content-Type"] == "application/json"
    message = rules.MSG_BODY_TOO_LARGE.format(limit=TOO_BIG - 1)
    assert response.json() == {
        "code": "payload_too_large",
        "message": message,
        "fields": {"body": [message]},
    }


def test_a_chunked_body_within_the_limit_is_read(client, unique):
    title = f"Chunked {unique}"
    url = f"{client.urls[PUBLIC_ROUTES['post_create'][client.kind]]}/api/posts/"

    response = requests.post(
        url,
        data=_chunks(json.dumps({"title": title}).encode(), size=8),
        headers={"Content-Type": "application/json"},
        timeout=10,
    )

    assert response.status_code == 201
    assert response.json()["title"] == title


# The services whose endpoints take a JSON body, each with its worst-case valid body: every
# field at its limit, every character in its longest JSON spelling (shared.rules).
ORANGE = "\\ud83c\\udf4a"  # U+1F34A as JSON writes it escaped: 12 bytes for 1 character


def _escaped(text: str) -> str:
    return "".join(f"\\u{ord(char):04x}" for char in text)


def _worst_case_bodies(stack, service: str) -> tuple[str, bytes]:
    if service in ("monolith", "posts"):
        return "/api/posts/", ('{"title": "' + ORANGE * rules.TITLE_MAX_LENGTH + '"}').encode()
    if service in ("comments", "moderation"):
        content = ORANGE * rules.CONTENT_MAX_LENGTH
        if service == "moderation":
            return "/api/moderation/decisions/", ('{"content": "' + content + '"}').encode()
        post = requests.post(
            f"{stack.url('posts')}/api/posts/", json={"title": "Worst case"}, timeout=10
        ).json()
        body = ('{"content": "' + content + '"}').encode()
        return f"/api/posts/{post['id']}/comments/", body
    ids = ", ".join(f'"{_escaped(str(uuid.uuid4()))}"' for _ in range(rules.STORED_IDS_MAX))
    return "/internal/events/stored/", ('{"ids": [' + ids + "]}").encode()


BODY_SERVICES = [
    pytest.param(kind, name, id=name)
    for kind, name in [
        ("monolith", "monolith"),
        ("micro", "posts"),
        ("micro", "comments"),
        ("micro", "moderation"),
        ("micro", "eventbus"),
    ]
]


@pytest.mark.parametrize(("kind", "service"), BODY_SERVICES)
def test_the_worst_case_valid_body_of_every_endpoint_fits_the_limit(request, kind, service):
    stack = request.getfixturevalue(f"{kind}_stack")
    path, body = _worst_case_bodies(stack, service)
    assert len(body) <= rules.MAX_BODY_BYTES
    response = requests.post(
        f"{stack.url(service)}{path}",
        data=body,
        headers={"Content-Type": "application/json", **stack.internal_headers()},
        timeout=10,
    )
    assert response.status_code in (200, 201), response.text[:300]


@pytest.mark.parametrize(
    "nesting", [b"[" * 2000 + b"]" * 2000, b'{"a":' * 2000 + b"1" + b"}" * 2000]
)
@pytest.mark.parametrize(("kind", "service"), BODY_SERVICES)
def test_a_body_nested_too_deep_is_a_400_naming_the_body(request, kind, service, nesting):
    stack = request.getfixturevalue(f"{kind}_stack")
    path = BODY_PATHS[service].replace("/1/", "/999999/")
    response = requests.post(
        f"{stack.url(service)}{path}",
        data=nesting,
        headers={"Content-Type": "application/json", **stack.internal_headers()},
        timeout=10,
    )
    assert response.status_code == 400
    assert response.json()["fields"] == {"body": [rules.MSG_BODY_TOO_DEEP]}


@pytest.mark.parametrize(("kind", "service"), EVERY_SERVICE)
def test_the_schema_answers_a_wrong_method_in_the_json_error_shape(request, kind, service):
    stack = request.getfixturevalue(f"{kind}_stack")
    response = requests.post(f"{stack.url(service)}/api/schema/", timeout=10)
    assert response.status_code == 405
    assert response.headers["Content-Type"] == "application/json"
    assert response.json()["code"] == "method_not_allowed"


def _raw_request(url: str, request_line: bytes) -> bytes:
    address = urlsplit(url)
    with socket.create_connection((address.hostname, address.port), timeout=10) as connection:
        connection.sendall(request_line + b"\r\nHost: localhost\r\n\r\n")
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    return answer


@pytest.mark.parametrize(("kind", "service"), EVERY_SERVICE)
def test_the_web_servers_own_refusals_are_in_the_json_error_shape(request, kind, service):
    stack = request.getfixturevalue(f"{kind}_stack")
    answer = _raw_request(stack.url(service), b"GET /" + b"a" * 10_000 + b" HTTP/1.1")
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 414 ")
    assert b"Content-Type: application/json" in head
    assert json.loads(body)["code"] == "uri_too_long"


@pytest.mark.parametrize(("kind", "service"), EVERY_SERVICE)
def test_head_gets_no_body_and_logs_no_warning(request, kind, service):
    stack = request.getfixturevalue(f"{kind}_stack")
    log = stack.run_dir / "logs" / f"{service}-web.log"
    warnings_before = log.read_text().count("WARNING")
    for path in ("/health/", "/api/schema/", BODY_PATHS[service], "/nothing-here/"):
        response = requests.head(f"{stack.url(service)}{path}", timeout=10)
        assert response.content == b""
    # The same process answers a GET after the HEADs, so their log lines are written by now.
    assert requests.get(f"{stack.url(service)}/health/", timeout=10).status_code == 200
    assert log.read_text().count("WARNING") == warnings_before
