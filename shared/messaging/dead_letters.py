"""Dead letters: messages a consumer gave up on, kept with their error, and sent again on demand."""

from __future__ import annotations

import logging

from celery import current_app
from django.utils import timezone

from shared.messaging.models import DeadLetter

logger = logging.getLogger(__name__)


def dead_letter(*, task_name: str, message: object, error: str) -> None:
    """Keep a message that cannot be applied, with its error, out of the queue's way."""
    logger.error("dead letter in %s: %s", task_name, error)
    DeadLetter.objects.create(task_name=task_name, message=message, error=error)


def dead_letter_replay(*, dead_letter: DeadLetter) -> None:
    """Send the kept message to its task again (once its cause is fixed) and note when.

    Replaying is safe however often it happens: consumers apply each event once, so a
    message that was applied meanwhile is dropped, and one that still fails is retried and
    dead-lettered again. Raises a broker error (shared.messaging.eventbus.BROKER_ERRORS)
    when Redis is away; the row is then left as it was.
    """
    current_app.send_task(dead_letter.task_name, args=[dead_letter.message])
    dead_letter.replayed_at = timezone.now()
    dead_letter.save(update_fields=["replayed_at"])
