"""What the lab's buttons do: write to a stack through its public API, stop and start processes,
slow moderation down."""

from __future__ import annotations

from typing import Any

from stacks.client import BlogClient
from stacks.lab import actions, registry
from stacks.launcher import StackError
from stacks.routes import PUBLIC_ROUTES


def _client(kind: str) -> BlogClient:
    stack = registry.stack_state(kind).stack
    return BlogClient(stack.kind, stack.urls)


def post_create(*, kind: str, title: Any) -> dict[str, Any]:
    stack = registry.stack_state(kind).stack
    reply = _client(kind).create_post(title)
    service = PUBLIC_ROUTES["post_create"][kind]
    return actions.record(stack, reply, kind="post", service=service)


def comment_add(*, kind: str, post_id: int, content: Any) -> dict[str, Any]:
    stack = registry.stack_state(kind).stack
    reply = _client(kind).add_comment(post_id, content)
    service = PUBLIC_ROUTES["comment_create"][kind]
    return actions.record(stack, reply, kind="comment", service=service)


def _known_process(kind: str, name: str) -> None:
    try:
        registry.stack_state(kind).stack.process(name)
    except StackError as error:
        raise registry.LabNotFound(str(error)) from None


def process_stop(*, kind: str, name: str) -> None:
    _known_process(kind, name)
    registry.run_control(registry.stack_state(kind).stack.stop_process, name)


def process_start(*, kind: str, name: str) -> None:
    """Start a process again and wait until the whole stack reports healthy."""
    _known_process(kind, name)
    registry.run_control(registry.stack_state(kind).stack.start_process, name)


def moderation_delay_set(*, kind: str, delay_ms: int) -> None:
    """Slow moderation down: inside the monolith's request, or in micro's moderation worker."""
    state = registry.stack_state(kind)
    registry.run_control(state.stack.slow_moderation, delay_ms)
    state.moderation_delay_ms = delay_ms
