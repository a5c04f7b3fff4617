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


class FakeEventStore:
    """Stands in for the event bus's POST /internal/events/stored/."""

    def __init__(self, stored: set[str]):
        self.stored = stored
        self.asked: list[list[str]] = []

    def post_json(self, path: str, body: dict) -> dict:
        assert path == "/internal/events/stored/"
        self.asked.append(body["ids"])
        return {"stored": [event_id for event_id in body["ids"] if event_id in self.stored]}


def _all_sent_a_minute_ago() -> list[str]:
    from datetime import timedelta

    from django.utils import timezone

    from shared.messaging.models import OutboxEvent

    OutboxEvent.objects.update(sent_at=timezone.now() - timedelta(seconds=60))
    return [str(event_id) for event_id in OutboxEvent.objects.values_list("id", flat=True)]


def test_confirm_marks_what_the_store_holds_and_sends_the_rest_again(db, monkeypatch):
    from micro.posts import services
    from shared.messaging import catch_up, publish
    from shared.messaging.models import OutboxEvent

    for number in range(3):
        services.post_create(title=f"confirm {number}")
    held, lost_one, lost_two = _all_sent_a_minute_ago()
    store = FakeEventStore({held})
    sent: list[dict] = []
    monkeypatch.setattr(catch_up, "event_store_client", lambda: store)
    monkeypatch.setattr(
        publish, "send_to_eventbus", lambda message, **headers: sent.append(message)
    )

    assert publish.outbox_confirm() == 2

    assert sorted(message["id"] for message in sent) == sorted([lost_one, lost_two])
    assert OutboxEvent.objects.get(id=held).confirmed_at is not None
    assert OutboxEvent.objects.filter(confirmed_at__isnull=True).count() == 2
    assert publish.outbox_confirm() == 0  # just sent again: not asked about before 5 s
