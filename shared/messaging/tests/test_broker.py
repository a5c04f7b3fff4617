"""A failed acknowledgement (Redis timing out) must not leave the worker's prefetch window full."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from kombu.transport import redis as kombu_redis
from redis.exceptions import TimeoutError as RedisTimeoutError

from shared.messaging import broker
from shared.messaging.celery_app import make_celery_app

TAG = "delivery-tag-1"


class TimingOut:
    """A Redis pipeline whose execute times out, as with Redis hung (SIGSTOP)."""

    def execute(self):
        raise RedisTimeoutError("Timeout reading from socket")


def _qos_holding_one_message(qos_class, monkeypatch):
    """A QoS with prefetch 1 (as the workers run) that has delivered one message."""
    # (a channel that restores nothing at exit: kombu registers that as a finaliser)
    qos = qos_class(channel=SimpleNamespace(do_restore=False), prefetch_count=1)
    qos._delivered[TAG] = object()
    monkeypatch.setattr(qos, "_remove_from_indices", lambda tag: TimingOut())
    monkeypatch.setattr(qos, "restore_by_tag", lambda tag, **kw: TimingOut().execute())
    assert not qos.can_consume()
    return qos


@pytest.mark.parametrize(
    "settle", [lambda qos: qos.ack(TAG), lambda qos: qos.reject(TAG, requeue=True)]
)
def test_after_a_failed_ack_or_reject_the_worker_takes_messages_again(monkeypatch, settle):
    qos = _qos_holding_one_message(broker.QoS, monkeypatch)
    with pytest.raises(RedisTimeoutError):  # still reported (kombu logs "Couldn't ack")
        settle(qos)
    assert qos.can_consume()


def test_kombus_own_qos_stalls_after_a_failed_ack(monkeypatch):
    """Why broker.py exists: if this starts failing, kombu fixed it and broker.py can go."""
    qos = _qos_holding_one_message(kombu_redis.QoS, monkeypatch)
    with pytest.raises(RedisTimeoutError):
        qos.ack(TAG)
    assert not qos.can_consume()


def test_every_service_connects_with_the_fixed_transport():
    connection = make_celery_app("posts", settings="micro.posts.settings").connection_for_read()
    assert connection.transport_cls == broker.BROKER_TRANSPORT
    assert isinstance(connection.transport, broker.Transport)
    assert connection.transport.Channel.QoS is broker.QoS


class UnackedIndex:
    """A Redis client holding an unacked index of tag -> score; records its commands."""

    def __init__(self, entries: dict[str, float]):
        self.entries, self.commands = entries, list[str]()

    def zrange(self, key, start, end, desc=False, byscore=False, offset=None, num=None,
               withscores=False):  # fmt: skip
        self.commands.append("ZRANGE")
        pairs = sorted(self.entries.items(), key=lambda pair: pair[1], reverse=desc)
        if byscore:  # (desc: start is the highest score)
            low, high = (end, start) if desc else (start, end)
            pairs = [pair for pair in pairs if low <= pair[1] <= high][offset : offset + num]
        else:
            pairs = pairs[start : end + 1]
        return pairs if withscores else [tag for tag, _ in pairs]

    def lock(self, name, timeout):
        self.commands.append("LOCK")
        return SimpleNamespace(acquire=lambda blocking: True, release=lambda: None)


def _qos_over(client, monkeypatch):
    from contextlib import nullcontext

    channel = SimpleNamespace(
        do_restore=False,
        conn_or_acquire=lambda *a: nullcontext(client),
        unacked_index_key="unacked_index",
        unacked_mutex_key="unacked_mutex",
        unacked_mutex_expire=5,
        visibility_timeout=10,
    )
    qos = broker.QoS(channel=channel, prefetch_count=1)
    restored = []
    monkeypatch.setattr(qos, "restore_by_tag", lambda tag, client=None: restored.append(tag))
    return qos, restored


def test_the_restore_sweep_at_rest_is_one_read_without_the_lock(monkeypatch):
    client = UnackedIndex({})
    qos, restored = _qos_over(client, monkeypatch)
    assert qos.restore_visible(num=10, interval=1) is False  # nothing in flight
    assert client.commands == ["ZRANGE"] and restored == []


def test_a_message_in_flight_not_yet_due_is_left_and_looked_at_again_soon(monkeypatch):
    client = UnackedIndex({"taken-just-now": broker.time.time()})
    qos, restored = _qos_over(client, monkeypatch)
    assert qos.restore_visible(num=10, interval=1) is True
    assert client.commands == ["ZRANGE"] and restored == []


def test_a_message_past_the_visibility_timeout_is_still_restored_at_once(monkeypatch):
    now = broker.time.time()
    client = UnackedIndex({"taken-just-now": now, "of-a-killed-worker": now - 11})
    qos, restored = _qos_over(client, monkeypatch)
    assert qos.restore_visible(num=10, interval=1) is True
    assert client.commands == ["ZRANGE", "LOCK", "ZRANGE"]
    assert restored == ["of-a-killed-worker"]


class Loop:
    """kombu's event loop as far as timers go: what was scheduled, and after how long."""

    def __init__(self):
        self.later: list[tuple[float, Any]] = []
        self.repeated: dict[object, float] = {}

    def call_later(self, delay, callback):
        self.later.append((delay, callback))
        return SimpleNamespace(cancel=lambda: self.later.remove((delay, callback)))

    def call_repeatedly(self, delay, callback):
        self.repeated[callback] = delay
        return SimpleNamespace(cancel=lambda: self.repeated.pop(callback))


@pytest.mark.parametrize(
    "found, next_look", [(False, 10), (True, 1), (None, 1)], ids=["empty", "in flight", "no Redis"]
)
def test_the_restore_sweep_waits_a_visibility_timeout_only_when_nothing_is_in_flight(
    monkeypatch, found, next_look
):
    transport = broker.Transport(
        SimpleNamespace(transport_options={"unacked_restore_interval": 1, "visibility_timeout": 10})
    )
    monkeypatch.setattr(kombu_redis.Transport, "register_with_event_loop", lambda *a: None)
    cycle: Any = transport.cycle
    loop = Loop()
    cycle._restore_messages_tref = loop.call_repeatedly(1, "kombu's sweep")
    cycle._binding_expiry_tref = loop.call_repeatedly(1, "kombu's refresh")
    monkeypatch.setattr(cycle, "maybe_restore_messages", lambda: found)
    transport.register_with_event_loop(SimpleNamespace(client=transport.client), loop)
    assert loop.repeated == {cycle.maybe_refresh_binding_expiry: broker.BINDING_EXPIRY_INTERVAL}
    [(first, sweep)] = loop.later
    assert first == 1
    loop.later.clear()
    sweep()
    assert [delay for delay, _ in loop.later] == [next_look]
