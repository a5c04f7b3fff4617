"""Which events are still on their way through the broker, so that only a lost one is re-sent.

An event that is not in the event store yet is either still on its way (waiting on a queue,
or taken by a worker and not acknowledged yet: acks_late keeps it in kombu's `unacked`
hash until the task returns; each consuming service has its own, named after it:
shared.messaging.redis_acl.unacked_key) or lost (Redis lost its data, or a worker died between
taking it and recording it as taken). Re-sending every event the store does not hold yet
turns a slow event bus into an avalanche (each round adds a copy of the whole backlog);
re-sending only when nothing can still be on its way cannot amplify.

`in_flight_event_ids` reads the queues first and the unacknowledged messages second, and
the caller asks the event store last: an event moves queue -> unacked -> store, so reading
in that order never mistakes a moving event for a lost one (but for the instant between
a worker's BRPOP and its recording the message as unacknowledged, the same instant in
which a crash loses it).
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable

import redis
from django.conf import settings

from shared.messaging.redis_acl import unacked_key


def broker_client() -> redis.Redis:
    return redis.Redis.from_url(
        settings.CELERY_BROKER_URL, socket_timeout=2, socket_connect_timeout=2
    )


def in_flight_event_ids(*, queues: Iterable[str]) -> set[str] | None:
    """The ids of the events taken from these queues and not acknowledged yet; None when
    any of the queues has messages waiting (an event may be among them: with a backlog
    nothing is known to be lost) or the broker does not answer. Raises nothing."""
    queues = list(queues)
    client = broker_client()
    try:
        pipe = client.pipeline(transaction=False)
        for queue in queues:
            pipe.llen(queue)
        if any(pipe.execute()):
            return None
        # Each queue's consumer keeps its own unacknowledged hash (a service's Redis user may
        # read those of the queues it watches: shared.messaging.redis_acl.WATCHES).
        pipe = client.pipeline(transaction=False)
        for queue in queues:
            pipe.hvals(unacked_key(queue))
        unacked = [raw for values in pipe.execute() for raw in values]
    except (redis.RedisError, OSError):
        return None
    finally:
        client.close()
    return {
        event_id
        for raw in unacked
        if (event_id := _unacked_event_id(raw, queues=queues)) is not None
    }


def _unacked_event_id(raw: bytes | str, *, queues: list[str]) -> str | None:
    """The event id in one unacknowledged message of these queues (kombu stores
    [payload, exchange, routing key]; Celery's body is [args, kwargs, embed])."""
    try:
        payload, _exchange, routing_key = json.loads(raw)
        if routing_key not in queues:
            return None
        body = payload["body"]
        if payload.get("properties", {}).get("body_encoding") == "base64":
            body = base64.b64decode(body)
        args = json.loads(body)[0]
        return str(args[0]["id"])
    except (ValueError, TypeError, KeyError, IndexError):
        return None  # not a task message carrying an event: nothing of ours
