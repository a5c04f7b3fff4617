"""Study switches: a service slow or failing, its database unreachable, its relay crashing.

Guarded: read only when the stack was started for study or test (BLOG_STUDY_MODE, which
production mode always turns off), from the file named by BLOG_FAULT_FILE that the
launcher writes. A production configuration never reaches any of this. Requests meet them
in shared.api.middleware.FaultMiddleware.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import logging
import os
import time
from collections.abc import Iterator
from contextvars import ContextVar, Token
from pathlib import Path
from typing import TypedDict

from django.conf import settings
from django.db import OperationalError

logger = logging.getLogger(__name__)

MSG_INJECTED_FAULT = "This service is failing on purpose (a fault injected for study)."


@dataclasses.dataclass(frozen=True)
class Fault:
    delay_ms: int = 0  # every request / task of the service waits this long first
    fail_status: int = 0  # every request answers this status (e.g. 500, 503)
    database_down: bool = False  # every SQL query fails as if the database were gone
    moderation_delay_ms: int | None = None  # overrides MODERATION_DELAY_MS
    # One-shot: the next outbox relay exits hard after handing an event to the broker and
    # before marking it sent (a relay dying mid-way); the switch clears itself first.
    relay_crash_after_publish: bool = False
    until: float | None = None  # epoch seconds; None means until cleared

    def active(self) -> bool:
        return self.until is None or time.time() < self.until


class _Cached(TypedDict):
    mtime: int | None
    fault: Fault | None


_cache: _Cached = {"mtime": None, "fault": None}


def current_fault() -> Fault | None:
    """The fault injected into this service right now, if any (cached by file mtime; within
    a request, as the request found it: fault_held)."""
    held = _held.get()
    fault = held[0] if held is not None else _read_fault()
    return fault if fault is not None and fault.active() else None


def _read_fault() -> Fault | None:
    path = os.environ.get("BLOG_FAULT_FILE")
    if not (settings.STUDY_MODE and path):
        return None
    try:
        mtime = os.stat(path).st_mtime_ns  # os.stat: Path() parsing cost more than the stat
    except FileNotFoundError:
        return None
    if mtime != _cache["mtime"]:
        try:
            fault = Fault(**json.loads(Path(path).read_text()))
        except (ValueError, TypeError):
            fault = None  # half-written or bad file: no fault
        _cache.update({"mtime": mtime, "fault": fault})
    return _cache["fault"]


# A request (shared.api.middleware.FaultMiddleware), a task and a web process's relay batch
# read the fault file once and hold what they found until they end: their SQL statements and their
# relay's crash check ask the held fault instead of looking at the file again. Each look
# was a stat, 6-8 a request, and each let the process's relay thread take the GIL the
# request then waited for (docs/speed.md, eighth pass). A fault applies from a service's
# next request or task on, as the launcher's inject_fault says.
_held: ContextVar[tuple[Fault | None] | None] = ContextVar("held_fault", default=None)


@contextlib.contextmanager
def fault_held() -> Iterator[None]:
    """Within this block, current_fault() answers what the fault file said at its start."""
    token = hold_fault()
    try:
        yield
    finally:
        release_fault(token)


def hold_fault() -> Token[tuple[Fault | None] | None]:
    """fault_held's start, for a task (shared.instrumentation.celery_signals): what the
    fault file says now is what the task's SQL statements meet until release_fault."""
    return _held.set((_read_fault(),))


def release_fault(token: Token[tuple[Fault | None] | None]) -> None:
    _held.reset(token)


def moderation_delay_ms() -> int:
    fault = current_fault()
    if fault is not None and fault.moderation_delay_ms is not None:
        return fault.moderation_delay_ms
    return settings.MODERATION_DELAY_MS


def apply_delay() -> None:
    fault = current_fault()
    if fault is not None and fault.delay_ms > 0:
        time.sleep(fault.delay_ms / 1000)


def refuse_queries_while_database_down(execute, sql, params, many, context):
    """A connection execute wrapper: fail every query while the database is 'down'."""
    fault = current_fault()
    if fault is not None and fault.database_down:
        raise OperationalError("database unavailable (fault injected for study)")
    return execute(sql, params, many, context)


RELAY_CRASH_EXIT_CODE = 70


def relay_crash_armed() -> bool:
    """Is the one-shot relay crash switched on for this service?"""
    fault = current_fault()
    return fault is not None and fault.relay_crash_after_publish


def relay_crash(*, event_id: str) -> None:
    """Die as a crash would (no clean-up, no marking sent), after clearing the one-shot
    switch so that the restarted process does not die again."""
    path = Path(os.environ["BLOG_FAULT_FILE"])
    try:
        switches = json.loads(path.read_text())
    except (OSError, ValueError):
        switches = {}
    switches.pop("relay_crash_after_publish", None)
    staging = path.with_suffix(f".{os.getpid()}.tmp")
    staging.write_text(json.dumps(switches))
    staging.replace(path)
    logger.critical("study: the relay dies after publishing %s, before marking it sent", event_id)
    logging.shutdown()
    os._exit(RELAY_CRASH_EXIT_CODE)
