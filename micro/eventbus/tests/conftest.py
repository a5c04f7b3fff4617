"""Fixtures of the event bus's unit tests: events, a recorder of sent tasks, API clients."""

from __future__ import annotations

import itertools

import pytest
from celery import current_app
from django.conf import settings
from rest_framework.test import APIClient

from shared import events
from shared.events import Event
from shared.testing.events import dev_signed, example_data

_numbers = itertools.count(1)


def _data_for(event_type: str) -> dict:
    return example_data(event_type, next(_numbers))


@pytest.fixture
def make_event_message():
    """A valid event envelope of a type, with unique ids."""

    def make(event_type: str = events.POST_CREATED) -> dict:
        return dev_signed(
            Event(type=event_type, source="tests", data=_data_for(event_type))
        ).as_message()

    return make


class TaskRecorder:
    """Stands in for the Celery app's send_task; remembers what was sent (the event bus
    sends nothing on: its publishers sent each event to the subscribers themselves)."""

    def __init__(self):
        self.sent: list[tuple[str, list]] = []
        self.failures_left = 0

    def send_task(self, name: str, args=None, **options):
        if self.failures_left:
            self.failures_left -= 1
            raise ConnectionRefusedError("broker unavailable")
        self.sent.append((name, args))

    @property
    def names(self) -> list[str]:
        return [name for name, _ in self.sent]


@pytest.fixture
def sent_tasks(monkeypatch) -> TaskRecorder:
    recorder = TaskRecorder()
    monkeypatch.setattr(current_app, "send_task", recorder.send_task)
    return recorder


@pytest.fixture
def internal_client() -> APIClient:
    client = APIClient()
    client.credentials(HTTP_X_INTERNAL_TOKEN=settings.INTERNAL_TOKEN)
    return client
