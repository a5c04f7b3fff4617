"""Fixtures of the posts service's tests: posts, and a recording event bus."""

from __future__ import annotations

import pytest

from micro.posts import services
from micro.posts.models import Post
from shared.messaging import publish


@pytest.fixture
def make_post(db, unique_title):
    """A post created through the service, so it has its PostCreated in the outbox."""

    def make(*, title: str | None = None) -> Post:
        return services.post_create(title=title or unique_title())

    return make


@pytest.fixture
def sent_messages(monkeypatch) -> list[dict]:
    """The messages handed to the event bus, recorded instead of sent to Redis."""
    messages: list[dict] = []
    monkeypatch.setattr(
        publish, "publish_event", lambda message, **headers: messages.append(message)
    )
    return messages


@pytest.fixture
def broker_down(monkeypatch) -> list[dict]:
    """An event bus whose broker refuses connections; records what was attempted."""
    from redis.exceptions import ConnectionError as RedisConnectionError

    attempts: list[dict] = []

    def refuse(message: dict, **headers) -> None:
        attempts.append(message)
        raise RedisConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(publish, "publish_event", refuse)
    return attempts
