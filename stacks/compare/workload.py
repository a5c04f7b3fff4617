"""The benchmark's actions, the order runs happen in (interleaved), and the seed data."""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

from shared import rules
from stacks.client import BlogClient
from stacks.compare import loadgen
from stacks.compare.loadgen import comment_content
from stacks.launcher import Stack
from stacks.processes import wait_until

SEED_THREADS = 8


@dataclasses.dataclass(frozen=True)
class Action:
    """One measured user action on one stack."""

    label: str  # as the report names it
    stack: str
    action: str  # loadgen action
    strategy: str = "query"
    group: str = ""  # actions compared across stacks share a group

    @property
    def key(self) -> str:
        return f"{self.stack}: {self.label}"


READ_ACTIONS = (
    Action("list", "monolith", "list", group="list"),
    Action("list via query", "micro", "list", "query", group="list"),
    Action("list via aggregator", "micro", "list", "aggregator", group="list (sync)"),
    Action("list via naive client", "micro", "list", "naive", group="list (client)"),
)
WRITE_ACTIONS = (
    Action("create post", "monolith", "create post", group="create post"),
    Action("create post", "micro", "create post", group="create post"),
    Action("add comment", "monolith", "add comment", group="add comment"),
    Action("add comment", "micro", "add comment", group="add comment"),
)
STACK_ORDER = ("monolith", "micro")


def interleaved_plan(actions, *, levels: Sequence[int], repetitions: int) -> list[dict]:
    """Every (repetition, concurrency, action) once; within each, the monolith then micro,
    so that both stacks see the same moment of the machine (and the same database growth)."""
    groups = list(dict.fromkeys(action.group for action in actions))
    plan = []
    for repetition, concurrency, group in itertools.product(
        range(1, repetitions + 1), levels, groups
    ):
        members = [action for action in actions if action.group == group]
        members.sort(key=lambda action: STACK_ORDER.index(action.stack))
        plan += [
            {"repetition": repetition, "concurrency": concurrency, "action": action}
            for action in members
        ]
    return plan


# -- seed data ---------------------------------------------------------------------------------
def seed(stack: Stack, *, posts: int, comments_per_post: int) -> list[int]:
    """The same posts and comments on a stack through its public API; returns the post ids."""

    def create_post(number: int) -> int:
        reply = loadgen.client(stack.kind, stack.urls).create_post(f"Seeded post {number}")
        if not reply.ok:
            raise RuntimeError(f"seeding {stack.kind}: create post answered {reply.outcome}")
        return reply.body["id"]

    def add_comments(post_id: int) -> None:
        client = loadgen.client(stack.kind, stack.urls)
        for number in range(comments_per_post):
            reply = client.add_comment(post_id, comment_content(number))
            if not reply.ok:
                raise RuntimeError(f"seeding {stack.kind}: comment answered {reply.outcome}")

    with ThreadPoolExecutor(SEED_THREADS) as pool:
        ids = sorted(pool.map(create_post, range(posts)))
        list(pool.map(add_comments, ids))
    return ids


def read_model_complete(client: BlogClient, post_ids: list[int], comments_per_post: int) -> bool:
    """True when the public list shows exactly the seeded posts, each with all its comments
    in a final status (on micro: when query's read model has caught up)."""
    reply = client.list_posts(limit=len(post_ids))
    if not reply.ok:
        return False
    if sorted(post["id"] for post in reply.body) != sorted(post_ids):
        return False
    return all(
        len(post["comments"]) == comments_per_post
        and all(comment["status"] != rules.PENDING for comment in post["comments"])
        for post in reply.body
    )


def wait_for_read_model(stack: Stack, post_ids: list[int], comments_per_post: int) -> None:
    client = loadgen.client(stack.kind, stack.urls)
    wait_until(
        lambda: read_model_complete(client, post_ids, comments_per_post),
        timeout=180,
        interval=0.2,
        message=f"{stack.kind}: the seeded posts never all showed in the list",
    )
