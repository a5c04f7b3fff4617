"""A failed acknowledgement (Redis timing out) must not leave the worker's prefetch window full."""

from __future__ import annotations

from types import SimpleNamespace

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
    """A Redis client holding an unacked index of (tag, score) pairs; records its commands."""

    def __init__(self, entries: dict[str, float]):
        self.entries, self.commands = entries, []

    def zrange(self, key, high, low, *, desc, byscore, offset, num, withscores=False):
        self.commands.append("ZRANGE")
        due = sorted(
            ((tag, score) for tag, score in self.entries.items() if low <= score <= high),
            key=lambda pair: -pair[1],
        )[offset : offset + num]
        return due if withscores else [tag for tag, _ in due]

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
    client = UnackedIndex({"taken-just-now": broker.time.time()})
    qos, restored = _qos_over(client, monkeypatch)
    qos.restore_visible(num=10, interval=1)
    assert client.commands == ["ZRANGE"] and restored == []


def test_a_message_past_the_visibility_timeout_is_still_restored_at_once(monkeypatch):
    client = UnackedIndex({"of-a-killed-worker": broker.time.time() - 11})
    qos, restored = _qos_over(client, monkeypatch)
    qos.restore_visible(num=10, interval=1)
    assert client.commands == ["ZRANGE", "LOCK", "ZRANGE"]
    assert restored == ["of-a-killed-worker"]
