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
