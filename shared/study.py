"""Study switches: make a service slow or failing, or its database unreachable, for a while.

Guarded: read only when the stack was started for study or test (BLOG_STUDY_MODE, which
production mode always turns off), from the file named by BLOG_FAULT_FILE that the
launcher writes. A production configuration never reaches any of this.
"""

from __future__ import annotations

import dataclasses
import json
import os
import time
from pathlib import Path

from django.conf import settings
from django.db import OperationalError
from django.http import JsonResponse

from shared.api.errors import error_body

MSG_INJECTED_FAULT = "This service is failing on purpose (a fault injected for study)."


@dataclasses.dataclass(frozen=True)
class Fault:
    delay_ms: int = 0  # every request / task of the service waits this long first
    fail_status: int = 0  # every request answers this status (e.g. 500, 503)
    database_down: bool = False  # every SQL query fails as if the database were gone
    moderation_delay_ms: int | None = None  # overrides MODERATION_DELAY_MS
    until: float | None = None  # epoch seconds; None means until cleared

    def active(self) -> bool:
        return self.until is None or time.time() < self.until


_cache: dict[str, object] = {"mtime": None, "fault": None}


def current_fault() -> Fault | None:
    """The fault injected into this service right now, if any (cached by file mtime)."""
    path = os.environ.get("BLOG_FAULT_FILE")
    if not (settings.STUDY_MODE and path):
        return None
    try:
        mtime = Path(path).stat().st_mtime_ns
    except FileNotFoundError:
        return None
    if mtime != _cache["mtime"]:
        try:
            fault = Fault(**json.loads(Path(path).read_text()))
        except (ValueError, TypeError):
            fault = None  # half-written or bad file: no fault
        _cache.update(mtime=mtime, fault=fault)
    fault = _cache["fault"]
    return fault if fault is not None and fault.active() else None


def moderation_delay_ms() -> int:
    fault = current_fault()
    if fault is not None and fault.moderation_delay_ms is not None:
        return fault.moderation_delay_ms
    return settings.MODERATION_DELAY_MS


def apply_delay() -> None:
    fault = current_fault()
    if fault is not None and fault.delay_ms > 0:
        time.sleep(fault.delay_ms / 1000)


class FaultMiddleware:
    """Slow down or fail every request except the health check, while a fault is injected."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        fault = current_fault()
        if fault is None or request.path.startswith("/health/"):
            return self.get_response(request)
        apply_delay()
        if fault.fail_status:
            body = error_body(code="injected_fault", message=MSG_INJECTED_FAULT)
            return JsonResponse(body, status=fault.fail_status)
        return self.get_response(request)


def refuse_queries_while_database_down(execute, sql, params, many, context):
    """A connection execute wrapper: fail every query while the database is 'down'."""
    fault = current_fault()
    if fault is not None and fault.database_down:
        raise OperationalError("database unavailable (fault injected for study)")
    return execute(sql, params, many, context)
