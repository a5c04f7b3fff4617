"""A short scripted demo: the same actions on both stacks, and what each one answered."""

from __future__ import annotations

import time
from collections.abc import Callable

from shared import rules
from stacks.client import BlogClient, Reply
from stacks.launcher import Stack
from stacks.processes import wait_until

COMMENTS = ("What a lovely first post", "I prefer Orange, to be honest")


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def _line(out: Callable[[str], None], action: str, reply: Reply, detail: str) -> None:
    out(f"  {action:<34} -> {reply.status}  {detail:<28} ({_ms(reply.seconds)})")


def _final_statuses(client: BlogClient, post_id: int, count: int) -> tuple[list[str], float]:
    """Poll the public read until all comments are moderated; returns statuses and seconds."""
    started = time.perf_counter()
    statuses: list[str] = []

    def moderated() -> bool:
        nonlocal statuses
        reply = client.get_post(post_id)
        comments = reply.body.get("comments", []) if reply.ok else []
        statuses = [comment["status"] for comment in comments]
        return len(statuses) == count and rules.PENDING not in statuses

    wait_until(moderated, timeout=30, interval=0.01, message="comments were not moderated")
    return statuses, time.perf_counter() - started


def run_demo(stacks: list[Stack], out: Callable[[str], None]) -> None:
    for stack in stacks:
        client = BlogClient(stack.kind, stack.urls)
        out(f"\n== {stack.kind} ==")
        post = client.create_post(f"Hello from the {stack.kind}")
        _line(out, "create post", post, f"id={post.body['id']}")
        for content in COMMENTS:
            reply = client.add_comment(post.body["id"], content)
            _line(out, f"comment {content[:22]!r}", reply, f"status={reply.body['status']}")
        statuses, waited = _final_statuses(client, post.body["id"], len(COMMENTS))
        out(f"  final statuses {statuses} visible after {_ms(waited)} of polling")
        strategies = ["query"] if stack.kind == "monolith" else ["query", "aggregator", "naive"]
        for strategy in strategies:
            reply = client.list_posts(limit=10, strategy=strategy)
            posts = len(reply.body) if reply.ok else 0
            label = "list posts" if stack.kind == "monolith" else f"list posts via {strategy}"
            _line(out, label, reply, f"{posts} posts, {reply.requests} request(s)")
