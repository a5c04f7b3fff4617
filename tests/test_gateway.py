"""The gateway (a real nginx, config from the route table) in front of the launched micro stack:
one base URL, each operation sent to the service the route table names, errors in the shape."""

from __future__ import annotations

import os
import re
import uuid

import pytest
import requests

from stacks.client import BlogClient
from stacks.gateway import APP_MAX_BODY_BYTES, OPERATION_PATHS, Gateway, nginx_binary
from stacks.processes import wait_until
from stacks.routes import PUBLIC_ROUTES
from tests.conftest import eventually

# What this checks does not depend on the database: run on SQLite only (see Makefile).
pytestmark = [pytest.mark.e2e, pytest.mark.any_database]

try:
    nginx_binary()
except FileNotFoundError:
    pytest.skip("nginx is not installed (Debian: apt-get install nginx)", allow_module_level=True)


@pytest.fixture(scope="module")
def gateway(micro_stack, tmp_path_factory):
    with Gateway(tmp_path_factory.mktemp("gateway"), micro_stack.urls) as running:
        yield running


@pytest.fixture
def through_gateway(micro_stack, gateway) -> BlogClient:
    """The blog client with every service's URL replaced by the gateway's one base URL."""
    return BlogClient("micro", {name: gateway.url for name in micro_stack.urls})


def answered_by(gateway: Gateway, micro_stack, request_id: str) -> str:
    """Which service answered a request, from the upstream in the gateway's access log."""
    log = gateway.prefix / "access.log"
    found = {}

    def logged() -> bool:
        match = re.search(rf"upstream=(\S+) rid={request_id}$", log.read_text(), flags=re.M)
        found["upstream"] = match and match.group(1)
        return bool(match)

    wait_until(logged, timeout=5, message=f"request {request_id} is not in {log}")
    services = {f"{micro_stack.host}:{port}": name for name, port in micro_stack.ports.items()}
    return services.get(found["upstream"], found["upstream"])


def test_a_post_and_its_comment_go_through_the_gateway_to_the_list(through_gateway, unique):
    post = through_gateway.create_post(f"through the gateway {unique}")
    assert post.status == 201, post.body
    comment = through_gateway.add_comment(post.body["id"], f"a kind word {unique}")
    assert comment.status == 201, comment.body
    assert comment.body["status"] == "pending"

    def listed_comment(reply):
        posts = [p for p in reply.body if p["id"] == post.body["id"]] if reply.ok else []
        comments = posts[0]["comments"] if posts else []
        return comments and comments[0]["status"] == "approved"

    listed = eventually(through_gateway.list_posts, until=listed_comment)
    assert listed.status == 200
    detail = through_gateway.get_post(post.body["id"])
    assert detail.status == 200 and detail.body["comments"][0]["content"].endswith(unique)


def test_each_operation_reaches_the_service_the_route_table_names(micro_stack, gateway, unique):
    post_id = requests.post(
        f"{gateway.url}/api/posts/", json={"title": f"routed {unique}"}, timeout=10
    ).json()["id"]
    # post_get is served by query: wait until the read model has the post (eventual).
    eventually(
        lambda: requests.get(f"{gateway.url}/api/posts/{post_id}/", timeout=10),
        until=lambda response: response.status_code == 200,
    )
    bodies = {"post_create": {"title": f"routed {unique}"}, "comment_create": {"content": "hi"}}
    for operation, (method, path) in OPERATION_PATHS.items():
        request_id = f"gateway-{operation}-{uuid.uuid4().hex[:8]}"
        response = requests.request(
            method,
            gateway.url + path.format(post_id=post_id),
            json=bodies.get(operation),
            headers={"X-Request-ID": request_id},
            timeout=10,
        )
        assert response.status_code in {200, 201}, (operation, response.text)
        assert response.headers["X-Request-ID"] == request_id
        assert answered_by(gateway, micro_stack, request_id) == PUBLIC_ROUTES[operation]["micro"]


def test_the_gateway_answers_what_no_service_does_in_the_error_shape(gateway):
    unknown = requests.get(f"{gateway.url}/internal/events/", timeout=5)
    assert unknown.status_code == 404
    assert unknown.json()["code"] == "not_found"

    def post_bytes(size: int) -> requests.Response:
        headers = {"Content-Type": "application/json"}
        return requests.post(
            f"{gateway.url}/api/posts/", data=b"x" * size, headers=headers, timeout=5
        )

    # A bit over the services' limit, the service answers (with its request id header);
    # far over it, nginx does, with the same body.
    # nginx's own limit is twice the services'.
    a_bit_over = post_bytes(APP_MAX_BODY_BYTES + 1_000)
    far_over = post_bytes(3 * APP_MAX_BODY_BYTES)
    assert a_bit_over.status_code == far_over.status_code == 413
    assert a_bit_over.json() == far_over.json()
    assert a_bit_over.json()["code"] == "payload_too_large"
    assert "X-Request-ID" in a_bit_over.headers and "X-Request-ID" not in far_over.headers


def test_a_stopped_service_is_a_503_naming_it(micro_stack, gateway):
    micro_stack.stop_process("query-web")
    try:
        response = requests.get(f"{gateway.url}/api/posts/", timeout=10)
    finally:
        micro_stack.start_process("query-web")
    assert response.status_code == 503
    assert response.json()["code"] == "service_unavailable"
    assert response.json()["service"] == "query"
    assert response.headers["Retry-After"] == "1"
    assert requests.get(f"{gateway.url}/api/posts/", timeout=10).status_code == 200


def test_a_stopped_gateway_leaves_no_nginx_running(tmp_path):
    routed = {name: "http://127.0.0.1:9" for name in ("posts", "query", "comments")}
    gateway = Gateway(tmp_path, routed).start()
    master = gateway.process.pid
    workers = [int(pid) for pid in os.popen(f"pgrep -P {master}").read().split()]
    gateway.stop()
    assert workers, "nginx started no worker process"
    for pid in [master, *workers]:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)
