"""Fixtures of the moderation service's tests: an API client, CommentCreated events, the bus."""

from __future__ import annotations

import itertools

import pytest
from rest_framework.test import APIClient

from micro.moderation import handlers
from shared import events, rules
from shared.events import Event
from shared.testing.events import dev_signed

_comment_ids = itertools.count(start=1)


@pytest.fixture
def api() -> APIClient:
    return APIClient()


@pytest.fixture
def comment_created():
    """Makes CommentCreated events for comments no other test uses."""

    def make(content: str) -> Event:
        comment_id = next(_comment_ids)
        return dev_signed(
            Event(
                type=events.COMMENT_CREATED,
                source="comments",
                data={
                    "comment_id": comment_id,
                    "post_id": 1_000 + comment_id,
                    "content": content,
                    "status": rules.PENDING,
                    "created_at": "2026-01-01T00:00:00+00:00",
                    "revision": 1,
                },
            )
        )

    return make


@pytest.fixture
def eventbus(monkeypatch) -> list[dict]:
    """The messages the task hands to the event bus, instead of sending them to Redis."""
    sent: list[dict] = []
    monkeypatch.setattr(handlers, "publish_event", sent.append)
    return sent
