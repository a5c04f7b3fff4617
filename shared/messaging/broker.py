"""kombu's Redis transport, with two fixes: an acknowledgement that fails does not stall the
worker, and an entry on a queue that is not a well-formed Celery message does not kill it.

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

import base64
import binascii
import contextlib
import json
import logging
import time
from collections.abc import Callable
from queue import Empty
from typing import Any

from kombu.transport import redis, virtual
from kombu.utils import json as kombu_json
from kombu.utils.encoding import bytes_to_str

logger = logging.getLogger(__name__)

BROKER_TRANSPORT = "shared.messaging.broker:Transport"
# Seconds between refreshes of expiring queues' bindings (kombu: 1); no queue here expires.
BINDING_EXPIRY_INTERVAL = 10


class QoS(redis.QoS):
    # kombu's own (kombu/transport/redis.py), which celery-types' kombu stubs leave out.
    _remove_from_indices: Callable[[str], Any]
    channel: Any
    unacked_index_key: str

    # Returns what kombu's returns nothing for (celery-types' stubs say None): whether a
    # message is in flight.
    def restore_visible(self, start=0, num=10, interval=10) -> bool:  # type: ignore[override]
        """kombu's sweep for messages past the visibility timeout takes a lock in Redis
        first (SET NX, then a Lua script, EVALSHA, to release it): three commands a second
        per worker at rest, for an index that is almost always empty. Look first, without
        the lock, at the oldest entry (one ZRANGE), and sweep as kombu does only when it is
        due. Reading without the lock is safe: kombu's sweep under the lock reads again;
        an entry that becomes due just after the look is found by the next sweep.

        True when a message is in flight (the index holds one): Transport's timer then
        looks again in a second; False when the index is empty: no message can become due
        before a visibility timeout has passed, so it looks again only then."""
        with self.channel.conn_or_acquire() as client:
            oldest = client.zrange(self.unacked_index_key, 0, 0, withscores=True)
        if not oldest:
            return False
        if oldest[0][1] <= time.time() - self.visibility_timeout:
            super().restore_visible(start=start, num=num, interval=interval)
        return True

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


# An entry larger than this is not a message of ours (a worst-case event is a few KiB).
MESSAGE_MAX_BYTES = 1_048_576
# How much of an unreadable entry a dead letter keeps (its length is noted too).
RAW_KEPT_BYTES = 65_536
UNREADABLE_TASK = "{queue}.unreadable"


class UnreadableMessage(ValueError):
    """An entry on a queue that kombu and Celery could not read: the reason."""


def checked_envelope(raw: bytes) -> dict:
    """The kombu envelope of a Celery task message (protocol 2, JSON), or UnreadableMessage
    (checked_message, without the body it read)."""
    return checked_message(raw)[0]


def checked_message(raw: bytes) -> tuple[dict, list]:
    """The kombu envelope of a Celery task message (protocol 2, JSON) and its body
    ([args, kwargs, embed]), or UnreadableMessage.

    Checks what kombu and Celery take for granted before any task code runs; each of these
    made a worker exit with "Unrecoverable error" (and die again at every restart, since
    the entry came back): not JSON, not an object, a broken envelope, a body that is not
    base64 JSON [args, kwargs, embed], a huge entry, one nested too deep to parse.
    """
    from shared.api.parsers import json_nesting_exceeds

    if len(raw) > MESSAGE_MAX_BYTES:
        raise UnreadableMessage(f"{len(raw)} bytes, over the limit of {MESSAGE_MAX_BYTES}")
    if json_nesting_exceeds(raw):
        raise UnreadableMessage("nested too deep")
    envelope = _json(raw, "the entry", loads=kombu_json.loads)
    if not isinstance(envelope, dict):
        raise UnreadableMessage("the entry is not a JSON object")
    properties, headers = envelope.get("properties"), envelope.get("headers")
    if not isinstance(properties, dict) or not isinstance(properties.get("delivery_tag"), str):
        raise UnreadableMessage("no properties with a delivery_tag")
    if not isinstance(properties.get("delivery_info", {}), dict):
        raise UnreadableMessage("delivery_info is not an object")
    if not isinstance(headers, dict) or not isinstance(headers.get("task"), str):
        raise UnreadableMessage("no headers naming the task")
    if envelope.get("content-type") != "application/json":
        raise UnreadableMessage(f"content type {envelope.get('content-type')!r}, not JSON")
    body = envelope.get("body")
    if not isinstance(body, str):
        raise UnreadableMessage("the body is not a string")
    if properties.get("body_encoding") == "base64":
        try:
            body = base64.b64decode(body, validate=True)
        except (binascii.Error, ValueError) as error:
            raise UnreadableMessage(f"the body is not base64: {error}") from error
    args = _json(body, "the body")
    if not (
        isinstance(args, list)
        and len(args) == 3
        and isinstance(args[0], list)
        and isinstance(args[1], dict)
        and isinstance(args[2], dict)
    ):
        raise UnreadableMessage("the body is not [args, kwargs, embed]")
    return envelope, args


def check_task_known(envelope: dict) -> None:
    """UnreadableMessage unless the envelope names a task of this worker's app."""
    from celery import current_app

    task = envelope["headers"]["task"]
    if task not in current_app.tasks:
        raise UnreadableMessage(f"no task {task!r} here")


def _json(text: str | bytes, what: str, loads=json.loads):
    try:
        return loads(text)
    except (ValueError, RecursionError) as error:
        raise UnreadableMessage(f"{what} is not JSON: {error}") from error


def keep_unreadable(*, queue: str, raw: bytes, reason: str) -> None:
    """Keep an unreadable entry as a dead letter: its raw bytes (base64) and the reason."""
    from shared.messaging.dead_letters import dead_letter

    message = {
        "queue": queue,
        "length": len(raw),
        "raw_base64": base64.b64encode(raw[:RAW_KEPT_BYTES]).decode(),
    }
    try:
        dead_letter(
            task_name=UNREADABLE_TASK.format(queue=queue),
            message=message,
            error=f"unreadable message: {reason}",
        )
    except Exception:  # the database is away: say so in the log, with the bytes
        logger.exception("could not keep an unreadable message from %s: %r", queue, raw[:512])


class Channel(redis.Channel):
    QoS = QoS
    # kombu's own (kombu/transport/redis.py), which the two methods below override as kombu
    # writes them and celery-types' kombu stubs leave out.
    connection_errors: tuple[type[Exception], ...]
    _queue_cycle: Any
    _flush_brpop_reauth: Callable[[], None]
    _q_for_pri: Callable[[str, int], str]
    _maybe_update_queues_expire: Callable[[Any, str], None]
    _create_client: Callable[..., Any]

    @contextlib.contextmanager
    def conn_or_acquire(self, client=None):
        """kombu builds a new redis.Redis client for each acknowledgement, each bookkeeping
        pipeline and each publish (its `conn_or_acquire`), and building one copies redis-py's
        table of about 250 response callbacks: about 55 us each, several per message
        (docs/speed.md, seventh pass). One client per connection pool instead: a redis-py
        client is safe to share between threads (each command takes a connection from the
        pool), and a new pool (kombu makes one after the connection is closed) gets a new
        client."""
        if client:
            yield client
            return
        pool = self.pool
        shared = self.__dict__.get("_shared_client")
        if shared is None or shared.connection_pool is not pool:
            shared = self.__dict__["_shared_client"] = self._create_client()
        yield shared

    def _deliver_entry(self, raw: bytes, queue: str) -> bool:
        """Hand a well-formed entry of a task this worker knows to the consumer; keep any
        other as a dead letter (Celery would only log an unknown task and drop it)."""
        try:
            envelope = checked_envelope(raw)
            check_task_known(envelope)
        except UnreadableMessage as reason:
            keep_unreadable(queue=queue, raw=raw, reason=str(reason))
            return False
        self.connection._deliver(envelope, queue)
        return True

    # kombu 5.7.0's Channel._brpop_read, with the entry checked before it is parsed.
    def _brpop_read(self, **options):
        try:
            try:
                dest__item = self.client.parse_response(self.client.connection, "BRPOP", **options)
            except self.connection_errors:
                self.client.connection.disconnect()
                raise
            if not dest__item:
                raise Empty()
            dest, item = dest__item
            dest = bytes_to_str(dest).rsplit(self.sep, 1)[0]
            self._queue_cycle.rotate(dest)
            self._deliver_entry(item, dest)
            return True
        finally:
            self._in_poll = None
            self._flush_brpop_reauth()

    # kombu 5.7.0's Channel._get (polling), with unreadable entries kept and skipped.
    def _get(self, queue, timeout=None):  # timeout: virtual.Channel's signature; unused
        with self.conn_or_acquire() as client:
            for pri in self.priority_steps:
                while item := client.rpop(self._q_for_pri(queue, pri)):
                    try:
                        envelope = checked_envelope(item)
                        check_task_known(envelope)
                    except UnreadableMessage as reason:
                        keep_unreadable(queue=queue, raw=item, reason=str(reason))
                        continue
                    self._maybe_update_queues_expire(client, queue)
                    return envelope
            self._maybe_update_queues_expire(client, queue)
            raise Empty()


class Transport(redis.Transport):
    Channel = Channel
    # How long a worker's BRPOP waits on Redis before it asks again (kombu: 1 s). An idle
    # worker re-sent it every second; a message is taken the moment it arrives whatever
    # this is. The restore sweep keeps its own 1 s timer. kombu drops a BRPOP connection
    # whose reply is overdue by this + health_check_interval (25 s): 30 s, not 26 s.
    brpop_timeout = 5

    def register_with_event_loop(self, connection, loop) -> None:
        """kombu's, with the event loop's two one-second timers made to wake on work.

        The restore sweep ran every `unacked_restore_interval` (1 s). Now it runs every
        second while a message is in flight (the unacked index holds one) and, when the
        index is empty, again after `visibility_timeout` (10 s): a message taken after an
        empty look becomes due only a visibility timeout after it was taken, after the
        next look, which finds it and sweeps every second from then on. So a killed
        worker's message still comes back within a second of its visibility timeout.
        The binding-expiry refresh (every 1 s) does nothing for queues without x-expires,
        which these are: every 10 s."""
        super().register_with_event_loop(connection, loop)
        cycle: Any = self.cycle  # kombu's MultiChannelPoller, which the stubs leave bare
        options = connection.client.transport_options
        busy = options.get("unacked_restore_interval", 10)  # kombu's defaults
        idle = max(busy, options.get("visibility_timeout", 3600))

        def sweep() -> None:
            delay = busy
            try:
                # None: Redis did not answer (kombu logged it); look again in a second.
                if cycle.maybe_restore_messages() is False:
                    delay = idle
            finally:
                cycle._restore_messages_tref = loop.call_later(delay, sweep)

        cycle._restore_messages_tref.cancel()
        cycle._restore_messages_tref = loop.call_later(busy, sweep)
        cycle._binding_expiry_tref.cancel()
        cycle._binding_expiry_tref = loop.call_repeatedly(
            BINDING_EXPIRY_INTERVAL, cycle.maybe_refresh_binding_expiry
        )
