"""The shared exception handler renders every error as {"code", "message", "fields"}."""

from __future__ import annotations

import pytest
from django.core.exceptions import RequestDataTooBig
from django.http import Http404
from rest_framework import exceptions

from shared import rules
from shared.api.errors import (
    PostNotFound,
    ServiceUnavailable,
    error_body,
    exception_handler,
    too_large_body,
)

ERROR_KEYS = {"code", "message", "fields"}


def _handle(error: Exception):
    return exception_handler(error, {"view": None})


def test_service_unavailable_is_503_naming_the_service_with_retry_after():
    response = _handle(ServiceUnavailable("comments"))

    assert response.status_code == 503
    assert response.data == {
        "code": "service_unavailable",
        "message": rules.MSG_SERVICE_UNAVAILABLE.format(service="comments"),
        "fields": {},
        "service": "comments",
    }
    assert response["Retry-After"] == "1"


def test_service_unavailable_keeps_a_custom_message():
    response = _handle(ServiceUnavailable("broker", rules.MSG_BROKER_UNAVAILABLE))

    assert response.data["message"] == rules.MSG_BROKER_UNAVAILABLE


def test_post_not_found_is_404_naming_post_id():
    response = _handle(PostNotFound())

    assert response.status_code == 404
    assert response.data == error_body(
        code="not_found",
        message=rules.MSG_POST_NOT_FOUND,
        fields={"post_id": [rules.MSG_POST_NOT_FOUND]},
    )


def test_http404_is_404_not_found():
    response = _handle(Http404("nothing"))

    assert response.status_code == 404
    assert response.data["code"] == "not_found"
    assert set(response.data) == ERROR_KEYS


def test_validation_error_names_each_field():
    error = exceptions.ValidationError(
        {"title": [rules.MSG_BLANK], "limit": rules.MSG_LIMIT_INVALID}
    )

    response = _handle(error)

    assert response.status_code == 400
    assert response.data == {
        "code": "invalid",
        "message": rules.MSG_BLANK,
        "fields": {"title": [rules.MSG_BLANK], "limit": [rules.MSG_LIMIT_INVALID]},
    }


def test_validation_error_without_a_field_is_about_the_body():
    response = _handle(exceptions.ValidationError([rules.MSG_BODY_NOT_OBJECT]))

    assert response.data["fields"] == {"body": [rules.MSG_BODY_NOT_OBJECT]}


def test_parse_error_is_malformed_json():
    response = _handle(exceptions.ParseError("JSON parse error - Expecting value"))

    assert response.status_code == 400
    assert response.data["code"] == "malformed_json"
    assert response.data["message"] == rules.MSG_MALFORMED_JSON


def test_request_data_too_big_is_413(settings):
    response = _handle(RequestDataTooBig("too big"))

    assert response.status_code == 413
    assert response.data == too_large_body(settings.MAX_BODY_BYTES)


def test_unexpected_error_is_a_500_without_a_stack_trace(caplog):
    response = _handle(RuntimeError("secret internals"))

    assert response.status_code == 500
    assert response.data == error_body(code="server_error", message="Internal server error.")
    assert "secret internals" not in str(response.data)
    assert "unhandled error" in caplog.text


@pytest.mark.parametrize(
    ("error", "status", "code"),
    [
        (exceptions.MethodNotAllowed("PUT"), 405, "method_not_allowed"),
        (exceptions.UnsupportedMediaType("text/plain"), 415, "unsupported_media_type"),
        (exceptions.NotAuthenticated(), 401, "not_authenticated"),
        (exceptions.PermissionDenied(), 403, "permission_denied"),
    ],
)
def test_other_api_errors_keep_their_status_and_code(error, status, code):
    response = _handle(error)

    assert response.status_code == status
    assert response.data["code"] == code
    assert set(response.data) == ERROR_KEYS
