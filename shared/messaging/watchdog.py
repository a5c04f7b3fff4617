"""A worker whose consumer has stalled restarts itself.

Seen here: after Redis hung for longer than the socket timeout, a Celery worker logged
"Couldn't ack ... TimeoutError" and never consumed again, while its process stayed up.
That cause is fixed in shared/messaging/broker.py; the watchdog stays as a safety net for
any other stall. It notices messages waiting on the worker's own queue while no task has started
or finished for a while, and re-executes the worker in place (same process id, so the
launcher or the orchestrator keeps tracking it). Its unacknowledged messages come back
after the visibility timeout.
"""

from __future__ import annotations

import logging
import os
import sys
import time
from pathlib import Path

import redis
from celery import signals
from django.conf import settings

logger = logging.getLogger(__name__)

STALL_SECONDS = 15
_activity = {"last": time.monotonic(), "running": 0}


@signals.task_prerun.connect
def _task_started(**kwargs) -> None:
    _activity.update(last=time.monotonic(), running=_activity["running"] + 1)


@signals.task_postrun.connect
def _task_finished(**kwargs) -> None:
    _activity.update(last=time.monotonic(), running=max(0, _activity["running"] - 1))


def waiting_messages() -> int | None:
    """Messages on this worker's own queue; None when the broker does not answer.

    On a connection kept for the process: this runs every 5-10 s in every worker, at rest
    too, and a new connection each time (connect, AUTH as the service's Redis user, close)
    was most of what the watchdog cost."""
    url = settings.CELERY_BROKER_URL
    client = _clients.get(url)
    if client is None:
        client = _clients[url] = redis.Redis.from_url(
            url, socket_timeout=2, socket_connect_timeout=2
        )
    try:
        return client.llen(settings.CELERY_TASK_DEFAULT_QUEUE)
    except (redis.RedisError, OSError):
        return None


_clients: dict[str, redis.Redis] = {}


def consumer_watchdog() -> None:
    """Run every few seconds in the worker's loop thread."""
    idle = time.monotonic() - _activity["last"]
    if _activity["running"] or idle < STALL_SECONDS:
        return
    waiting = waiting_messages()
    if not waiting:  # nothing to do, or the broker is away (then waiting is right)
        return
    logger.critical(
        "consumer stalled: %s message(s) wait on %r and no task ran for %.0f s; restarting",
        waiting,
        settings.CELERY_TASK_DEFAULT_QUEUE,
        idle,
    )
    ready_file = os.environ.get("BLOG_READY_FILE")
    if ready_file:
        Path(ready_file).unlink(missing_ok=True)
    # The same command again (sys.orig_argv: the interpreter's options and `-m` too).
    os.execv(sys.executable, [sys.executable, *sys.orig_argv[1:]])
