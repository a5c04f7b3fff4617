"""The moderation service's HTTP API: the decision preview, its errors, health and schema."""

from __future__ import annotations

import json

import pytest
from django.conf import settings

from shared import rules

DECISIONS = "/api/moderation/decisions/"


@pytest.mark.parametrize(
    ("content", "status"),
    [("An orange!", rules.REJECTED), ("ORANGE", rules.REJECTED), ("A pear.", rules.APPROVED)],
)
def test_preview_applies_the_rule(api, content, status):
    response = api.post(DECISIONS, {"content": content}, format="json")

    assert response.status_code == 200
    assert response.json() == {"status": status}


def test_preview_applies_the_configured_delay(api, settings, monkeypatch):
    delays = []

    def moderate_slowly(content: str, *, delay_ms: int) -> str:
        delays.append(delay_ms)
        return rules.APPROVED

    settings.MODERATION_DELAY_MS = 120
    monkeypatch.setattr(rules, "moderate_slowly", moderate_slowly)

    assert api.post(DECISIONS, {"content": "slow"}, format="json").status_code == 200
    assert delays == [120]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({}, rules.MSG_REQUIRED),
        ({"content": ""}, rules.MSG_BLANK),
        ({"content": "   "}, rules.MSG_BLANK),
        ({"content": 7}, rules.MSG_NOT_A_STRING),
        ({"content": False}, rules.MSG_NOT_A_STRING),
        ({"content": "x" * (rules.CONTENT_MAX_LENGTH + 1)}, rules.MSG_CONTENT_TOO_LONG),
    ],
)
def test_bad_preview_is_400_naming_content(api, body, message):
    response = api.post(DECISIONS, body, format="json")

    assert response.status_code == 400
    assert response.json() == {
        "code": "invalid",
        "message": message,
        "fields": {"content": [message]},
    }


def test_malformed_json_is_400(api):
    response = api.post(DECISIONS, data="{nope", content_type="application/json")

    assert response.status_code == 400
    assert response.json()["code"] == "malformed_json"
    assert response.json()["fields"] == {"body": [rules.MSG_MALFORMED_JSON]}


def test_body_over_the_limit_is_413(api):
    body = json.dumps({"content": "x" * (settings.MAX_BODY_BYTES + 1)})

    response = api.post(DECISIONS, data=body, content_type="application/json")

    assert response.status_code == 413
    assert response.json()["code"] == "payload_too_large"


def test_get_is_405_in_the_error_shape(api):
    response = api.get(DECISIONS)

    assert response.status_code == 405
    assert set(response.json()) == {"code", "message", "fields"}


def test_unknown_path_is_404_in_the_error_shape(api):
    response = api.get("/admin/")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_schema_documents_the_preview(api):
    response = api.get("/api/schema/", HTTP_ACCEPT="application/json")

    assert response.status_code == 200
    schema = json.loads(response.content)
    assert schema["paths"][DECISIONS]["post"]["operationId"] == "moderation_decide"


def test_health_without_a_database(api):
    response = api.get("/health/")

    assert response.status_code == 200
    assert response.json() == {"service": "moderation", "status": "ok", "database": "none"}


def test_swagger_ui_and_redoc_are_served_from_the_services_own_assets(client):
    """A service without a database or admin still serves its docs pages and their assets."""
    from shared.testing.docs_pages import check_docs_pages

    check_docs_pages(client)
