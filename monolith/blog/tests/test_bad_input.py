"""Bad requests to the monolith: 400 naming the field, 404, 405, 413, 415, in the error shape."""

from __future__ import annotations

import json

import pytest

from monolith.blog.models import Comment, Post
from shared import rules

pytestmark = pytest.mark.django_db

POSTS_URL = "/api/posts/"
ERROR_KEYS = {"code", "message", "fields"}


def _comments_url(post_id: int) -> str:
    return f"/api/posts/{post_id}/comments/"


def _post_json(api_client, url: str, raw_body: str):
    return api_client.generic("POST", url, raw_body, content_type="application/json")


def _assert_invalid(response, field: str, message: str) -> None:
    assert response.status_code == 400
    body = response.json()
    assert set(body) == ERROR_KEYS
    assert body["fields"] == {field: [message]}
    assert body["message"] == message


@pytest.mark.parametrize(
    ("raw_body", "message"),
    [
        ("{}", rules.MSG_REQUIRED),
        ('{"content": "the wrong field"}', rules.MSG_REQUIRED),
        ('{"title": ""}', rules.MSG_BLANK),
        ('{"title": "   \\t\\n  "}', rules.MSG_BLANK),
        ('{"title": 42}', rules.MSG_NOT_A_STRING),
        ('{"title": true}', rules.MSG_NOT_A_STRING),
        ('{"title": ["a list"]}', rules.MSG_NOT_A_STRING),
        ('{"title": {"an": "object"}}', rules.MSG_NOT_A_STRING),
        (json.dumps({"title": "x" * (rules.TITLE_MAX_LENGTH + 1)}), rules.MSG_TITLE_TOO_LONG),
    ],
)
def test_bad_title_is_400_naming_title(api_client, raw_body, message):
    response = _post_json(api_client, POSTS_URL, raw_body)

    _assert_invalid(response, "title", message)
    assert not Post.objects.exists()


def test_null_title_is_400_with_a_rules_message(api_client):
    response = _post_json(api_client, POSTS_URL, '{"title": null}')

    _assert_invalid(response, "title", rules.MSG_NOT_A_STRING)


def test_null_title_is_400_naming_title(api_client):
    response = _post_json(api_client, POSTS_URL, '{"title": null}')

    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["title"]
    assert not Post.objects.exists()


@pytest.mark.parametrize("raw_body", ['["title"]', '"a title"', "42", "null"])
def test_body_that_is_not_an_object_is_400_naming_body(api_client, raw_body):
    response = _post_json(api_client, POSTS_URL, raw_body)

    assert response.status_code == 400
    assert set(response.json()) == ERROR_KEYS
    assert list(response.json()["fields"]) == ["body"]
    assert not Post.objects.exists()


@pytest.mark.parametrize("raw_body", ['["title"]', '"a title"', "null"])
def test_body_not_an_object_is_400_with_the_rules_message(api_client, raw_body):
    response = _post_json(api_client, POSTS_URL, raw_body)

    _assert_invalid(response, "body", rules.MSG_BODY_NOT_OBJECT)


@pytest.mark.parametrize("raw_body", ['{"title": ', "{title: 'x'}", "not json at all"])
def test_malformed_json_is_400_malformed_json(api_client, raw_body):
    response = _post_json(api_client, POSTS_URL, raw_body)

    assert response.status_code == 400
    assert response.json() == {
        "code": "malformed_json",
        "message": rules.MSG_MALFORMED_JSON,
        "fields": {"body": [rules.MSG_MALFORMED_JSON]},
    }


def test_empty_body_is_400_title_required(api_client):
    response = _post_json(api_client, POSTS_URL, "")

    _assert_invalid(response, "title", rules.MSG_REQUIRED)


def test_title_of_exactly_the_maximum_length_is_accepted(api_client):
    title = "t" * rules.TITLE_MAX_LENGTH

    response = api_client.post(POSTS_URL, {"title": title}, format="json")

    assert response.status_code == 201
    assert response.json()["title"] == title


def test_title_over_the_maximum_only_by_white_space_is_accepted(api_client):
    title = "t" * rules.TITLE_MAX_LENGTH

    response = api_client.post(POSTS_URL, {"title": f"  {title}  "}, format="json")

    assert response.status_code == 201
    assert response.json()["title"] == title


@pytest.mark.parametrize(
    ("raw_body", "message"),
    [
        ("{}", rules.MSG_REQUIRED),
        ('{"content": ""}', rules.MSG_BLANK),
        ('{"content": "  \\n "}', rules.MSG_BLANK),
        ('{"content": 7}', rules.MSG_NOT_A_STRING),
        ('{"content": false}', rules.MSG_NOT_A_STRING),
        (json.dumps({"content": "c" * (rules.CONTENT_MAX_LENGTH + 1)}), rules.MSG_CONTENT_TOO_LONG),
    ],
)
def test_bad_content_is_400_naming_content(api_client, make_post, raw_body, message):
    post = make_post()

    response = _post_json(api_client, _comments_url(post.id), raw_body)

    _assert_invalid(response, "content", message)
    assert not Comment.objects.exists()


def test_comment_body_that_is_not_an_object_is_400_naming_body(api_client, make_post):
    post = make_post()

    response = _post_json(api_client, _comments_url(post.id), '["apple"]')

    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["body"]


def test_content_of_exactly_the_maximum_length_is_accepted(api_client, make_post):
    post = make_post()
    content = "c" * rules.CONTENT_MAX_LENGTH

    response = api_client.post(_comments_url(post.id), {"content": content}, format="json")

    assert response.status_code == 201
    assert response.json()["content"] == content


def test_body_over_the_size_limit_is_413(api_client, settings):
    title = "x" * (settings.MAX_BODY_BYTES + 1)

    response = api_client.post(POSTS_URL, {"title": title}, format="json")

    assert response.status_code == 413
    body = response.json()
    assert body["code"] == "payload_too_large"
    assert body["message"] == rules.MSG_BODY_TOO_LARGE.format(limit=settings.MAX_BODY_BYTES)
    assert list(body["fields"]) == ["body"]
    assert not Post.objects.exists()


def test_comment_body_over_the_size_limit_is_413(api_client, make_post, settings):
    post = make_post()
    content = "c" * (settings.MAX_BODY_BYTES + 1)

    response = api_client.post(_comments_url(post.id), {"content": content}, format="json")

    assert response.status_code == 413
    assert response.json()["code"] == "payload_too_large"
    assert not Comment.objects.exists()


def test_body_exactly_at_the_size_limit_is_not_413(api_client, settings):
    padding = settings.MAX_BODY_BYTES - len('{"title": ""}')
    raw_body = '{"title": "' + "x" * padding + '"}'
    assert len(raw_body.encode()) == settings.MAX_BODY_BYTES

    response = _post_json(api_client, POSTS_URL, raw_body)

    assert response.status_code == 400
    assert response.json()["fields"] == {"title": [rules.MSG_TITLE_TOO_LONG]}


@pytest.mark.parametrize("limit", ["0", "-1", "abc", "1.5", str(rules.LIST_LIMIT_MAX + 1)])
def test_bad_limit_is_400_naming_limit(api_client, limit):
    response = api_client.get(POSTS_URL, {"limit": limit})

    _assert_invalid(response, "limit", rules.MSG_LIMIT_INVALID)


@pytest.mark.parametrize(
    "path", ["/api/nothing-here/", "/api/posts/abc/", "/api/posts/1/comments/2/", "/nope"]
)
def test_unknown_path_is_404_json(api_client, path):
    response = api_client.get(path)

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert set(body) == ERROR_KEYS
    assert body["code"] == "not_found"


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("PUT", POSTS_URL),
        ("DELETE", POSTS_URL),
        ("PATCH", "/api/posts/{post_id}/"),
        ("DELETE", "/api/posts/{post_id}/"),
        ("POST", "/api/posts/{post_id}/"),
        ("PUT", "/api/posts/{post_id}/comments/"),
    ],
)
def test_wrong_method_is_405_json(api_client, make_post, method, path):
    post = make_post()

    response = api_client.generic(method, path.format(post_id=post.id))

    assert response.status_code == 405
    body = response.json()
    assert set(body) == ERROR_KEYS
    assert body["code"] == "method_not_allowed"
    assert Post.objects.filter(pk=post.pk).exists()


@pytest.mark.parametrize(
    ("content_type", "raw_body"),
    [
        ("text/plain", "title=hello"),
        ("application/x-www-form-urlencoded", "title=hello"),
        ("application/xml", "<title>hello</title>"),
    ],
)
def test_unsupported_content_type_is_415(api_client, content_type, raw_body):
    response = api_client.generic("POST", POSTS_URL, raw_body, content_type=content_type)

    assert response.status_code == 415
    body = response.json()
    assert set(body) == ERROR_KEYS
    assert body["code"] == "unsupported_media_type"
    assert not Post.objects.exists()


def test_unsupported_content_type_on_comments_is_415(api_client, make_post):
    post = make_post()

    response = api_client.generic(
        "POST", _comments_url(post.id), "content=apple", content_type="text/plain"
    )

    assert response.status_code == 415
    assert not Comment.objects.exists()
