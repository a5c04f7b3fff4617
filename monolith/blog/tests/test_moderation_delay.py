"""The monolith moderates in the request: a slow moderation step makes the comment POST wait."""

from __future__ import annotations

import time

import pytest

from shared import rules

pytestmark = pytest.mark.django_db


@pytest.fixture
def recorded_sleeps(monkeypatch) -> list[float]:
    """Record the moderation rule's sleeps instead of sleeping."""
    sleeps: list[float] = []
    monkeypatch.setattr(rules.time, "sleep", sleeps.append)
    return sleeps


def _comment(api_client, post_id: int, content: str = "apple"):
    return api_client.post(f"/api/posts/{post_id}/comments/", {"content": content}, format="json")


def test_comment_create_waits_for_slow_moderation(api_client, make_post, settings):
    settings.MODERATION_DELAY_MS = 300
    post = make_post()

    started = time.monotonic()
    response = _comment(api_client, post.id)
    elapsed = time.monotonic() - started

    assert response.status_code == 201
    assert elapsed >= 0.3


def test_comment_create_asks_moderation_for_the_configured_delay(
    api_client, make_post, settings, recorded_sleeps
):
    settings.MODERATION_DELAY_MS = 300
    post = make_post()

    response = _comment(api_client, post.id, "Orange")

    assert response.json()["status"] == rules.REJECTED
    assert recorded_sleeps == [0.3]


def test_comment_create_does_not_sleep_without_a_delay(
    api_client, make_post, settings, recorded_sleeps
):
    settings.MODERATION_DELAY_MS = 0
    post = make_post()

    response = _comment(api_client, post.id)

    assert response.status_code == 201
    assert recorded_sleeps == []
