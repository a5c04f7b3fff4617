"""What one action answered and cost: the lab's envelope around a stack's reply."""

from __future__ import annotations

import time
from typing import Any

from shared.api.errors import unavailable_body
from stacks.client import Reply
from stacks.lab import registry
from stacks.launcher import Stack
from stacks.tracing import (
    action_cost,
    final_visible_at,
    query_applied_at,
    read_records,
    summarise,
)

# How long an action's answer waits for its fan-out to go quiet; the page asks again after.
COST_WAIT_SECONDS = 1.0


def unavailable(service: str, *, reason: str) -> dict[str, Any]:
    """The 503 the lab shows when nothing answered, as a gateway in front would."""
    detail = f"No answer from {service} ({reason}); the lab answers 503 for it."
    return {**unavailable_body(service), "detail": detail}


def stack_answer(reply: Reply, *, service: str) -> tuple[int, Any]:
    """The stack's status and body as they are; a 503 naming the service when none came."""
    if reply.status:
        return reply.status, reply.body
    return 503, unavailable(service, reason=reply.outcome)


def visible_at(action: registry.Action, records: list[dict]) -> float | None:
    """When micro's read model showed what the action wrote (None: not yet, or no write)."""
    if action.stack != "micro":
        return None
    if action.kind == "comment":
        return final_visible_at(records)  # its final status, not just the pending comment
    if action.kind == "post":
        return min(query_applied_at(records), default=None)
    return None


def cost(stack: Stack, request_id: str, *, wait: bool) -> dict[str, Any]:
    """The action's cost from the stack's trace records (waiting a little for the fan-out)."""
    action = registry.action(request_id)
    if wait:
        action_cost(stack.trace_dir, request_id, timeout=COST_WAIT_SECONDS)
    records = read_records(stack.trace_dir, request_id)
    spent = summarise(records)
    moment = visible_at(action, records)
    return {
        "requests": action.requests,
        "internal_calls": spent.internal_requests,
        "messages": spent.published,
        "consumed": spent.consumed,
        "sql": spent.sql_total,
        "ms": round(action.ms, 1),
        "visible_ms": None if moment is None else round((moment - action.returned_at) * 1000, 1),
        "settled": spent.consumed >= spent.published,
    }


def record(stack: Stack, reply: Reply, *, kind: str, service: str) -> dict[str, Any]:
    """Remember an action the page asked for, and answer it with what it cost."""
    registry.remember_action(
        reply.request_id,
        registry.Action(
            stack=stack.kind,
            kind=kind,
            requests=reply.requests,
            ms=reply.seconds * 1000,
            returned_at=time.time(),
        ),
    )
    status, body = stack_answer(reply, service=service)
    return {
        "status": status,
        "body": body,
        "cost": cost(stack, reply.request_id, wait=True),
        "request_id": reply.request_id,
    }
