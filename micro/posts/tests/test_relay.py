"""relay_outbox: sends unsent events oldest first, marks them sent, and survives a broker outage."""

from __future__ import annotations

import pytest

from shared.messaging import publish
from shared.messaging.models import OutboxEvent

pytestmark = pytest.mark.django_db


def _outbox() -> list[OutboxEvent]:
    return list(OutboxEvent.objects.order_by("created_at"))


def test_relay_sends_unsent_events_oldest_first_and_marks_them_sent(make_post, sent_messages):
    for _ in range(3):
        make_post()

    sent = publish.relay_outbox()

    assert sent == 3
    outbox = _outbox()
    assert sent_messages == [outbox_event.message for outbox_event in outbox]
    assert all(outbox_event.sent_at is not None for outbox_event in outbox)
    assert [outbox_event.attempts for outbox_event in outbox] == [1, 1, 1]


def test_relay_does_not_send_an_event_twice(make_post, sent_messages):
    make_post()
    publish.relay_outbox()

    sent_again = publish.relay_outbox()

    assert sent_again == 0
    assert len(sent_messages) == 1


def test_relay_of_named_events_sends_only_those(make_post, sent_messages):
    make_post()
    make_post()
    first, second = _outbox()

    sent = publish.relay_outbox(ids=[str(second.id)])

    assert sent == 1
    assert sent_messages == [second.message]
    first.refresh_from_db()
    assert first.sent_at is None


def test_relay_with_the_broker_down_keeps_events_unsent(make_post, broker_down):
    make_post()
    make_post()

    sent = publish.relay_outbox()

    assert sent == 0
    first, second = _outbox()
    assert first.sent_at is None
    assert first.attempts == 1
    assert "Connection refused" in first.last_error
    # The relay stops at the first failure: the broker is away for the others too.
    assert (second.sent_at, second.attempts, second.last_error) == (None, 0, "")
    assert broker_down == [first.message]


def test_relay_counts_every_failed_attempt(make_post, broker_down):
    make_post()

    publish.relay_outbox()
    publish.relay_outbox()

    [outbox_event] = _outbox()
    assert outbox_event.attempts == 2
    assert outbox_event.sent_at is None


def test_relay_sends_on_the_next_call_once_the_broker_is_back(make_post, monkeypatch):
    from redis.exceptions import ConnectionError as RedisConnectionError

    make_post()
    make_post()
    broker = {"up": False}
    sent_messages: list[dict] = []

    def send(message: dict, **headers) -> None:
        if not broker["up"]:
            raise RedisConnectionError("Connection refused.")
        sent_messages.append(message)

    monkeypatch.setattr(publish, "send_to_eventbus", send)
    assert publish.relay_outbox() == 0

    broker["up"] = True
    sent = publish.relay_outbox()

    assert sent == 2
    first, second = _outbox()
    assert sent_messages == [first.message, second.message]
    assert (first.attempts, second.attempts) == (2, 1)
    assert first.sent_at is not None
    assert second.sent_at is not None
