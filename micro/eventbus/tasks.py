"""The event bus's one task: store a published event once, then fan it out."""

from __future__ import annotations

from celery import shared_task
from django.db import DatabaseError

from micro.eventbus import services
from shared.events import Event, InvalidEvent
from shared.messaging.dead_letters import dead_letter
from shared.messaging.eventbus import BROKER_ERRORS, PUBLISH_TASK
from shared.messaging.retry import MAX_RETRIES, backoff_seconds
from shared.signing import ForgedEvent, event_check


@shared_task(name=PUBLISH_TASK, bind=True, max_retries=MAX_RETRIES)
def publish(self, message: dict) -> bool:
    """Store the event (a duplicate is dropped from the store) and fan it out again anyway,
    so that a crash between storing and fanning out is healed by the redelivery."""
    try:
        event = Event.from_message(message)
        event_check(event)  # the store keeps only what its producer signed
        stored_event = services.event_store(event=event)
        services.event_fan_out(message=stored_event.message)
    except ForgedEvent as error:
        dead_letter(task_name=self.name, message=message, error=f"forged event: {error}")
        return False
    except InvalidEvent as error:
        dead_letter(task_name=self.name, message=message, error=f"invalid event: {error}")
        return False
    except (*BROKER_ERRORS, DatabaseError) as error:
        if self.request.retries >= MAX_RETRIES:
            dead_letter(task_name=self.name, message=message, error=repr(error))
            return False
        raise self.retry(exc=error, countdown=backoff_seconds(self.request.retries)) from error
    return True
