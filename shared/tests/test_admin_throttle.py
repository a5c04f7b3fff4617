"""The admin login is throttled against guessing (django-axes): locked after N wrong tries."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client

PASSWORD = "the-right-password-42"


@pytest.fixture
def admin_user(db):
    return get_user_model().objects.create_superuser("editor", "editor@example.com", PASSWORD)


def _log_in(client: Client, password: str):
    return client.post("/admin/login/?next=/admin/", {"username": "editor", "password": password})


def test_the_admin_login_locks_a_username_out_after_too_many_wrong_passwords(admin_user):
    client = Client(HTTP_HOST="localhost")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert _log_in(client, "guess").status_code == 200  # the form again, with an error
    assert _log_in(client, "guess").status_code == 429
    # Locked: even the right password is refused now.
    assert _log_in(client, PASSWORD).status_code == 429


def test_the_right_password_logs_in_after_a_few_wrong_ones(admin_user):
    client = Client(HTTP_HOST="localhost")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _log_in(client, "guess")
    reply = _log_in(client, PASSWORD)
    assert reply.status_code == 302
    assert reply["Location"] == "/admin/"
