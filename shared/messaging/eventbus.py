"""Publishing an event: one hop to every consumer, and one to the event store.

A publisher hands each event to the queue of every service subscribed to its type, as that
service's `handle_event` task, and to the event bus's queue, as `eventbus.publish`, which
stores it (shared.deployables.event_destinations). No consumer waits for the store: the
store is what replay, the consumers' catch-up and the publishers' confirmation read, not a
relay in the way. No database needed (moderation publishes its decisions with it directly).
"""

from __future__ import annotations

from celery import current_app
from celery.utils import uuid
from kombu.exceptions import KombuError
from redis.exceptions import RedisError

from shared.deployables import EVENTBUS, event_destinations, event_task, queue
from shared.instrumentation.tally import REQUEST_ID_MESSAGE_HEADER

PUBLISH_TASK = event_task(EVENTBUS)
EVENTBUS_QUEUE = queue(EVENTBUS)  # where PUBLISH_TASK goes (CELERY_TASK_ROUTES by name prefix)
BROKER_ERRORS = (KombuError, RedisError, OSError)
RETRY_POLICY = {"max_retries": 1, "interval_start": 0.1, "interval_step": 0.2}


def publish_event(message: dict, *, request_id: str = "") -> list[str]:
    """Hand one event to each subscriber's queue and to the event bus's, over one broker
    connection; returns the task names sent, the store's last. Raises a broker error when
    Redis is away: the caller sends the whole event again later (an outbox row stays
    unsent), and a consumer that got it already drops the copy (its inbox)."""
    headers = {REQUEST_ID_MESSAGE_HEADER: request_id} if request_id else None
    # What a message's `argsrepr` header says (Celery shows it in its logs and events):
    # the event's type and id, not saferepr() of the whole event, which Celery would
    # compute for every message (a fifth of this function's CPU, docs/speed.md).
    argsrepr = f"[<{message.get('type')} {message.get('id')}>]"
    destinations = [
        (event_task(service), queue(service)) for service in event_destinations(message["type"])
    ]
    amqp = current_app.amqp
    # One round trip to Redis for all of them (kombu's publish batch: one pipeline of
    # LPUSHes, flushed when the block ends), not one per queue. A pipeline that fails
    # part-way raises like a failed send: the event is sent again, every copy dropped.
    # Each message is made and sent by Celery's own two steps (app.amqp's
    # create_task_message and send_task_message, which also sends before_task_publish:
    # shared.instrumentation counts it there), to the queue the routes name
    # (shared.deployables), without what Celery's send_task does around them for any task
    # (routing, option merging, looking up the calling task, configuration lookups): half
    # of a publish's CPU (docs/speed.md, eighth pass). The envelope is the same but for
    # two headers no consumer reads: parent_id (send_task's is the task publishing, if
    # any) and reply_to (for results, which are off).
    with current_app.producer_or_acquire() as producer, producer.batch():
        for task_name, queue_name in destinations:
            task_message = amqp.create_task_message(
                uuid(),
                task_name,
                [message],
                {},
                argsrepr=argsrepr,
                kwargsrepr="{}",
                ignore_result=None,  # as send_task leaves it: the task's own setting
            )
            amqp.send_task_message(
                producer,
                task_name,
                task_message,
                queue=queue_name,
                declare=[],  # the Redis queue is a list; nothing to declare
                headers=headers,
                retry=True,
                retry_policy=RETRY_POLICY,
            )
    return [task_name for task_name, _ in destinations]
