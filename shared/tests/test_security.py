"""Production's HTTPS settings: browsers are redirected, probes and internal calls are not."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client, override_settings

from shared.api.permissions import INTERNAL_TOKEN_HEADER
from shared.settings import security

BEHIND_A_TLS_INGRESS = override_settings(
    SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https"),
    SECURE_SSL_REDIRECT=True,
    SECURE_HSTS_SECONDS=security.ONE_YEAR,
)


@pytest.fixture
def ingress_client():
    with BEHIND_A_TLS_INGRESS:
        yield Client()  # a new client loads the middleware with these settings


def test_plain_http_from_a_browser_is_redirected_to_https(ingress_client):
    response = ingress_client.get("/api/schema/", HTTP_HOST="localhost")

    assert response.status_code == 301
    assert response["Location"] == "https://localhost/api/schema/"


@pytest.mark.parametrize("path", ["/health/", "/metrics"])
def test_probes_and_scrapes_over_plain_http_are_not_redirected(ingress_client, path):
    response = ingress_client.get(path, HTTP_HOST="localhost")

    assert response.status_code != 301


def test_https_at_the_ingress_is_served_with_hsts(ingress_client):
    response = ingress_client.get(
        "/api/schema/", HTTP_HOST="localhost", HTTP_X_FORWARDED_PROTO="https"
    )

    assert response.status_code == 200
    assert response["Strict-Transport-Security"].startswith(f"max-age={security.ONE_YEAR}")


def test_a_call_from_another_service_is_not_redirected(ingress_client):
    response = ingress_client.get(
        "/api/schema/",
        HTTP_HOST="localhost",
        headers={INTERNAL_TOKEN_HEADER: settings.INTERNAL_TOKEN},
    )

    assert response.status_code == 200


def test_a_wrong_internal_token_does_not_skip_the_redirect(ingress_client):
    response = ingress_client.get(
        "/api/schema/", HTTP_HOST="localhost", headers={INTERNAL_TOKEN_HEADER: "not-the-token"}
    )

    assert response.status_code == 301


def test_the_internal_hop_runs_before_the_security_middleware_in_every_chain():
    for chain in (
        settings.MIDDLEWARE,
        security.with_deploy_middleware(["x", security.SECURITY_MIDDLEWARE]),
    ):
        position = chain.index(security.SECURITY_MIDDLEWARE)
        assert chain[position - 1] == security.INTERNAL_HOP_MIDDLEWARE


def test_the_admins_answers_carry_what_the_silenced_deploy_checks_look_for(client, db):
    response = client.get("/admin/login/")

    assert response.headers["X-Frame-Options"] == "DENY"  # security.W002
    assert "csrftoken" in response.cookies  # security.W003


def test_production_trusts_csrf_origins_on_its_named_hosts(monkeypatch):
    monkeypatch.setattr(security, "PRODUCTION", True)
    monkeypatch.delenv("DJANGO_CSRF_TRUSTED_ORIGINS", raising=False)
    monkeypatch.setenv("DJANGO_ENV", "production")
    monkeypatch.setenv("DJANGO_ALLOWED_HOSTS", "blog.example.org,.example.net,10.0.0.7,*")

    assert security.csrf_trusted_origins() == ["https://blog.example.org", "https://example.net"]

    monkeypatch.setenv("DJANGO_CSRF_TRUSTED_ORIGINS", "https://admin.example.org")
    assert security.csrf_trusted_origins() == ["https://admin.example.org"]
