"""The running tally of one action in one process: SQL queries, calls out, messages published.

A tally lives in a context variable for the duration of one HTTP request or one Celery
task, together with the request id that ties an action's whole fan-out together.
"""

from __future__ import annotations

import dataclasses
import time
from contextvars import ContextVar, Token

REQUEST_ID_HEADER = "X-Request-ID"
# Celery message header that carries the request id from service to service.
REQUEST_ID_MESSAGE_HEADER = "request_id"

current_request_id: ContextVar[str | None] = ContextVar("current_request_id", default=None)


@dataclasses.dataclass
class ActionTally:
    request_id: str
    started: float = dataclasses.field(default_factory=time.perf_counter)
    sql_queries: int = 0
    calls_out: int = 0
    published: int = 0
    handed_off: int = 0  # events left to the process's relay thread (publish.BackgroundRelay)

    def elapsed_ms(self) -> float:
        return (time.perf_counter() - self.started) * 1000


current_tally: ContextVar[ActionTally | None] = ContextVar("current_tally", default=None)


def begin(request_id: str) -> tuple[ActionTally, tuple[Token, Token]]:
    """Start tallying an action (one request or one task) in this context."""
    tally = ActionTally(request_id=request_id)
    return tally, (current_request_id.set(request_id), current_tally.set(tally))


def end(tokens: tuple[Token, Token]) -> None:
    current_request_id.reset(tokens[0])
    current_tally.reset(tokens[1])


def count(field: str) -> None:
    """Add one to a field of the current tally, if an action is being tallied."""
    tally = current_tally.get()
    if tally is not None:
        setattr(tally, field, getattr(tally, field) + 1)
