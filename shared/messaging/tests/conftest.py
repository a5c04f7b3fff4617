"""Fixtures of the messaging tests: a recording stand-in for Celery's send_task, a consumer."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from celery import current_app as celery_app

from shared.messaging import dead_letters
from shared.messaging.models import DeadLetter


@dataclass
class SentTasks:
    """Stands in for the Celery app in shared.messaging.dead_letters: records each send_task,
    and runs the task eagerly when `run` is set, as a worker would."""

    calls: list[tuple[str, list | None]] = field(default_factory=list)
    run: bool = False
    broker_error: Exception | None = None

    def send_task(self, name: str, args: list | None = None, **options) -> None:
        if self.broker_error is not None:
            raise self.broker_error
        self.calls.append((name, args))
        if self.run:
            celery_app.tasks[name].apply(args=tuple(args or ()))


@pytest.fixture
def sent_tasks(monkeypatch) -> SentTasks:
    recorder = SentTasks()
    monkeypatch.setattr(dead_letters, "current_app", recorder)
    return recorder


@pytest.fixture
def make_dead_letter(db):
    """A dead letter kept for a task, as consume_message keeps one."""

    def make(*, task_name: str = "query.handle_event", message: object = None) -> DeadLetter:
        return DeadLetter.objects.create(
            task_name=task_name,
            message=message if message is not None else {"id": "not-a-uuid", "type": "Nope"},
            error="invalid event: event id must be a UUID",
        )

    return make
