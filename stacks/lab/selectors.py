"""What the lab page reads: the stacks and their processes, the post list by each read
strategy, one post's comments, an action's cost, the event store's latest events."""

from __future__ import annotations

from typing import Any

import requests

from stacks.client import BlogClient
from stacks.lab import actions, registry
from stacks.routes import PUBLIC_ROUTES, READ_STRATEGIES

EVENT_PAGE_LIMIT = 1000  # the event bus's largest page
EVENT_READ_TIMEOUT = 5.0


def _processes(state: registry.StackState) -> list[dict[str, Any]]:
    stack = state.stack
    names = [*stack.processes, *(["redis"] if stack.redis else [])]
    return [
        {
            "name": name,
            "running": stack.process(name).running,
            "stopped_on_purpose": name in stack.stopped_on_purpose,
        }
        for name in names
    ]


def lab_state() -> dict[str, Any]:
    """Every attached stack: its services, processes (and which run), moderation delay and
    read strategies."""
    stacks = {}
    for kind, state in registry.current().items():
        stacks[kind] = {
            "urls": state.stack.urls,
            "processes": _processes(state),
            "moderation_delay_ms": state.moderation_delay_ms,
            "strategies": list(READ_STRATEGIES) if kind == "micro" else ["query"],
            "has_event_store": "eventbus" in state.stack.urls,
        }
    return {"stacks": stacks}


def _strategy_service(kind: str, strategy: str, requests_sent: int) -> str:
    """Which service failed to answer a read, for the 503 the lab shows."""
    if kind == "monolith" or strategy == "query":
        return PUBLIC_ROUTES["post_list"][kind]
    if strategy == "naive":
        return "posts" if requests_sent == 1 else "comments"
    return strategy


def post_list(*, kind: str, strategy: str, limit: int) -> dict[str, Any]:
    """Read the post list with comments (an action: its cost is counted)."""
    stack = registry.stack_state(kind).stack
    client = BlogClient(kind, stack.urls)
    reply = client.list_posts(limit=limit, strategy=strategy)
    service = _strategy_service(kind, strategy, reply.requests)
    return {**actions.record(stack, reply, kind="list", service=service), "strategy": strategy}


def post_get(*, kind: str, post_id: int) -> dict[str, Any]:
    """One post with its comments from the stack's public read, for live status (no cost)."""
    stack = registry.stack_state(kind).stack
    reply = BlogClient(kind, stack.urls).get_post(post_id)
    status, body = actions.stack_answer(reply, service=PUBLIC_ROUTES["post_get"][kind])
    return {"status": status, "body": body}


def action_progress(*, request_id: str) -> dict[str, Any]:
    """An action's cost so far: messages still in flight show as messages > consumed."""
    action = registry.action(request_id)
    stack = registry.stack_state(action.stack).stack
    return {"request_id": request_id, "cost": actions.cost(stack, request_id, wait=False)}


def _event_summary(event: dict[str, Any]) -> dict[str, Any]:
    data = event.get("data", {})
    return {
        "seq": event["seq"],
        "type": event["type"],
        "service": event.get("source", ""),
        "occurred_at": event.get("occurred_at", ""),
        "post_id": data.get("post_id"),
        "comment_id": data.get("comment_id"),
        "status": data.get("status"),
    }


def _read_new_events(state: registry.StackState) -> dict[str, Any] | None:
    """Page through the events stored since the last read; an error answer if the bus fails."""
    while True:
        try:
            response = state.stack.event_page(
                after=state.events_after, limit=EVENT_PAGE_LIMIT, timeout=EVENT_READ_TIMEOUT
            )
        except requests.RequestException as error:
            reason = "timeout" if isinstance(error, requests.Timeout) else "refused"
            return {"status": 503, "body": actions.unavailable("eventbus", reason=reason)}
        if response.status_code != 200:
            return {"status": response.status_code, "body": response.text}
        page = response.json()
        state.events.extend(page["events"])
        if page["events"]:
            state.events_after = page["events"][-1]["seq"]
        if page["next_after"] is None:
            return None


def recent_events(*, kind: str, limit: int) -> dict[str, Any]:
    """The event store's latest events, newest first."""
    state = registry.stack_state(kind)
    if "eventbus" not in state.stack.urls:
        raise registry.LabNotFound(f"The {kind} stack has no event store.")
    with state.events_lock:
        failed = _read_new_events(state)
        latest = list(state.events)[-limit:]
    # On failure the page still shows the events read before, next to the error.
    answer = failed or {"status": 200, "body": {}}
    return {**answer, "events": [_event_summary(event) for event in reversed(latest)]}
