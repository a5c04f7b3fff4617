"""Catch-up stays behind live delivery while messages wait on the worker's own queue: the
check on a real Redis (the test session's private one, as this service's broker)."""

from __future__ import annotations

from shared.messaging import catch_up


def test_live_delivery_is_busy_while_a_message_waits_on_the_own_queue(broker, settings):
    assert catch_up.live_delivery_busy() is False
    broker.lpush(settings.CELERY_TASK_DEFAULT_QUEUE, "a message")
    assert catch_up.live_delivery_busy() is True
    broker.lpush("query", "another service's message")
    broker.delete(settings.CELERY_TASK_DEFAULT_QUEUE)
    assert catch_up.live_delivery_busy() is False  # only its own queue counts


def test_a_broker_that_does_not_answer_is_not_busy(settings, closed_port_url):
    """Then catch-up is the only way events arrive: it must not wait."""
    settings.CELERY_BROKER_URL = closed_port_url.replace("http://", "redis://")
    assert catch_up.live_delivery_busy() is False
