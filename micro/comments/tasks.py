"""The comments service's task: each event it consumes, through its handler table."""

from __future__ import annotations

from celery import shared_task

from micro.comments.handlers import HANDLERS
from shared.deployables import event_task
from shared.messaging.consume import MAX_RETRIES, consume_message


# max_retries matches consume_message's own limit, so the last failure is dead-lettered
# instead of Celery giving up first (its default is 3).
@shared_task(name=event_task("comments"), bind=True, max_retries=MAX_RETRIES)
def handle_event(self, message: dict) -> bool:
    return consume_message(task=self, message=message, handlers=HANDLERS)
