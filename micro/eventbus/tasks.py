"""The event bus's one task: store published events once (retries and dead letters:
shared.messaging.retry). Its subscribers have them already: the publisher sent each to them
too (shared.messaging.eventbus.publish_event)."""

from __future__ import annotations

from django.db import transaction

from micro.eventbus import services
from shared.events import Event
from shared.messaging.eventbus import EVENTBUS_QUEUE, PUBLISH_TASK
from shared.messaging.grab import grabbed_messages
from shared.messaging.retry import consumer_task, dead_letter, refusal
from shared.signing import event_check

# How many more of the queue's waiting events one task stores with its own, in one INSERT
# (shared.messaging.grab): at rest none wait; behind a burst, up to this many a round trip.
GRAB_MAX = 99


def checked_event(message: object) -> Event:
    """The event of a publish; InvalidEvent or ForgedEvent: the store keeps only what its
    producer signed."""
    event = Event.from_message(message)
    event_check(event)
    return event


@consumer_task(PUBLISH_TASK)
def publish(message: object) -> bool:
    """Store the event, and those waiting behind it; a duplicate (a redelivered or re-sent
    publish) is dropped. A waiting event that is refused is dead-lettered as its own task
    would have been; any other error puts the waiting ones back and retries this one."""
    events = [checked_event(message)]
    with grabbed_messages(queue=EVENTBUS_QUEUE, count=GRAB_MAX) as waiting, transaction.atomic():
        for grabbed in waiting:
            try:
                events.append(checked_event(grabbed.message))
            except Exception as error:
                if (reason := refusal(error)) is None:
                    raise
                dead_letter(task_name=PUBLISH_TASK, message=grabbed.message, error=reason)
        services.events_store(events=events)
    return True
