"""Bad requests to the posts service: 400 naming the field, 404, 405, 413, 415; nothing written."""

from __future__ import annotations

import json

import pytest

from micro.posts.models import Post
from shared import rules
from shared.messaging.models import OutboxEvent

pytestmark = pytest.mark.django_db

POSTS_URL = "/api/posts/"
ERROR_KEYS = {"code", "message", "fields"}


def _post_json(api_client, raw_body: str):
    return api_client.generic("POST", POSTS_URL, raw_body, content_type="application/json")


def _assert_nothing_written() -> None:
    assert not Post.objects.exists()
    assert not OutboxEvent.objects.exists()


@pytest.mark.parametrize(
    ("raw_body", "message"),
    [
        ("{}", rules.MSG_REQUIRED),
        ("", rules.MSG_REQUIRED),
        ('{"title": ""}', rules.MSG_BLANK),
        ('{"title": " \\t\\n "}', rules.MSG_BLANK),
        ('{"title": 42}', rules.MSG_NOT_A_STRING),
        ('{"title": 4.2}', rules.MSG_NOT_A_STRING),
        ('{"title": false}', rules.MSG_NOT_A_STRING),
        ('{"title": ["a"]}', rules.MSG_NOT_A_STRING),
        (json.dumps({"title": "x" * (rules.TITLE_MAX_LENGTH + 1)}), rules.MSG_TITLE_TOO_LONG),
    ],
)
def test_bad_title_is_400_naming_title(api_client, raw_body, message):
    response = _post_json(api_client, raw_body)

    assert response.status_code == 400
    assert response.json() == {
        "code": "invalid",
        "message": message,
        "fields": {"title": [message]},
    }
    _assert_nothing_written()


def test_null_title_is_400_naming_title(api_client):
    response = _post_json(api_client, '{"title": null}')

    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["title"]
    _assert_nothing_written()


def test_null_title_is_400_with_a_rules_message(api_client):
    response = _post_json(api_client, '{"title": null}')

    assert response.json()["fields"] == {"title": [rules.MSG_NOT_A_STRING]}


@pytest.mark.parametrize("raw_body", ['["title"]', '"title"', "7"])
def test_body_that_is_not_an_object_is_400_naming_body(api_client, raw_body):
    response = _post_json(api_client, raw_body)

    assert response.status_code == 400
    assert set(response.json()) == ERROR_KEYS
    assert list(response.json()["fields"]) == ["body"]
    _assert_nothing_written()


@pytest.mark.parametrize("raw_body", ['["title"]', '"a title"', "null"])
def test_body_not_an_object_is_400_with_the_rules_message(api_client, raw_body):
    response = _post_json(api_client, raw_body)

    assert response.json()["fields"] == {"body": [rules.MSG_BODY_NOT_OBJECT]}


def test_malformed_json_is_400_malformed_json(api_client):
    response = _post_json(api_client, '{"title": "unterminated')

    assert response.status_code == 400
    assert response.json() == {
        "code": "malformed_json",
        "message": rules.MSG_MALFORMED_JSON,
        "fields": {"body": [rules.MSG_MALFORMED_JSON]},
    }
    _assert_nothing_written()


def test_title_of_exactly_the_maximum_length_is_accepted(api_client):
    title = "t" * rules.TITLE_MAX_LENGTH

    response = api_client.post(POSTS_URL, {"title": title}, format="json")

    assert response.status_code == 201
    assert Post.objects.get(pk=response.json()["id"]).title == title


def test_body_over_the_size_limit_is_413(api_client, settings):
    response = api_client.post(
        POSTS_URL, {"title": "x" * (settings.MAX_BODY_BYTES + 1)}, format="json"
    )

    assert response.status_code == 413
    body = response.json()
    assert body["code"] == "payload_too_large"
    assert body["message"] == rules.MSG_BODY_TOO_LARGE.format(limit=settings.MAX_BODY_BYTES)
    _assert_nothing_written()


@pytest.mark.parametrize("limit", ["0", "abc", str(rules.LIST_LIMIT_MAX + 1)])
def test_bad_limit_is_400_naming_limit(api_client, limit):
    response = api_client.get(POSTS_URL, {"limit": limit})

    assert response.status_code == 400
    assert response.json()["fields"] == {"limit": [rules.MSG_LIMIT_INVALID]}


def test_unknown_path_is_404_json(api_client):
    response = api_client.get("/api/no-such-thing/")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["code"] == "not_found"


@pytest.mark.parametrize(
    ("method", "path"),
    [("PUT", POSTS_URL), ("DELETE", "/api/posts/{post_id}/"), ("POST", "/api/posts/{post_id}/")],
)
def test_wrong_method_is_405_json(api_client, make_post, method, path):
    post = make_post()

    response = api_client.generic(method, path.format(post_id=post.id))

    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"
    assert Post.objects.filter(pk=post.pk).exists()


def test_unsupported_content_type_is_415(api_client):
    response = api_client.generic("POST", POSTS_URL, "title=x", content_type="text/plain")

    assert response.status_code == 415
    assert response.json()["code"] == "unsupported_media_type"
    _assert_nothing_written()
