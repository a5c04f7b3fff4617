"""The monolith's health check and OpenAPI schema."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def test_health_is_200_with_the_database_up(api_client):
    response = api_client.get("/health/")

    assert response.status_code == 200
    assert response.json() == {"service": "monolith", "status": "ok", "database": "ok"}


def test_schema_is_200_and_documents_the_public_paths(api_client):
    response = api_client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")

    assert response.status_code == 200
    schema = response.json()
    paths = schema["paths"]
    assert {"/api/posts/", "/api/posts/{post_id}/", "/api/posts/{post_id}/comments/"} <= set(paths)
    assert set(paths["/api/posts/"]) == {"get", "post"}
    assert paths["/api/posts/"]["post"]["operationId"] == "post_create"
    assert paths["/api/posts/"]["get"]["operationId"] == "post_list"
    assert paths["/api/posts/{post_id}/"]["get"]["operationId"] == "post_get"
    assert paths["/api/posts/{post_id}/comments/"]["post"]["operationId"] == "comment_create"
    assert "201" in paths["/api/posts/{post_id}/comments/"]["post"]["responses"]


def test_schema_as_yaml_names_the_paths(api_client):
    response = api_client.get("/api/schema/")

    assert response.status_code == 200
    text = response.content.decode()
    assert "/api/posts/{post_id}/comments/:" in text
    assert "/health/:" in text


def test_schema_generates_without_warnings_and_validates():
    output = io.StringIO()

    call_command(
        "spectacular", "--fail-on-warn", "--validate", "--format=openapi-json", stdout=output
    )

    assert '"post_create"' in output.getvalue()


def test_liveness_and_readiness_are_200_with_the_database_up(api_client):
    live = api_client.get("/health/live/")
    ready = api_client.get("/health/ready/")

    assert (live.status_code, live.json()) == (200, {"service": "monolith", "status": "ok"})
    assert ready.status_code == 200
    assert ready.json() == {"service": "monolith", "status": "ok", "database": "ok"}


def test_with_the_database_away_liveness_stays_200_and_readiness_is_503(api_client, monkeypatch):
    from django.db import DatabaseError, connections

    def refuse(*args, **kwargs):
        raise DatabaseError("the database is away")

    monkeypatch.setattr(connections["default"], "cursor", refuse)

    assert api_client.get("/health/live/").status_code == 200
    for path in ("/health/ready/", "/health/"):
        response = api_client.get(path)
        assert response.status_code == 503, path
        assert response.json()["database"] == "unavailable"
