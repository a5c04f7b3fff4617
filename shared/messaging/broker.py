"""kombu's Redis transport, with one fix: an acknowledgement that fails does not stall the worker.

kombu 5.7.0 (the newest release) acknowledges a message on Redis by removing it from the
unacked index and then forgetting it locally. When Redis times out on the first step
(here: Redis hung, SIGSTOP, for longer than the 3 s socket timeout, and the worker logs
"Couldn't ack ... TimeoutError"), the second step is skipped, so the worker keeps counting
the message as in flight for good. With prefetch 1 its prefetch window stays full and it
never takes another message, while its process stays up and looks healthy: the hung-Redis
stall that tests/test_reliability.py found. Here the message is forgotten locally whatever
Redis answered. It stays in Redis's unacked index, so after the visibility timeout it is
delivered again, and the consumers' inboxes drop it.
"""

from __future__ import annotations

from kombu.transport import redis, virtual

BROKER_TRANSPORT = "shared.messaging.broker:Transport"


class QoS(redis.QoS):
    def ack(self, delivery_tag) -> None:
        try:
            self._remove_from_indices(delivery_tag).execute()
        finally:
            virtual.QoS.ack(self, delivery_tag)

    def reject(self, delivery_tag, requeue: bool = False) -> None:
        try:
            if requeue:
                self.restore_by_tag(delivery_tag, leftmost=True)
            else:
                self._remove_from_indices(delivery_tag).execute()
        finally:
            virtual.QoS.ack(self, delivery_tag)


class Channel(redis.Channel):
    QoS = QoS


class Transport(redis.Transport):
    Channel = Channel
