"""Scenarios shared by the test suite and the benchmark: request counts and the failure matrix.

Each scenario drives a launched stack through the public contract and reads what each
action cost from the trace records, so the tests assert on the same numbers the report
prints.
"""

from __future__ import annotations

import dataclasses
import time

from shared import rules
from stacks.client import BlogClient, Reply
from stacks.launcher import Stack
from stacks.processes import wait_until
from stacks.tracing import action_cost

READ_STRATEGIES_BY_STACK = {"monolith": ("query",), "micro": ("query", "aggregator", "naive")}


# -- request counts ----------------------------------------------------------------------
def seed(client: BlogClient, stack: Stack, *, posts: int, comments_per_post: int, tag: str):
    """Create posts with comments and wait until each action's fan-out has settled."""
    ids = []
    for number in range(posts):
        post = client.create_post(f"{tag} post {number}")
        action_cost(stack.trace_dir, post.request_id)
        for comment_number in range(comments_per_post):
            content = "orange" if comment_number % 3 == 0 else f"comment {comment_number}"
            action_cost(stack.trace_dir, client.add_comment(post.body["id"], content).request_id)
        ids.append(post.body["id"])
    return ids


def _row(action: str, stack: Stack, strategy: str, reply: Reply) -> dict:
    cost = action_cost(stack.trace_dir, reply.request_id)
    return {
        "action": action,
        "stack": stack.kind,
        "strategy": strategy,
        "status": reply.outcome,
        "client_requests": reply.requests,
        "internal_calls": cost.calls_out,
        "messages": cost.published,
        "sql_queries": cost.sql_total,
        "services": ", ".join(f"{name} {n}" for name, n in sorted(cost.requests.items())),
    }


def request_count_table(monolith: Stack, micro: Stack, *, posts: int) -> list[dict]:
    """What each user action costs on each stack, counted exactly (list of N posts)."""
    rows = []
    for stack in (monolith, micro):
        client = BlogClient(stack.kind, stack.urls)
        seed(client, stack, posts=posts, comments_per_post=1, tag=f"counts {time.time_ns()}")
        post = client.create_post("counted post")
        rows.append(_row("create post", stack, "-", post))
        action_cost(stack.trace_dir, post.request_id)
        rows.append(_row("add comment", stack, "-", client.add_comment(post.body["id"], "hi")))
        for strategy in READ_STRATEGIES_BY_STACK[stack.kind]:
            reply = client.list_posts(limit=posts, strategy=strategy)
            label = "list" if stack.kind == "monolith" else f"list via {strategy}"
            rows.append(_row(f"{label} ({posts} posts)", stack, strategy, reply))
    return rows


# -- the failure matrix -----------------------------------------------------------------
MICRO_TARGETS = (
    "posts-web", "posts-worker", "comments-web", "comments-worker",
    "moderation-web", "moderation-worker", "query-web", "query-worker",
    "eventbus-web", "eventbus-worker", "aggregator-web", "redis",
)  # fmt: skip
MONOLITH_TARGETS = ("monolith-web",)
CONVERGE_TIMEOUT = 60.0


@dataclasses.dataclass
class OutageResult:
    """What each action did while one process was down, and whether all came right after."""

    stack: str
    target: str
    outcomes: dict[str, str]
    seconds: dict[str, float]
    converged: bool
    lost: int
    doubled: int
    converge_seconds: float

    def as_row(self) -> dict:
        return {
            "stack": self.stack,
            "target": self.target,
            **self.outcomes,
            "converged": self.converged,
            "lost": self.lost,
            "doubled": self.doubled,
            "converge_seconds": round(self.converge_seconds, 2),
        }


def _known_post(client: BlogClient, stack: Stack, tag: str) -> int:
    """A post every service has heard of (its PostCreated fan-out has settled)."""
    post = client.create_post(f"{tag} known")
    action_cost(stack.trace_dir, post.request_id)
    return post.body["id"]


def _actions_during_outage(client: BlogClient, known_post: int, tag: str) -> dict[str, Reply]:
    replies = {"create post": client.create_post(f"{tag} during")}
    replies["comment"] = client.add_comment(known_post, f"{tag} during outage")
    for strategy in READ_STRATEGIES_BY_STACK[client.kind]:
        label = "list" if client.kind == "monolith" else f"list via {strategy}"
        replies[label] = client.list_posts(limit=5, strategy=strategy)
    return replies


def _expected_entities(replies: dict[str, Reply], known_post: int) -> tuple[set, dict]:
    """The posts and comments the outage's successful writes promised to keep."""
    posts = {known_post}
    comments: dict[int, set[int]] = {known_post: set()}
    if replies["create post"].ok:
        posts.add(replies["create post"].body["id"])
    if replies["comment"].ok:
        comments[known_post].add(replies["comment"].body["id"])
    return posts, comments


def _reconciled(client: BlogClient, posts: set[int], comments: dict[int, set[int]]) -> dict:
    """Read every promised post back through the public read; count lost and doubled."""
    lost = doubled = 0
    settled = True
    for post_id in posts:
        reply = client.get_post(post_id)
        if not reply.ok:
            lost += 1 + len(comments.get(post_id, ()))
            continue
        seen = [comment["id"] for comment in reply.body["comments"]]
        doubled += len(seen) - len(set(seen))
        lost += len(comments.get(post_id, set()) - set(seen))
        settled &= all(c["status"] != rules.PENDING for c in reply.body["comments"])
    return {"lost": lost, "doubled": doubled, "settled": settled}


def run_outage(stack: Stack, target: str) -> OutageResult:
    """Stop one process, try every user action, restart it, and check convergence."""
    client = BlogClient(stack.kind, stack.urls, timeout=10.0)
    tag = f"outage {target} {time.time_ns()}"
    known_post = _known_post(client, stack, tag)
    stack.stop_process(target)
    try:
        replies = _actions_during_outage(client, known_post, tag)
    finally:
        stack.start_process(target)
    stack.wait_healthy(timeout=60)
    posts, comments = _expected_entities(replies, known_post)
    started = time.monotonic()
    state: dict = {}

    def converged() -> bool:
        state.update(_reconciled(client, posts, comments))
        return state["lost"] == 0 and state["settled"]

    try:
        wait_until(converged, timeout=CONVERGE_TIMEOUT, interval=0.1)
        ok = True
    except TimeoutError:
        ok = False
    return OutageResult(
        stack=stack.kind,
        target=target,
        outcomes={action: reply.outcome for action, reply in replies.items()},
        seconds={action: reply.seconds for action, reply in replies.items()},
        converged=ok,
        lost=state.get("lost", 0),
        doubled=state.get("doubled", 0),
        converge_seconds=time.monotonic() - started,
    )


def failure_matrix(monolith: Stack, micro: Stack) -> list[dict]:
    """Every process of each stack stopped in turn: the report's failure matrix."""
    results = [run_outage(monolith, target) for target in MONOLITH_TARGETS]
    results += [run_outage(micro, target) for target in MICRO_TARGETS]
    return [result.as_row() for result in results]
