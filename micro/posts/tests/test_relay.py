"""relay_outbox: sends unsent events oldest first, marks them sent, and survives a broker outage."""

from __future__ import annotations

import base64
import json
import threading
from collections import Counter

import pytest
from kombu import Connection

from shared.messaging import publish
from shared.messaging.eventbus import EVENTBUS_QUEUE, PUBLISH_TASK
from shared.messaging.models import OutboxEvent
from shared.messaging.redis_acl import unacked_key, unacked_keys

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

    monkeypatch.setattr(publish, "publish_event", send)
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

    OutboxEvent.objects.update(sent_at=timezone.now() - timedelta(seconds=60), attempts=1)
    return [str(event_id) for event_id in OutboxEvent.objects.values_list("id", flat=True)]


def resent_count(reason: str) -> float:
    """blog_events_resent{reason} of this process so far."""
    from prometheus_client import REGISTRY

    labels = {"service": "posts", "reason": reason}
    return REGISTRY.get_sample_value("blog_events_resent_total", labels) or 0.0


def test_confirm_marks_what_the_store_holds_and_sends_the_rest_again(db, monkeypatch, broker):
    from micro.posts import services
    from shared.messaging import catch_up, publish
    from shared.messaging.models import OutboxEvent

    counted_before = resent_count(publish.REASON_LOST)
    for number in range(3):
        services.post_create(title=f"confirm {number}")
    held, lost_one, lost_two = _all_sent_a_minute_ago()
    store = FakeEventStore({held})
    sent: list[dict] = []
    monkeypatch.setattr(catch_up, "event_store_client", lambda: store)
    monkeypatch.setattr(publish, "publish_event", lambda message, **headers: sent.append(message))

    assert publish.outbox_confirm() == 2

    assert sorted(message["id"] for message in sent) == sorted([lost_one, lost_two])
    assert OutboxEvent.objects.get(id=held).confirmed_at is not None
    assert OutboxEvent.objects.filter(confirmed_at__isnull=True).count() == 2
    assert publish.outbox_confirm() == 0  # just sent again: not asked about before 5 s
    assert resent_count(publish.REASON_LOST) - counted_before == 2


@pytest.fixture
def confirming(db, monkeypatch):
    """Three posts sent a minute ago, an event store holding none of them, and the
    re-sent messages recorded."""
    from micro.posts import services
    from shared.messaging import catch_up

    for number in range(3):
        services.post_create(title=f"confirm {number}")
    ids = _all_sent_a_minute_ago()
    store = FakeEventStore(set())
    resent: list[dict] = []
    monkeypatch.setattr(catch_up, "event_store_client", lambda: store)
    monkeypatch.setattr(publish, "publish_event", lambda message, **kw: resent.append(message))
    return ids, store, resent


def test_a_backlog_on_the_event_bus_queue_causes_no_resend(confirming, broker):
    """The event bus is far behind: its queue holds messages, so nothing not yet stored
    is taken for lost (this was the feedback loop: a slow bus got the backlog again)."""
    ids, store, resent = confirming
    broker.lpush("eventbus", b"a message the event bus has not taken yet")

    assert publish.outbox_confirm() == 0

    assert resent == []
    assert store.asked == [ids]  # it stopped at the first page of which nothing is stored
    assert OutboxEvent.objects.filter(sent_at__isnull=True).count() == 0


def _take_without_ack(broker_url: str, message: dict) -> Connection:
    """Send `message` to the event bus's queue with Celery and take it as the event bus's
    worker does (acks late): it is then in kombu's unacked hash, on its way to the store."""
    from celery import Celery
    from kombu.transport import virtual

    app = Celery("test", broker=broker_url, set_as_current=False)
    app.conf.task_routes = {"eventbus.*": {"queue": "eventbus"}}
    app.conf.broker_transport_options = unacked_keys("eventbus")
    app.send_task("eventbus.publish", args=[message])
    connection = app.connection()
    channel = connection.default_channel
    assert isinstance(channel, virtual.Channel)
    taken = channel.basic_get("eventbus", no_ack=False)
    assert taken is not None
    return connection


def test_an_event_taken_by_the_event_bus_and_not_acknowledged_is_not_resent(
    confirming, broker, private_redis
):
    ids, _, resent = confirming
    taken_id = ids[0]
    connection = _take_without_ack(private_redis.url, OutboxEvent.objects.get(id=taken_id).message)
    try:
        assert broker.llen("eventbus") == 0 and broker.hlen(unacked_key("eventbus")) == 1

        assert publish.outbox_confirm() == 2
    finally:
        connection.close()

    assert sorted(message["id"] for message in resent) == sorted(ids[1:])


def test_a_lost_event_is_resent_with_a_growing_backoff(confirming, broker):
    from datetime import timedelta

    from django.utils import timezone

    _, _, resent = confirming
    assert publish.outbox_confirm() == 3  # nothing queued, nothing taken: all three lost

    # Sent again once: due once 10 s have passed, not after 5 s.
    OutboxEvent.objects.update(sent_at=timezone.now() - timedelta(seconds=6))
    assert publish.outbox_confirm() == 0
    OutboxEvent.objects.update(sent_at=timezone.now() - timedelta(seconds=11))
    assert publish.outbox_confirm() == 3
    assert [publish.resend_backoff_seconds(n) for n in (0, 1, 2, 3, 10, 40)] == [
        5, 10, 20, 40, 300, 300
    ]  # fmt: skip
    assert len(resent) == 6


def test_the_loop_leaves_an_event_just_recorded_to_the_relay_after_commit(make_post, sent_messages):
    """Both relaying the same fresh event published one write twice (seen on a stack)."""
    from datetime import timedelta

    from django.utils import timezone

    make_post()
    assert publish.relay_outbox_loop() == 0
    grace = publish.RELAY_LOOP_GRACE_SECONDS
    OutboxEvent.objects.update(created_at=timezone.now() - timedelta(seconds=grace - 1))
    assert publish.relay_outbox_loop() == 0
    OutboxEvent.objects.update(created_at=timezone.now() - timedelta(seconds=grace + 1))
    assert publish.relay_outbox_loop() == 1
    assert len(sent_messages) == 1


@pytest.mark.django_db(transaction=True)
def test_the_background_relay_sends_what_a_request_committed_without_the_response_waiting(
    api_client, unique_title, monkeypatch
):
    """A web process's relay after commit (publish.BackgroundRelay): the 201 goes out while
    the broker still holds the send up; the event is sent and marked sent afterwards."""
    sending, broker_answers = threading.Event(), threading.Event()
    sent: list[dict] = []

    def slow_broker(message: dict, **headers) -> None:
        sending.set()
        assert broker_answers.wait(timeout=10)
        sent.append(message)

    monkeypatch.setattr(publish, "publish_event", slow_broker)
    relay = publish.BackgroundRelay()
    monkeypatch.setattr(publish, "_background_relay", relay)
    try:
        response = api_client.post("/api/posts/", {"title": unique_title()}, format="json")

        assert response.status_code == 201
        # Read the outbox once the relay has claimed the row and is sending: the in-memory
        # test database locks a table while another thread writes it (its claim), where a
        # file database in WAL mode, as the services run, would not.
        assert sending.wait(timeout=10)
        [outbox_event] = _outbox()
        assert (sent, outbox_event.sent_at) == ([], None)
    finally:
        broker_answers.set()
        relay.stop()
    outbox_event.refresh_from_db()
    assert sent == [outbox_event.message]
    assert outbox_event.sent_at is not None


@pytest.fixture
def eventbus_queue(broker, private_redis, monkeypatch):
    """Events really sent to the event bus's queue on a private Redis (Celery's send_task, as
    publish_event does for the store's copy); returns how often each event id waits there."""
    from celery import Celery

    app = Celery("relay-test", broker=private_redis.url, set_as_current=False)

    def send(message: dict, **headers) -> None:
        app.send_task(PUBLISH_TASK, args=[message], queue=EVENTBUS_QUEUE)

    def queued() -> Counter:
        bodies = [json.loads(raw)["body"] for raw in broker.lrange(EVENTBUS_QUEUE, 0, -1)]
        return Counter(json.loads(base64.b64decode(body))[0][0]["id"] for body in bodies)

    monkeypatch.setattr(publish, "publish_event", send)
    yield queued
    app.close()


def _recorded_a_minute_ago(make_post, monkeypatch, count: int) -> list[OutboxEvent]:
    """`count` posts whose PostCreated the relay after commit has not sent yet (it runs
    behind), recorded long enough ago for the relay loop to take them too."""
    from datetime import timedelta

    from django.utils import timezone

    monkeypatch.setattr(publish, "_relay_after_commit", lambda recorded: None)
    for _ in range(count):
        make_post()
    OutboxEvent.objects.update(created_at=timezone.now() - timedelta(minutes=1))
    return _outbox()


def test_the_loop_and_a_relay_after_commit_behind_it_send_each_event_once(
    make_post, monkeypatch, eventbus_queue
):
    """Under overload a web process's relay after commit runs seconds behind, and it and the
    worker's relay loop walk the same unsent rows: each sent an event the other had read
    but not yet marked sent (4-8% of the events twice in `compare`'s overload phase). Here
    the relay after commit relays each event while the loop is sending it, the worst
    moment; each must reach the broker once, sent by whichever claimed it first."""
    rows = _recorded_a_minute_ago(make_post, monkeypatch, 5)
    send = publish.publish_event

    def loop_sending(message: dict, **headers) -> None:
        send(message, **headers)
        monkeypatch.setattr(publish, "publish_event", send)
        publish.relay_outbox(ids=[message["id"]], may_crash=False)  # the other relay, now
        monkeypatch.setattr(publish, "publish_event", loop_sending)

    monkeypatch.setattr(publish, "publish_event", loop_sending)
    counted_before = resent_count(publish.REASON_TWO_RELAYS)
    publish.relay_outbox_loop()

    assert eventbus_queue() == Counter({str(row.id): 1 for row in rows})
    assert OutboxEvent.objects.filter(sent_at__isnull=True).count() == 0
    assert resent_count(publish.REASON_TWO_RELAYS) == counted_before


def test_a_relay_after_commit_ahead_of_the_loop_leaves_it_nothing_to_send(
    make_post, monkeypatch, eventbus_queue
):
    """The other order: the relay after commit sends each event while the loop, which read
    them all as one batch, is about to."""
    rows = _recorded_a_minute_ago(make_post, monkeypatch, 5)
    send = publish.publish_event

    def loop_sending(message: dict, **headers) -> None:
        # The relay after commit catches up with every event, meanwhile.
        monkeypatch.setattr(publish, "publish_event", send)
        for row in rows:
            publish.relay_outbox(ids=[str(row.id)], may_crash=False)
        send(message, **headers)

    monkeypatch.setattr(publish, "publish_event", loop_sending)
    publish.relay_outbox_loop()

    assert eventbus_queue() == Counter({str(row.id): 1 for row in rows})


def _recorded(outbox_event: OutboxEvent, *, age: float = 0.0) -> publish.Recorded:
    import time

    return publish.Recorded(str(outbox_event.id), outbox_event.message, "", time.monotonic() - age)


def test_the_relay_after_commit_sends_a_fresh_event_as_it_is_with_one_statement(
    make_post, sent_messages
):
    """No claim for an event just committed (the loop leaves it alone for
    RELAY_LOOP_GRACE_SECONDS): its one SQL statement is the UPDATE that marks it sent."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    make_post()
    [row] = _outbox()

    with CaptureQueriesContext(connection) as queries:
        assert publish.relay_recorded([_recorded(row)]) == 1

    assert sent_messages == [row.message]
    [statement] = [query["sql"] for query in queries.captured_queries]
    assert statement.startswith("UPDATE") and "sent_at" in statement
    row.refresh_from_db()
    assert (row.sent_at is not None, row.attempts, row.claimed_at) == (True, 1, None)


def test_the_relay_after_commit_claims_an_event_that_waited_and_leaves_it_if_the_loop_took_it(
    make_post, sent_messages
):
    """Behind by FRESH_SECONDS or more (overload), the relay after commit may meet the
    loop: it claims first, like any relay, and sends nothing the loop holds."""
    from django.utils import timezone

    make_post()
    make_post()
    taken, waiting = _outbox()
    OutboxEvent.objects.filter(pk=taken.pk).update(claimed_at=timezone.now())  # the loop's
    late = publish.FRESH_SECONDS + 0.1

    assert publish.relay_recorded([_recorded(taken, age=late), _recorded(waiting, age=late)]) == 1

    assert sent_messages == [waiting.message]
    taken.refresh_from_db()
    assert taken.sent_at is None


def test_the_relay_after_commit_with_the_broker_down_leaves_the_rest_to_the_loop(
    make_post, broker_down
):
    make_post()
    make_post()
    first, second = _outbox()

    assert publish.relay_recorded([_recorded(first), _recorded(second)]) == 0

    assert broker_down == [first.message]  # it stops at the first failure
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.sent_at, first.attempts, second.sent_at, second.attempts) == (None, 1, None, 0)


@pytest.mark.django_db(transaction=True)
def test_the_background_relay_hands_over_a_request_s_events_once_the_request_has_finished(
    make_post, monkeypatch
):
    """Not at commit: a relay thread sending while the response is written holds the GIL
    the response waits for (docs/speed.md, eighth pass)."""
    from django.core.signals import request_finished, request_started

    sent = threading.Event()
    monkeypatch.setattr(publish, "publish_event", lambda message, **headers: sent.set())
    relay = publish.BackgroundRelay()
    monkeypatch.setattr(publish, "_background_relay", relay)
    try:
        request_started.send(sender=None)
        make_post()  # commits: its relay after commit submits the event to the thread

        assert not sent.wait(timeout=0.3)  # the request has not finished: held
        request_finished.send(sender=None)
        assert sent.wait(timeout=10)
    finally:
        relay.stop()


@pytest.mark.django_db(transaction=True)
def test_what_the_background_relay_is_handed_while_it_sends_goes_next_marked_in_one_update(
    make_post, monkeypatch
):
    sending, go_on = threading.Event(), threading.Event()
    sent: list[str] = []

    def publish_event(message: dict, **headers) -> None:
        sending.set()
        assert go_on.wait(timeout=10)
        sent.append(message["id"])

    marks: list[list[str]] = []
    mark = publish._mark_all_sent

    def mark_all_sent(pks: list) -> None:
        marks.append([str(pk) for pk in pks])
        mark(pks)

    monkeypatch.setattr(publish, "publish_event", publish_event)
    monkeypatch.setattr(publish, "_mark_all_sent", mark_all_sent)
    monkeypatch.setattr(publish, "_relay_after_commit", lambda recorded: None)
    for _ in range(4):
        make_post()
    rows = [_recorded(row) for row in _outbox()]
    relay = publish.BackgroundRelay()
    try:
        relay.submit(rows[0])
        assert sending.wait(timeout=10)
        for row in rows[1:]:
            relay.submit(row)
        go_on.set()
    finally:
        relay.stop()

    ids = [row.event_id for row in rows]
    assert sent == ids
    assert marks == [ids[:1], ids[1:]]
    assert OutboxEvent.objects.filter(sent_at__isnull=True).count() == 0
