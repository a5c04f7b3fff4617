"""Gunicorn settings the launcher (and the container image) use for every web process.

The access log goes to stdout with each request's id (the X-Request-ID the response
carries), one JSON object a line when LOG_FORMAT=json. BLOG_ACCESS_LOG=off turns it off
(the launcher does unless asked: the benchmark measures the stacks, not a log line).
https://docs.gunicorn.org/en/stable/settings.html#access-log-format
"""

import gc
import json
import os

from gunicorn import util
from gunicorn.arbiter import Arbiter
from prometheus_client import multiprocess

from shared.error_shape import error_body
from shared.unused_imports import keep_unused_libraries_out

# Before the arbiter preloads the app: DRF then skips requests, markdown and pygments,
# which no service uses (shared/unused_imports.py).
keep_unused_libraries_out()

# Keep-alive: how long an idle client connection stays open (seconds). gunicorn's default,
# 2 s, is about what a micro client's connection to one service idles while it waits for
# another under load, so gunicorn closed it just as the client reused it (a reset). 10 s
# is well past those pauses, and short enough not to hold many abandoned connections (with
# 75 s the schema fuzzing once ran past its timeout; see tests/test_connection_resets.py).
keepalive = 10

PLAIN_ACCESS_FORMAT = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms rid=%({x-request-id}o)s "%(a)s"'
JSON_ACCESS_FORMAT = (
    '{"time": "%(t)s", "level": "INFO", "logger": "gunicorn.access", "remote": "%(h)s", '
    '"method": "%(m)s", "path": "%(U)s", "query": "%(q)s", "status": %(s)s, "bytes": "%(b)s", '
    '"ms": %(M)s, "request_id": "%({x-request-id}o)s", "user_agent": "%(a)s"}'
)

# Preload: the app (Django, DRF, the service's models and views) is imported once, in the
# arbiter, and each worker is forked from it, so its pages are shared copy-on-write instead
# of imported again in every worker: a micro service's three web processes from 121-159
# to 77-113 MiB PSS (docs/cost.md, "Memory: what each process holds"). What the arbiter must not
# hold at the fork, it does not: Django opens a database connection at a request's first
# query (in a worker), Celery's producer pool at the first publish, prometheus-client's
# files by process id (it notices a fork), the relay thread starts in post_worker_init.
# Preloaded, `kill -HUP` replaces the workers but does not import changed code again: a
# restart does. The container image runs this same config (deploy/docker-entrypoint.sh).
# https://docs.gunicorn.org/en/stable/settings.html#preload-app
preload_app = True

accesslog = None if os.environ.get("BLOG_ACCESS_LOG", "-") == "off" else "-"
access_log_format = (
    JSON_ACCESS_FORMAT if os.environ.get("LOG_FORMAT") == "json" else PLAIN_ACCESS_FORMAT
)


def child_exit(server, worker) -> None:
    """Tell prometheus-client a worker is gone, so its live gauges are dropped."""
    multiprocess.mark_process_dead(worker.pid)


def pre_fork(server, worker) -> None:
    """Before each fork: the arbiter imports what a worker would import at its first request,
    then freezes its objects out of the collector's reach (share_with_workers)."""
    share_with_workers()


def share_with_workers() -> None:
    """What the arbiter holds, made worth sharing: the URLconf imported (every view, its
    serializers, the admin's URLs: otherwise each worker imports them at its first request,
    in pages of its own), then gc.freeze(), so that a worker's garbage collections never
    write to the inherited objects' headers (which would copy their pages).
    https://docs.python.org/3/library/gc.html#gc.freeze
    An app that is not Django (the benchmark's floor app) has no URLconf to import."""
    from django.apps import apps

    if apps.ready:
        from django.urls import get_resolver

        get_resolver().url_patterns  # noqa: B018 (imports the URLconf, once)
    gc.freeze()


def post_worker_init(worker) -> None:
    """A web process answers a write as soon as it commits: its relay after commit runs on a
    thread of its own (shared.messaging.publish.BackgroundRelay). Only services with an
    outbox have one; an app that is not Django (the benchmark's floor app) has none."""
    from django.apps import apps

    if apps.ready and apps.is_installed("shared.messaging"):
        from shared.messaging.publish import relay_in_background

        relay_in_background()


def write_json_error(sock, status_int: int, reason: str, mesg: str) -> None:
    """gunicorn's own refusals (an over-long request line: 414, headers too large: 431, a
    malformed request: 400) in the contract's JSON error shape instead of gunicorn's HTML."""
    code = reason.lower().replace(" ", "_") or "bad_request"
    body = json.dumps(error_body(code=code, message=mesg or reason)).encode()
    head = (
        f"HTTP/1.1 {status_int} {reason}\r\nConnection: close\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    util.write_nonblock(sock, head.encode("latin1") + body)


# gunicorn's workers answer their own errors through gunicorn.util.write_error.
util.write_error = write_json_error

# The arbiter wakes every second to look for hung workers (none is taken for hung before
# --timeout, 30 s) and to keep their number; a signal (a worker's death, a stop) wakes it at
# once whatever this is. Every ARBITER_TICK_SECONDS instead: six arbiters waking every
# second were part of micro's CPU at rest (docs/cost.md).
ARBITER_TICK_SECONDS = 5.0
_wait_for_signals = Arbiter.wait_for_signals


def _wait_for_signals_longer(self, timeout=1.0):
    return _wait_for_signals(self, timeout=max(timeout, ARBITER_TICK_SECONDS))


Arbiter.wait_for_signals = _wait_for_signals_longer  # type: ignore[method-assign]
