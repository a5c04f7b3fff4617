"""Handing an event to the event bus's queue (no database needed: moderation uses it directly)."""

from __future__ import annotations

from celery import current_app
from kombu.exceptions import KombuError
from redis.exceptions import RedisError

from shared.deployables import EVENTBUS, event_task, queue
from shared.instrumentation.tally import REQUEST_ID_MESSAGE_HEADER

PUBLISH_TASK = event_task(EVENTBUS)
EVENTBUS_QUEUE = queue(EVENTBUS)  # where PUBLISH_TASK goes (CELERY_TASK_ROUTES by name prefix)
BROKER_ERRORS = (KombuError, RedisError, OSError)


def send_to_eventbus(message: dict, *, request_id: str = "") -> None:
    """Hand one event to the event bus's queue. Raises a broker error when Redis is away."""
    current_app.send_task(
        PUBLISH_TASK,
        args=[message],
        headers={REQUEST_ID_MESSAGE_HEADER: request_id} if request_id else None,
        retry=True,
        retry_policy={"max_retries": 1, "interval_start": 0.1, "interval_step": 0.2},
    )
