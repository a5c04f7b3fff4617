"""The one retry -> dead-letter policy of every consumer task.

- A refused message (an invalid event, or a forged one: shared.signing) is given up at once:
  it stays so however often it is tried.
- Any other error (its database or the broker away, a handler that fails) is retried
  MAX_RETRIES times, backoff_seconds apart; then the message is given up.
- Given up: kept as a dead letter with its reason (shared.messaging.dead_letters); a service
  without a database (moderation) logs it instead. The catch-up, which is no task and does
  not retry, keeps what fails with the same reasons (shared.messaging.catch_up).
- A task with a batch does the messages waiting behind its own with it, and when the batch
  fails, each alone under this policy (consumer_task).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, Protocol

from celery import Task, shared_task

from shared import deployables
from shared.events import InvalidEvent
from shared.instrumentation.tally import REQUEST_ID_MESSAGE_HEADER
from shared.messaging.grab import GrabbedMessage, grabbed_messages
from shared.signing import ForgedEvent

logger = logging.getLogger(__name__)

MAX_RETRIES = 5


def backoff_seconds(retries: int) -> float:
    """Exponential backoff: 0.2 s, 0.4 s, 0.8 s ... capped at 10 s."""
    return min(0.2 * (2**retries), 10.0)


def refusal(error: BaseException) -> str | None:
    """Why a message is refused for good; None for an error that a retry may cure."""
    if isinstance(error, ForgedEvent):
        return f"forged event: {error}"
    if isinstance(error, InvalidEvent):
        return f"invalid event: {error}"
    return None


def give_up_reason(error: BaseException) -> str:
    """What a dead letter says of the error that stopped its message."""
    return refusal(error) or repr(error)


class GiveUp(Protocol):
    def __call__(self, *, task_name: str, message: object, error: str) -> None: ...


def dead_letter(*, task_name: str, message: object, error: str) -> None:
    """Give up into this service's dead letters (imported here, not at the top: moderation,
    which has no database, uses this module too)."""
    from shared.messaging import dead_letters

    dead_letters.dead_letter(task_name=task_name, message=message, error=error)


# How many of the messages waiting behind a batching task's own it takes with it
# (shared.messaging.grab): at rest none wait; behind a burst, up to this many a round trip.
GRAB_MAX = 99


def consumer_task(
    name: str, *, give_up: GiveUp = dead_letter, batch: Callable[[list[Any]], object] | None = None
) -> Callable[..., Any]:
    """Decorates the body of a consumer task (one message in; whether it did something out)
    into the Celery task `name`, whose errors take the policy above.

    With `batch` (many messages in; done again alone if it raises, which the consumers'
    inboxes and the store's unique key make safe), the task takes the
    messages of its kind waiting behind its own (up to GRAB_MAX: shared.messaging.grab) and
    does them all with one call. When that raises, it does each alone with `body`: its own
    message first (an error takes the policy above, and the others go back on the queue),
    then each of the others, whose errors take the same policy (sent again as a retry of
    its own, or given up), so a message that fails never costs another one a retry."""

    def decorate(body: Callable[[Any], bool]) -> Any:
        def run(self: Task, message: Any) -> bool:
            try:
                if batch is None:
                    return body(message)
                queue = deployables.queue(self.name.split(".", 1)[0])  # `<service>.<action>`
                with grabbed_messages(queue=queue, count=GRAB_MAX) as waiting:
                    return _batch_or_each(
                        self, message, waiting, body=body, batch=batch, give_up=give_up
                    )
            except Exception as error:
                return _retry_or_give_up(self, message=message, error=error, give_up=give_up)

        run.__name__, run.__qualname__, run.__doc__ = body.__name__, body.__qualname__, body.__doc__
        run.__module__ = body.__module__
        return shared_task(name=name, bind=True, max_retries=MAX_RETRIES)(run)

    return decorate


def _batch_or_each(
    task: Task,
    message: object,
    waiting: list[GrabbedMessage],
    *,
    body: Callable[[Any], bool],
    batch: Callable[[list[Any]], object],
    give_up: GiveUp,
) -> bool:
    if not waiting:
        return body(message)
    try:
        batch([message, *(grabbed.message for grabbed in waiting)])
        return True
    except Exception as error:
        logger.info(
            "%s: a batch of %d failed (%r); one at a time", task.name, len(waiting) + 1, error
        )
    done = body(message)  # raises: the policy takes it, the waiting ones go back
    for grabbed in waiting:
        try:
            body(grabbed.message)
        except Exception as error:
            _retry_or_give_up_waiting(task, grabbed, error=error, give_up=give_up)
    return done


def _retry_or_give_up_waiting(
    task: Task, grabbed: GrabbedMessage, *, error: Exception, give_up: GiveUp
) -> None:
    """The policy for a message taken with another's: sent again as a retry of its own
    (its `retries` header one more, later), or given up."""
    countdown = _retry_countdown(task.name, error=error, retries=grabbed.retries)
    if countdown is None:
        give_up(task_name=task.name, message=grabbed.message, error=give_up_reason(error))
        return
    headers = {REQUEST_ID_MESSAGE_HEADER: grabbed.request_id} if grabbed.request_id else {}
    task.app.send_task(
        task.name, args=[grabbed.message], countdown=countdown, retries=grabbed.retries + 1,
        headers=headers,
    )  # fmt: skip
    grabbed.state = "RETRY"


def _retry_or_give_up(task: Task, *, message: object, error: Exception, give_up: GiveUp) -> bool:
    """Raise Celery's Retry (later, once more), or give the message up and return False."""
    countdown = _retry_countdown(task.name, error=error, retries=task.request.retries)
    if countdown is None:
        give_up(task_name=task.name, message=message, error=give_up_reason(error))
        return False
    raise task.retry(exc=error, countdown=countdown, max_retries=MAX_RETRIES) from error


def _retry_countdown(task_name: str, *, error: Exception, retries: int) -> float | None:
    """In how many seconds a message that failed with `error` after `retries` retries is
    tried again (logged); None: it is given up."""
    if refusal(error) is not None or retries >= MAX_RETRIES:
        return None
    countdown = backoff_seconds(retries)
    # Celery's own retry line is INFO in a logger kept at WARNING (shared.instrumentation.logs).
    logger.warning(
        "%s: %r; retry %d of %d in %.1f s",
        task_name, error, retries + 1, MAX_RETRIES, countdown,
    )  # fmt: skip
    return countdown
