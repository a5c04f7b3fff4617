"""The Celery app of each micro service, as in Celery's own Django example, plus worker hooks."""

from __future__ import annotations

import logging
import os
import threading
import time
from pathlib import Path

from celery import Celery, signals

# Imported for their signal receivers: per-task instrumentation, the watchdog's activity.
from shared.instrumentation import celery_signals  # noqa: F401
from shared.messaging import watchdog  # noqa: F401
from shared.messaging.broker import BROKER_TRANSPORT
from shared.messaging.redis_acl import unacked_keys

logger = logging.getLogger(__name__)


def make_celery_app(service: str, *, settings: str) -> Celery:
    """The Celery app of one deployable, whose Django settings module is `settings` (unless
    DJANGO_SETTINGS_MODULE says otherwise); settings come from Django with namespace CELERY."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", settings)
    app = Celery(service)
    app.config_from_object("django.conf:settings", namespace="CELERY")
    # kombu's Redis transport with a failed acknowledgement no longer stalling the worker.
    app.conf.update(broker_transport=BROKER_TRANSPORT)
    app.on_after_configure.connect(_own_unacked_keys)
    app.autodiscover_tasks()
    return app


def _own_unacked_keys(sender: Celery, source, **kwargs) -> None:
    """Once the settings are read: kombu keeps this service's unacknowledged messages under
    keys of its own (its Redis user may touch no other's: shared.messaging.redis_acl)."""
    source.broker_transport_options = {
        **(source.broker_transport_options or {}),
        **unacked_keys(sender.main),
    }


@signals.worker_ready.connect
def _announce_ready(sender=None, **kwargs) -> None:
    """Touch BLOG_READY_FILE so the launcher knows the worker consumes its queue, and
    start the service's background loops (outbox relay, catch-up...)."""
    ready_file = os.environ.get("BLOG_READY_FILE")
    if ready_file:
        Path(ready_file).parent.mkdir(parents=True, exist_ok=True)
        Path(ready_file).write_text(str(os.getpid()))
    from django.conf import settings

    loops = {path: ms for path, ms in getattr(settings, "WORKER_LOOPS", {}).items() if ms > 0}
    loops[WATCHDOG] = WATCHDOG_INTERVAL_MS  # every worker: restart a stalled consumer
    at_rest = getattr(settings, "WORKER_LOOPS_AT_REST_MS", {})
    threading.Thread(target=_run_loops, args=(loops, at_rest), name="loops", daemon=True).start()


@signals.worker_shutting_down.connect
def _announce_stopping(**kwargs) -> None:
    _stop_loops.set()
    _wake.set()
    ready_file = os.environ.get("BLOG_READY_FILE")
    if ready_file:
        Path(ready_file).unlink(missing_ok=True)


_stop_loops = threading.Event()
# Set when the worker starts a task, or when it stops: the loops then look again at once.
_wake = threading.Event()
WATCHDOG = "shared.messaging.watchdog.consumer_watchdog"
WATCHDOG_INTERVAL_MS = 5000
# A loop that found nothing to do waits twice as long next time, up to this; any task the
# worker starts brings every loop back to its own interval.
IDLE_INTERVAL_MAX_SECONDS = 10.0


@signals.task_prerun.connect
def _work_arrived(**kwargs) -> None:
    _wake.set()


@signals.task_prerun.connect
@signals.task_postrun.connect
def _connections_as_for_a_request(sender=None, **kwargs) -> None:
    """Around each task, what Django does around each request: close the connections that
    are broken or older than CONN_MAX_AGE, keep the others (settings: CELERY_DB_REUSE_MAX).
    Not for a task applied in the caller's process (`apply`, tests): as Celery's own fixup,
    it leaves the caller's connections alone."""
    from django.db import close_old_connections

    if getattr(getattr(sender, "request", None), "is_eager", False):
        return
    close_old_connections()


def _run_loops(loops: dict[str, int], at_rest: dict[str, int] | None = None) -> None:
    """Call each function of WORKER_LOOPS every so many milliseconds, in one thread, and
    less often while it finds nothing to do (it returns 0 or None): a stack at rest sleeps,
    each loop up to IDLE_INTERVAL_MAX_SECONDS apart, or as far apart as `at_rest`
    (WORKER_LOOPS_AT_REST_MS) says. A failure (broker, database or another service away) is
    logged and tried again."""
    from django.utils.module_loading import import_string

    functions = {path: import_string(path) for path in loops}
    base = {path: ms / 1000 for path, ms in loops.items()}
    longest = {
        path: max(base[path], (at_rest or {}).get(path, IDLE_INTERVAL_MAX_SECONDS * 1000) / 1000)
        for path in loops
    }
    interval, due = dict(base), dict.fromkeys(loops, 0.0)
    while not _stop_loops.is_set():
        if _wake.wait(max(0.0, min(due.values()) - time.monotonic())):
            _wake.clear()
            now = time.monotonic()
            for path in functions:
                interval[path] = base[path]
                due[path] = min(due[path], now + base[path])
            continue
        for path, function in functions.items():
            if time.monotonic() < due[path] or _stop_loops.is_set():
                continue
            interval[path] = _next_interval(
                function, path, interval[path], base[path], longest[path]
            )
            due[path] = time.monotonic() + interval[path]


def _next_interval(function, path: str, interval: float, base: float, longest: float) -> float:
    from django.db import close_old_connections

    try:
        close_old_connections()
        found_work = function()
    except Exception as error:
        logger.warning("%s failed (%r); will try again", path, error)
        return base
    return base if found_work else min(interval * 2, longest)
