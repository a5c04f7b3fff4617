"""The aggregator's API: posts once, comments once per post; a clear 503 when either fails."""

from __future__ import annotations

import threading
import time

import pytest
from django.conf import settings

from micro.aggregator import selectors
from shared import rules
from shared.api.permissions import INTERNAL_TOKEN_HEADER
from shared.instrumentation.tally import REQUEST_ID_HEADER


def test_the_list_composes_posts_with_their_comments(client, blog, posts_service, comments_service):
    blog.add_post(3, comments=2)
    blog.add_post(2, comments=0)
    blog.add_post(1, comments=1, known_to_comments=False)

    response = client.get("/api/posts/")

    assert response.status_code == 200
    assert response.json() == [
        {**blog.posts[0], "comments": blog.comments[3]},
        {**blog.posts[1], "comments": []},
        {**blog.posts[2], "comments": []},
    ]


def test_the_list_takes_one_request_to_posts_and_one_per_post_to_comments(
    client, blog, posts_service, comments_service
):
    for post_id in range(1, 8):
        blog.add_post(post_id, comments=post_id % 3)

    response = client.get("/api/posts/", {"limit": 5})

    assert len(response.json()) == 5
    assert posts_service.paths == ["/api/posts/"]
    assert posts_service.requests[0].params == {"limit": "5"}
    assert comments_service.paths == [f"/api/posts/{post_id}/comments/" for post_id in range(1, 6)]


def test_internal_calls_carry_the_token_and_the_request_id(
    client, blog, posts_service, comments_service
):
    blog.add_post(1)

    response = client.get("/api/posts/", HTTP_X_REQUEST_ID="list-1")

    assert response[REQUEST_ID_HEADER] == "list-1"
    for request in posts_service.requests + comments_service.requests:
        assert request.headers[INTERNAL_TOKEN_HEADER] == settings.INTERNAL_TOKEN
        assert request.headers[REQUEST_ID_HEADER] == "list-1"


@pytest.mark.parametrize("limit", ["0", "abc", str(rules.LIST_LIMIT_MAX + 1)])
def test_a_bad_limit_is_a_400_that_calls_no_service(client, limit, posts_service):
    response = client.get("/api/posts/", {"limit": limit})

    assert response.status_code == 400
    assert response.json()["fields"] == {"limit": [rules.MSG_LIMIT_INVALID]}
    assert posts_service.requests == []


def _assert_unavailable(response, service: str) -> None:
    assert response.status_code == 503
    body = response.json()
    assert (body["code"], body["service"]) == ("service_unavailable", service)
    assert service in body["message"]


def test_posts_down_is_a_503_naming_posts_within_the_timeout(
    client, monkeypatch, closed_port_url, comments_service
):
    monkeypatch.setattr(selectors.posts_client, "base_url", closed_port_url)

    started = time.monotonic()
    response = client.get("/api/posts/")

    assert time.monotonic() - started < settings.HTTP_CONNECT_TIMEOUT + 1
    _assert_unavailable(response, "posts")
    assert comments_service.requests == []


def test_posts_that_never_answer_is_a_503_after_the_read_timeout(
    client, settings, monkeypatch, http_stand_in, comments_service
):
    released = threading.Event()

    def hang(path, params):
        released.wait(10)
        return 200, []

    monkeypatch.setattr(selectors.posts_client, "base_url", http_stand_in(hang).url)
    settings.HTTP_READ_TIMEOUT = 0.3

    started = time.monotonic()
    response = client.get("/api/posts/")
    elapsed = time.monotonic() - started
    released.set()

    _assert_unavailable(response, "posts")
    assert 0.3 <= elapsed < 2


@pytest.mark.parametrize(
    ("status", "body"), [(500, {"code": "server_error"}), (200, b"<html>oops</html>")]
)
def test_posts_answering_junk_is_a_503_naming_posts(client, blog, posts_service, status, body):
    posts_service.answer = lambda path, params: (status, body)

    _assert_unavailable(client.get("/api/posts/"), "posts")


def test_comments_answering_500_is_a_503_naming_comments(
    client, blog, posts_service, comments_service
):
    blog.add_post(2)
    blog.add_post(1)
    comments_service.answer = lambda path, params: (500, {"code": "server_error"})

    _assert_unavailable(client.get("/api/posts/"), "comments")
    assert comments_service.paths == ["/api/posts/2/comments/"]


def test_comments_down_is_a_503_naming_comments(
    client, blog, monkeypatch, posts_service, closed_port_url
):
    blog.add_post(1)
    monkeypatch.setattr(selectors.comments_client, "base_url", closed_port_url)

    _assert_unavailable(client.get("/api/posts/"), "comments")


def test_an_empty_list_asks_comments_nothing(client, posts_service, comments_service):
    assert client.get("/api/posts/").json() == []
    assert comments_service.requests == []


def test_one_post_with_its_comments(client, blog, posts_service, comments_service):
    blog.add_post(4, comments=3)

    response = client.get("/api/posts/4/")

    assert response.status_code == 200
    assert response.json() == {**blog.posts[0], "comments": blog.comments[4]}
    assert posts_service.paths == ["/api/posts/4/"]
    assert comments_service.paths == ["/api/posts/4/comments/"]


def test_one_post_comments_has_not_heard_of_has_no_comments(
    client, blog, posts_service, comments_service
):
    blog.add_post(5, known_to_comments=False)

    assert client.get("/api/posts/5/").json()["comments"] == []


def test_an_unknown_post_is_a_404(client, posts_service, comments_service):
    response = client.get("/api/posts/9/")

    assert response.status_code == 404
    assert response.json()["fields"] == {"post_id": [rules.MSG_POST_NOT_FOUND]}
    assert comments_service.requests == []


def test_one_post_with_comments_failing_is_a_503(client, blog, posts_service, comments_service):
    blog.add_post(6)
    comments_service.answer = lambda path, params: (502, {"code": "bad_gateway"})

    _assert_unavailable(client.get("/api/posts/6/"), "comments")


def test_the_api_is_in_the_schema(client):
    paths = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()["paths"]

    assert paths["/api/posts/"]["get"]["operationId"] == "post_list"
    assert paths["/api/posts/{post_id}/"]["get"]["operationId"] == "post_get"
