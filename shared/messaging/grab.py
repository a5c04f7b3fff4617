"""A task that takes more of its queue's messages at once: one round trip to Redis for many.

A worker takes one message at a time (kombu's BRPOP, then its unacknowledged bookkeeping,
then the task, then the acknowledgement: four round trips and all of Celery's per-task
machinery for each message; docs/speed.md, tenth pass). A task that can do the work of
many messages in one go (the event bus: one INSERT for many events) takes the messages
waiting behind its own with `grab`: one Lua script moves up to `count` entries from the
queue into kombu's unacknowledged hash and index of that queue, in kombu's own format
([envelope, exchange, routing key] under the delivery tag, scored by the time taken), and
returns them. Nothing else changes for them:
- they are in flight as kombu's own are, so the outbox confirmation's in-flight read
  (shared.messaging.in_flight) sees them and re-sends nothing;
- the task acknowledges them (`ack`) once their work is committed, or puts them back on the
  queue (`restore`) when it fails; a worker that dies first leaves them in the index, and
  kombu's restore sweep (shared.messaging.broker.QoS) puts them back after the visibility
  timeout, as it does a message kombu took itself: at least once, and the consumer drops
  the copy.
The script takes and records in one atomic step, so no crash can come between the two (as
one can between kombu's BRPOP and its bookkeeping). At rest a queue holds nothing behind the
message being run: `grab` then costs one round trip and returns nothing.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass

import redis
from django.conf import settings

from shared.messaging.redis_acl import unacked_keys

logger = logging.getLogger(__name__)

# KEYS: the queue, its unacknowledged hash, its index; ARGV: how many, the time now.
# An entry that is not a JSON object with a string delivery tag is taken all the same and
# returned with an empty tag: the caller keeps it as a dead letter (shared.messaging.broker).
GRAB_SCRIPT = """
local taken = {}
for _ = 1, tonumber(ARGV[1]) do
  local raw = redis.call('RPOP', KEYS[1])
  if not raw then break end
  local tag = ''
  local ok, envelope = pcall(cjson.decode, raw)
  if ok and type(envelope) == 'table' and type(envelope.properties) == 'table'
      and type(envelope.properties.delivery_tag) == 'string' then
    tag = envelope.properties.delivery_tag
    local info = envelope.properties.delivery_info
    if type(info) ~= 'table' then info = {} end
    local exchange = type(info.exchange) == 'string' and info.exchange or ''
    local routing_key = type(info.routing_key) == 'string' and info.routing_key or KEYS[1]
    redis.call('ZADD', KEYS[3], ARGV[2], tag)
    redis.call('HSET', KEYS[2], tag,
      '[' .. raw .. ',' .. cjson.encode(exchange) .. ',' .. cjson.encode(routing_key) .. ']')
  end
  taken[#taken + 1] = tag
  taken[#taken + 1] = raw
end
return taken
"""


@dataclass(frozen=True, slots=True)
class Grabbed:
    """One entry taken from the queue: its raw bytes, and its delivery tag ('' when it is
    not a message kombu could have recorded: not in the unacknowledged hash)."""

    tag: str
    raw: bytes


class Grabber:
    """`grab`, `ack` and `restore` on one queue, over one client of the service's broker."""

    def __init__(self, queue: str, *, service: str, url: str | None = None) -> None:
        keys = unacked_keys(service)
        self.queue = queue
        self.unacked, self.index = keys["unacked_key"], keys["unacked_index_key"]
        self.client = redis.Redis.from_url(
            url or settings.CELERY_BROKER_URL, socket_timeout=3, socket_connect_timeout=3
        )
        self.script = self.client.register_script(GRAB_SCRIPT)

    def grab(self, count: int) -> list[Grabbed]:
        """Up to `count` entries waiting on the queue, recorded as taken and not
        acknowledged. Raises the broker's error (nothing was taken then)."""
        if count <= 0:
            return []
        flat = self.script(keys=[self.queue, self.unacked, self.index], args=[count, time.time()])
        return [Grabbed(tag.decode(), raw) for tag, raw in zip(flat[::2], flat[1::2], strict=True)]

    def ack(self, grabbed: list[Grabbed]) -> None:
        """Forget entries whose work is done (kombu's acknowledgement, for many at once)."""
        tags = [entry.tag for entry in grabbed if entry.tag]
        if not tags:
            return
        pipe = self.client.pipeline(transaction=True)
        pipe.zrem(self.index, *tags)
        pipe.hdel(self.unacked, *tags)
        pipe.execute()

    def restore(self, grabbed: list[Grabbed]) -> None:
        """Put entries back where the worker takes its next message from, and forget them as
        taken, in one transaction. Raises nothing: if the broker does not answer, they stay
        in the unacknowledged index, and kombu's restore sweep puts them back later."""
        recorded = [entry for entry in grabbed if entry.tag]
        if not recorded:
            return
        pipe = self.client.pipeline(transaction=True)
        pipe.rpush(self.queue, *(entry.raw for entry in reversed(recorded)))
        pipe.zrem(self.index, *(entry.tag for entry in recorded))
        pipe.hdel(self.unacked, *(entry.tag for entry in recorded))
        try:
            pipe.execute()
        except (redis.RedisError, OSError) as error:
            logger.warning(
                "could not put %d messages back (%r): the sweep will", len(recorded), error
            )


_grabbers: dict[tuple[str, str], Grabber] = {}


def grabber(queue: str) -> Grabber:
    """This process's Grabber of one of its service's queues (one client, kept)."""
    key = (queue, settings.CELERY_BROKER_URL)
    if key not in _grabbers:
        _grabbers[key] = Grabber(queue, service=settings.SERVICE_NAME)
    return _grabbers[key]


@dataclass(slots=True)
class GrabbedMessage:
    """A grabbed message of the running task's kind: its one argument (the event message),
    the request id it carries (shared.instrumentation.tally), how often it was retried (its
    `retries` header), and what became of it, as a task's state (SUCCESS, or RETRY when
    the block sent it again as a retry of its own: shared.messaging.retry)."""

    entry: Grabbed
    message: object
    request_id: str
    retries: int = 0
    state: str = "SUCCESS"


@contextlib.contextmanager
def grabbed_messages(*, queue: str, count: int) -> Iterator[list[GrabbedMessage]]:
    """Inside the running task: up to `count` more messages of the same task waiting on its
    queue, to do their work with its own. When the block ends without an error they are
    acknowledged, and each is counted as a task of its own (a trace record, the consumed
    counter: shared.instrumentation.celery_signals.record_grabbed); when it raises, they are
    put back on the queue and the task's own message takes the retry policy.

    Nothing is taken when the task runs in the caller's process (`apply`: no worker), or
    when the broker does not answer (the task does its own message alone). What the worker
    could not run itself is not taken into the block: an unreadable entry is kept as a
    dead letter (as the worker does: shared.messaging.broker), another task's message and
    a retry not due yet are put back."""
    from celery import current_task

    from shared import study
    from shared.instrumentation.celery_signals import record_grabbed
    from shared.messaging.broker import UnreadableMessage, checked_message, keep_unreadable

    task = current_task
    if task is None or task.request.is_eager:
        yield []
        return
    taker = grabber(queue)
    try:
        entries = taker.grab(count)
    except (redis.RedisError, OSError) as error:
        logger.warning("could not take more of %s (%r): one message at a time", queue, error)
        entries = []
    ours: list[GrabbedMessage] = []
    others: list[Grabbed] = []
    unreadable: list[Grabbed] = []
    for entry in entries:
        try:
            envelope, (args, _kwargs, _embed) = checked_message(entry.raw)
        except UnreadableMessage as reason:
            keep_unreadable(queue=queue, raw=entry.raw, reason=str(reason))
            unreadable.append(entry)
            continue
        if envelope["headers"]["task"] != task.name or _not_due(envelope):
            others.append(entry)
            continue
        retries = envelope["headers"].get("retries")
        ours.append(
            GrabbedMessage(
                entry,
                args[0] if args else None,
                _request_id(envelope),
                max(retries, 0) if isinstance(retries, int) else 0,
            )
        )
    taker.restore(others)
    taker.ack(unreadable)
    for _ in ours:
        study.apply_delay()  # a worker slowed for study waits before each task
    try:
        yield ours
    except BaseException:
        taker.restore([grabbed.entry for grabbed in ours])
        raise
    try:
        taker.ack([grabbed.entry for grabbed in ours])
    except (redis.RedisError, OSError) as error:
        # Done, not forgotten: the sweep delivers them again and the consumer drops the copies.
        logger.warning("could not acknowledge %d messages (%r)", len(ours), error)
    for grabbed in ours:
        record_grabbed(grabbed.request_id, name=task.name, state=grabbed.state)


def _not_due(envelope: dict) -> bool:
    """A retry sent for later (its `eta` header in the future): the worker holds it until
    then (Celery's timer), so its backoff holds; it is not taken early."""
    eta = envelope["headers"].get("eta")
    if not eta:
        return False
    try:
        due = dt.datetime.fromisoformat(str(eta))
    except ValueError:
        return True  # the worker's own parse decides what to do with it
    if due.tzinfo is None:
        due = due.replace(tzinfo=dt.UTC)
    return due > dt.datetime.now(dt.UTC)


def _request_id(envelope: dict) -> str:
    from shared.instrumentation.tally import REQUEST_ID_MESSAGE_HEADER

    # As a task's (celery_signals._begin_task): the action's, else the message's own id.
    for request_id in (
        envelope["headers"].get(REQUEST_ID_MESSAGE_HEADER),
        envelope["headers"].get("id"),
    ):
        if isinstance(request_id, str) and request_id:
            return request_id
    return ""
