"""Per-task instrumentation: the request id travels in a message header; tallies and traces.

Connected when a deployable's Celery app is made (shared.messaging.celery_app).
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from contextvars import Token
from typing import Any

from celery import signals
from django.conf import settings

from shared import study
from shared.instrumentation import logs, metrics, tally
from shared.instrumentation.process import become_worker, role
from shared.instrumentation.trace import tracing_on, write_trace
from shared.instrumentation.worker_metrics import serve_worker_metrics

_running: dict[str, tuple[tally.ActionTally, tuple]] = {}
# task id -> the token that resets logs.current_event_id
_event_ids: dict[str, Token[str | None]] = {}
# task id -> the token that ends the task's hold on the study fault (shared.study.hold_fault)
_faults: dict[str, Token] = {}


@signals.worker_init.connect
def _mark_worker(**kwargs) -> None:
    become_worker()
    serve_worker_metrics()  # only with WORKER_METRICS_PORT (containers)


@signals.before_task_publish.connect
def _stamp_and_count_publish(sender=None, headers=None, **kwargs) -> None:
    """Every message carries the request id of the action that caused it."""
    if headers is None:
        return
    request_id = headers.get(tally.REQUEST_ID_MESSAGE_HEADER) or tally.current_request_id.get()
    if request_id:
        headers[tally.REQUEST_ID_MESSAGE_HEADER] = request_id
    metrics.MESSAGES_PUBLISHED.labels(settings.SERVICE_NAME, str(sender)).inc()
    if tally.current_tally.get() is not None:
        tally.count("published")
    elif request_id:
        # Published outside any request or task (the outbox relay loop): its own record.
        _trace(request_id, kind="relay", name=str(sender), published=1)


@signals.task_prerun.connect
def _begin_task(task_id=None, task=None, args=None, **kwargs) -> None:
    request_id = task.request.get(tally.REQUEST_ID_MESSAGE_HEADER) or task_id
    _running[task_id] = tally.begin(request_id)
    _event_ids[task_id] = logs.current_event_id.set(logs.event_id_of((args or [None])[0]))
    # The fault file is read once per task, not at each of its SQL statements (a stat each).
    _faults[task_id] = study.hold_fault()
    study.apply_delay()  # a worker slowed for study waits before each task


@signals.task_postrun.connect
def _end_task(task_id=None, task=None, state=None, **kwargs) -> None:
    fault_token = _faults.pop(task_id, None)
    if fault_token is not None:
        study.release_fault(fault_token)
    event_token = _event_ids.pop(task_id, None)
    if event_token is not None:
        logs.current_event_id.reset(event_token)
    running = _running.pop(task_id, None)
    if running is None:
        return
    action, tokens = running
    tally.end(tokens)
    seconds = action.elapsed_ms() / 1000
    metrics.MESSAGES_CONSUMED.labels(settings.SERVICE_NAME, task.name, str(state)).inc()
    metrics.TASK_SECONDS.labels(settings.SERVICE_NAME, task.name).observe(seconds)
    _trace(
        action.request_id,
        kind="task",
        name=task.name,
        status=str(state),
        sql=action.sql_queries,
        calls_out=action.calls_out,
        published=action.published,
        consumed=1,
        ms=round(seconds * 1000, 3),
    )


def record_grabbed(request_id: str, *, name: str, state: str) -> None:
    """A message a task took with its own and did the work of (shared.messaging.grab):
    counted as a task of its own in `state`, its SQL and time in the taking task's."""
    metrics.MESSAGES_CONSUMED.labels(settings.SERVICE_NAME, name, state).inc()
    if request_id:
        _trace(request_id, kind="task", name=name, status=state, consumed=1, grabbed=1, ms=0.0)


@contextlib.contextmanager
def traced_relay(request_id: str | None, *, name: str) -> Iterator[None]:
    """Tally a relay that runs outside any request or task (a web process's relay thread)
    under the request id of the write that recorded the event, in a trace record of its own:
    the action's SQL and messages still add up to what they cost."""
    if not request_id:
        yield
        return
    action, tokens = tally.begin(request_id)
    try:
        yield
    finally:
        tally.end(tokens)
        _trace(
            request_id,
            kind="relay",
            name=name,
            sql=action.sql_queries,
            published=action.published,
            relayed=1,  # one of the request's handed_off events, sent or not
            ms=round(action.elapsed_ms(), 3),
        )


def _trace(request_id: str, *, kind: str, name: str, **counts) -> None:
    if not tracing_on():
        return
    record: dict[str, Any] = {
        "rid": request_id,
        "service": settings.SERVICE_NAME,
        "role": role(),
        "kind": kind,
    }
    record.update(name=name, sql=0, calls_out=0, published=0, consumed=0, at=time.time())
    record.update(counts)
    write_trace(record)
