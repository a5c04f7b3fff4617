"""Log lines that say which action they belong to: request id and event id on every line.

Every deployable's LOGGING (shared/settings/base.py) comes from `logging_config`: plain text
by default, one JSON object a line with LOG_FORMAT=json (what a log collector parses). The
request id is the one RequestIdMiddleware and the Celery signals keep in a context variable
(shared.instrumentation.tally); a worker's task also names the event it consumes.
"""

from __future__ import annotations

import json
import logging
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

from shared.instrumentation.tally import current_request_id

current_event_id: ContextVar[str | None] = ContextVar("current_event_id", default=None)
LOG_FORMATS = ("plain", "json")
PLAIN_FORMAT = (
    "%(asctime)s %(levelname)s %(name)s [rid=%(request_id)s event=%(event_id)s] %(message)s"
)
NO_ID = "-"


class ActionContextFilter(logging.Filter):
    """Stamp each record with the current request id and event id ("-" outside one)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current_request_id.get() or NO_ID
        record.event_id = current_event_id.get() or NO_ID
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time, level, logger, message, request_id, event_id[, exc]."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "service": _service_name(),
            "request_id": getattr(record, "request_id", NO_ID),
            "event_id": getattr(record, "event_id", NO_ID),
        }
        if record.exc_info:
            line["exc"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False)


def _service_name() -> str:
    from django.conf import settings

    return getattr(settings, "SERVICE_NAME", "") if settings.configured else ""


def event_id_of(message: object) -> str | None:
    """The id of the event a `<service>.handle_event` task was given, if it looks like one."""
    if isinstance(message, dict) and isinstance(message.get("id"), str):
        return message["id"][:64]
    return None


# The loggers of Celery's per-task INFO lines; the worker's "ready." line is another's
# (celery.apps.worker), and the launcher waits on the ready file anyway.
PER_TASK_LOGGERS = ("celery.worker.strategy", "celery.app.trace")


def logging_config(*, log_format: str, level: str) -> dict[str, Any]:
    """Django's LOGGING: one console handler, every line with the action's ids."""
    if log_format not in LOG_FORMATS:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(f"LOG_FORMAT must be one of {', '.join(LOG_FORMATS)}")
    formatters = {
        "plain": {"format": PLAIN_FORMAT},
        "json": {"()": JsonFormatter},
    }
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"action": {"()": ActionContextFilter}},
        "formatters": {log_format: formatters[log_format]},
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "formatter": log_format,
                "filters": ["action"],
            }
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            "django.request": {"level": "ERROR"},
            # Celery's two lines per task ("Task ... received", "... succeeded in ...s"):
            # about 5% of a worker's CPU per event (docs/speed.md, seventh pass). Their
            # warnings and errors (a task that failed, a message that could not be acked)
            # stay; a retry is logged by the retry policy (shared.messaging.retry).
            **{name: {"level": "WARNING"} for name in PER_TASK_LOGGERS},
        },
    }
