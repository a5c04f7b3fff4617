"""The stacks the launcher started, for the lab's views: attached once, read from any thread."""

from __future__ import annotations

import collections
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from stacks.launcher import Stack

ACTIONS_KEPT = 500  # actions whose cost the page may still ask for
EVENTS_KEPT = 200  # the event store's tail the timeline can show


class LabNotFound(LookupError):
    """No such stack, process or action in this lab (the page gets a 404)."""


@dataclass
class Action:
    """One action the page asked for: on which stack, what, and what the client saw."""

    stack: str
    kind: str  # "post", "comment" or "list"
    requests: int  # requests the client sent (1 + N for the naive read)
    ms: float  # from sending to the answer, on the client's clock
    returned_at: float  # time.time() when the answer came back


@dataclass
class StackState:
    """A running stack and what the lab knows about it beyond the Stack object."""

    stack: Stack
    moderation_delay_ms: int
    events: collections.deque = field(default_factory=lambda: collections.deque(maxlen=EVENTS_KEPT))
    events_after: int = 0  # the last event store seq read
    events_lock: threading.Lock = field(default_factory=threading.Lock)


_stacks: dict[str, StackState] = {}
_actions: collections.OrderedDict[str, Action] = collections.OrderedDict()
_actions_lock = threading.Lock()
# Process control runs on one long-lived thread: one change at a time (the lock), and Linux
# ties a child's die-with-parent signal to the thread that started it (stacks/processes.py),
# so it must not be a web server thread that may end before the launcher does.
_control = ThreadPoolExecutor(max_workers=1, thread_name_prefix="lab-control")


def attach(stacks: list[Stack]) -> None:
    """Give the lab the stacks it shows (replacing any attached before)."""
    _stacks.clear()
    for stack in stacks:
        delay = int(stack.extra_env.get("MODERATION_DELAY_MS", "0") or 0)
        _stacks[stack.kind] = StackState(stack=stack, moderation_delay_ms=delay)
    with _actions_lock:
        _actions.clear()


def current() -> dict[str, StackState]:
    return dict(_stacks)


def stack_state(kind: str) -> StackState:
    try:
        return _stacks[kind]
    except KeyError:
        known = ", ".join(_stacks) or "none"
        raise LabNotFound(f"No stack {kind!r} in this lab; running: {known}.") from None


def remember_action(request_id: str, action: Action) -> None:
    with _actions_lock:
        _actions[request_id] = action
        while len(_actions) > ACTIONS_KEPT:
            _actions.popitem(last=False)


def action(request_id: str) -> Action:
    with _actions_lock:
        found = _actions.get(request_id)
    if found is None:
        raise LabNotFound(f"No action {request_id!r} in this lab.")
    return found


def run_control(change: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Run a process change on the control thread and wait for it."""
    return _control.submit(change, *args, **kwargs).result()
