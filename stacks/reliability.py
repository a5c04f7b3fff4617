"""Faults during a workload: is anything lost, applied twice, or stuck once all is back?

A workload of a few hundred actions (posts and comments) runs against the micro stack;
halfway through, a fault is injected (a worker killed with -9, Redis killed or hung,
...), then removed. Afterwards every write the client saw accepted must be present
exactly once in its owner's database and in the read model, with the right status.
Shared by the test suite and the benchmark's reliability table.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any

from celery import Celery

from shared import events, rules
from shared.deployables import event_task
from stacks.client import BlogClient
from stacks.launcher import Stack
from stacks.processes import wait_until

CONVERGE_TIMEOUT = 90.0
DOUBLED_SHOWN = 5
COMMENT_EFFECTS = (events.COMMENT_CREATED, events.COMMENT_UPDATED)


@dataclasses.dataclass
class Workload:
    """What the client was told: accepted posts, accepted comments, refused writes."""

    comments: dict[int, dict[int, str]] = dataclasses.field(default_factory=dict)
    refused: int = 0
    actions: int = 0

    @property
    def posts(self) -> list[int]:
        return list(self.comments)

    @property
    def comment_count(self) -> int:
        return sum(len(by_id) for by_id in self.comments.values())

    def merge(self, other: Workload) -> None:
        """Add another client's writes (a burst beside the workload) to these."""
        for post_id, by_id in other.comments.items():
            self.comments.setdefault(post_id, {}).update(by_id)
        self.refused += other.refused
        self.actions += other.actions

    def write_post(
        self, client: BlogClient, title: str, contents: list[str], *, after_each=lambda: None
    ) -> None:
        """Create a post, then its comments (none if the post is refused), recording each
        write as the client was told; `after_each()` is called after every one."""
        reply = client.create_post(title)
        self.actions += 1
        after_each()
        if not reply.ok:
            self.refused += 1
            return
        post_id = reply.body["id"]
        self.comments[post_id] = {}
        for content in contents:
            comment = client.add_comment(post_id, content)
            self.actions += 1
            if comment.ok:
                self.comments[post_id][comment.body["id"]] = content
            else:
                self.refused += 1
            after_each()


def run_workload(
    client: BlogClient, *, posts: int, comments_per_post: int, tag: str, halfway: threading.Event
) -> Workload:
    """Create posts, each followed by its comments; set `halfway` in the middle."""
    workload = Workload()
    total = posts * (1 + comments_per_post)

    def past_halfway() -> None:
        if workload.actions >= total // 2:
            halfway.set()

    for number in range(posts):
        contents = [
            f"{tag} {'Orange' if index % 4 == 0 else 'apple'} {index}"
            for index in range(comments_per_post)
        ]
        workload.write_post(client, f"{tag} {number}", contents, after_each=past_halfway)
    halfway.set()
    return workload


def _stored_events(stack: Stack) -> list[dict]:
    """Every event in the event store (through its replay endpoint)."""
    found, after = [], 0
    while after is not None:
        page = stack.event_page(after=after, limit=1000).json()
        found.extend(page["events"])
        after = page["next_after"]
    return found


def doubled_effects(stored_events: list[dict], workload: Workload) -> dict[str, list[str]]:
    """The workload's effects recorded by more than one event in the store, each with those
    events' ids: a post created twice, a comment created twice, or one comment's moderation
    decision applied twice (each would be a distinct event). Counted by distinct event id,
    so an event read twice (pages that overlap) is not taken for an effect applied twice."""
    effects: dict[tuple, set[str]] = {}
    for event in stored_events:
        data = event["data"]
        ours = workload.comments.get(data["post_id"])
        if ours is None:
            continue
        if event["type"] == events.POST_CREATED:
            key = (events.POST_CREATED, data["post_id"])
        elif event["type"] in COMMENT_EFFECTS and data["comment_id"] in ours:
            key = (event["type"], data["comment_id"])
        else:
            continue
        effects.setdefault(key, set()).add(event["id"])
    return {
        f"{kind} {number}": sorted(ids) for (kind, number), ids in effects.items() if len(ids) > 1
    }


def applied_twice(stack: Stack, workload: Workload) -> dict[str, list[str]]:
    """The doubled effects of a workload, from the whole event store (see doubled_effects)."""
    return doubled_effects(_stored_events(stack), workload)


def missing(stack: Stack, client: BlogClient, workload: Workload) -> dict[str, int]:
    """Accepted writes not (yet) visible, with their final status, in owner and read model."""
    owner = BlogClient("micro", stack.urls)
    lost = {"posts": 0, "comments": 0, "query": 0, "wrong_status": 0}
    for post_id, accepted in workload.comments.items():
        if owner.get("post_create", f"/api/posts/{post_id}/").status != 200:
            lost["posts"] += 1
        in_owner = owner.get("comment_list", f"/api/posts/{post_id}/comments/")
        owned = {c["id"] for c in in_owner.body} if in_owner.ok else set()
        lost["comments"] += len(set(accepted) - owned)
        shown = client.get_post(post_id)
        comments = {c["id"]: c["status"] for c in shown.body["comments"]} if shown.ok else {}
        lost["query"] += (0 if shown.ok else 1) + len(set(accepted) - set(comments))
        for comment_id, content in accepted.items():
            if comment_id in comments and comments[comment_id] != rules.moderate(content):
                lost["wrong_status"] += 1
    return lost


@dataclasses.dataclass
class FaultResult:
    fault: str
    actions: int
    accepted_posts: int
    accepted_comments: int
    refused: int
    lost: int
    applied_twice: int
    converge_seconds: float
    converged: bool
    # Up to a few doubled effects with their event ids, to explain a non-zero applied_twice.
    doubled: dict[str, list[str]] = dataclasses.field(default_factory=dict)
    # Poison messages sent during the run that did not end up as dead letters with their error.
    dead_letters_missing: int = 0

    def as_row(self) -> dict:
        return dataclasses.asdict(self)


def run_fault(
    stack: Stack,
    name: str,
    inject: Callable[[Stack], None],
    *,
    posts: int = 20,
    comments_per_post: int = 9,
) -> FaultResult:
    """Run a workload, call `inject(stack)` halfway (it injects the fault and removes it
    again), then wait until every accepted write has converged."""
    client = BlogClient("micro", stack.urls, timeout=30.0)
    halfway = threading.Event()
    result: dict[str, Any] = {}
    tag = f"{name} {time.time_ns()}"
    worker = threading.Thread(
        target=lambda: result.update(
            workload=run_workload(
                client, posts=posts, comments_per_post=comments_per_post, tag=tag, halfway=halfway
            )
        )
    )
    worker.start()
    halfway.wait(timeout=120)
    try:
        inject(stack)
    finally:
        worker.join(timeout=300)
    stack.wait_healthy(timeout=60)
    workload: Workload = result["workload"]
    own_writes = getattr(inject, "workload", None)  # writes the fault made itself (a burst)
    if own_writes is not None:
        workload.merge(own_writes)
    started, state = time.monotonic(), {}

    def converged() -> bool:
        state["lost"] = sum(missing(stack, client, workload).values())
        return state["lost"] == 0

    try:
        wait_until(converged, timeout=CONVERGE_TIMEOUT, interval=0.25)
        ok = True
    except TimeoutError:
        ok = False
    check_dead_letters = getattr(inject, "dead_letters_missing", None)
    doubled = applied_twice(stack, workload)
    return FaultResult(
        fault=name,
        actions=workload.actions,
        accepted_posts=len(workload.posts),
        accepted_comments=workload.comment_count,
        refused=workload.refused,
        lost=state["lost"],
        applied_twice=sum(len(ids) - 1 for ids in doubled.values()),
        converge_seconds=round(time.monotonic() - started, 2),
        converged=ok,
        doubled=dict(list(doubled.items())[:DOUBLED_SHOWN]),
        dead_letters_missing=check_dead_letters(stack) if check_dead_letters else 0,
    )


# -- the faults --------------------------------------------------------------------------
def kill_and_restart(process: str, *, down_for: float = 1.0) -> Callable[[Stack], None]:
    def inject(stack: Stack) -> None:
        stack.kill_process(process)
        time.sleep(down_for)  # the workload goes on meanwhile
        stack.start_process(process)

    return inject


def stop_for(process: str, *, down_for: float = 2.0) -> Callable[[Stack], None]:
    def inject(stack: Stack) -> None:
        stack.stop_process(process)
        time.sleep(down_for)
        stack.start_process(process)

    return inject


def stop_both(stack: Stack, service: str, *, down_for: float) -> None:
    """Stop a service's web process and worker for a while."""
    for role in ("web", "worker"):
        stack.stop_process(f"{service}-{role}")
    time.sleep(down_for)
    for role in ("web", "worker"):
        stack.start_process(f"{service}-{role}")


def hang_redis(*, hung_for: float = 5.0) -> Callable[[Stack], None]:
    """SIGSTOP Redis: connections stay open but nothing answers (worse than a dead one)."""

    def inject(stack: Stack) -> None:
        stack.pause_process("redis")
        time.sleep(hung_for)
        stack.resume_process("redis")

    return inject


def fresh_query(stack: Stack) -> None:
    """Replace query with a brand-new empty one, which must rebuild itself."""
    stack.stop_process("query-worker")
    stack.stop_process("query-web")
    stack.reset_database("query")
    stack.start_process("query-web")
    stack.start_process("query-worker")


def replay_twice(stack: Stack) -> None:
    """Replay the whole event store into query twice while live events flow."""
    for _ in range(2):
        stack.manage("query", "rebuild_query", "--no-wipe")


RELAY_CRASH_TIMEOUT = 30.0
RELAY_CRASH_NUDGE = 10.0


def _post_with_comment(stack: Stack, *, tag: str) -> None:
    client = BlogClient("micro", stack.urls, timeout=10.0)
    post = client.create_post(f"{tag} {time.time_ns()}")
    if post.ok:
        client.add_comment(post.body["id"], f"{tag} comment")


def relay_crash(*services: str) -> Callable[[Stack], None]:
    """Each service's outbox relay dies (os._exit) between handing an event to the broker and
    marking it sent, once (a study switch); the worker is then started again, as an
    orchestrator would, and sends that event a second time. Consumers must drop it."""

    def inject(stack: Stack) -> None:
        waiting = {f"{service}-worker": service for service in services}
        stack.stopped_on_purpose.update(waiting)  # about to die: not a failure of the stack
        for service in services:
            stack.inject_fault(service, relay_crash_after_publish=True)
        started = time.monotonic()
        nudged = False
        while waiting and time.monotonic() < started + RELAY_CRASH_TIMEOUT:
            for name in [name for name in waiting if not stack.process(name).running]:
                stack.clear_fault(waiting.pop(name))
                stack.start_process(name)
            if waiting and not nudged and time.monotonic() > started + RELAY_CRASH_NUDGE:
                # The workload may have written its last post before the switch was seen:
                # one more post and comment give every armed relay an event to publish.
                _post_with_comment(stack, tag="relay crash nudge")
                nudged = True
            time.sleep(0.05)
        if waiting:
            tails = "\n".join(
                f"--- {name} (last lines)\n{stack.process(name).log_tail(20)}" for name in waiting
            )
            raise TimeoutError(f"the relay of {', '.join(waiting)} did not crash in time\n{tails}")

    return inject


@dataclasses.dataclass(frozen=True)
class Poison:
    """One message no consumer can apply, and the start of the error it must be kept with."""

    task_name: str
    message: object
    error: str

    @property
    def service(self) -> str:
        return self.task_name.split(".")[0]


def poison_messages(token: str, *, sign: Callable[[dict], dict]) -> list[Poison]:
    """Malformed messages and payloads, an unknown event type, an event whose handler fails
    (signed by its producer with `sign`, so that it reaches the handler) and an unsigned one,
    each marked with `token` (ids and post ids no workload uses, so nothing real is touched).
    A payload of the wrong types is refused when the message is read (Event.from_message),
    before any signature is looked at: it goes unsigned."""

    def event(event_type: str, *, signed: bool = True, **data) -> dict:
        unsigned = {"id": str(uuid.uuid4()), "type": event_type, "source": token, "data": data}
        return sign(unsigned) if signed and event_type in events.PRODUCERS else unsigned

    comments, query, eventbus = (event_task(name) for name in ("comments", "query", "eventbus"))
    not_a_date = {"title": token, "created_at": "not a date", "revision": 1}
    return [
        Poison(comments, f"poison {token}", "invalid event: an event must be"),
        Poison(comments, event("PostLiked", post_id=-1), "invalid event: unknown"),
        Poison(
            comments,
            event(events.COMMENT_MODERATED, comment_id=-1, post_id=-1, status="maybe"),
            "ValueError(\"moderation decided an unknown status 'maybe'\")",
        ),
        Poison(query, {"poison": token}, "invalid event: event lacks"),
        Poison(
            query,
            event(events.POST_CREATED, signed=False, post_id=-1, **not_a_date),
            "invalid event: PostCreated.created_at must be an ISO 8601 date and time",
        ),
        Poison(eventbus, {"poison": token}, "invalid event: event lacks"),
        Poison(
            comments,
            {**event(events.COMMENT_MODERATED, comment_id=-1, post_id=-1, status="approved"),
             "signature": ""},
            "forged event: the CommentModerated is not signed",
        ),
    ]  # fmt: skip


DEAD_LETTER_TIMEOUT = 60.0


class PoisonFault:
    """Halfway through the workload, poison messages go straight onto the consumers' queues,
    by task name, as any producer with the broker's address could send them. Afterwards
    each must be a dead letter with its error, and the workload must be unharmed."""

    def __init__(self) -> None:
        self.sent: list[Poison] = []

    def __call__(self, stack: Stack) -> None:
        self.sent = poison_messages(f"poison-{uuid.uuid4().hex[:12]}", sign=stack.sign_event)
        app = Celery("poison", broker=stack.redis_url, set_as_current=False)
        try:
            for poison in self.sent:
                app.send_task(poison.task_name, args=[poison.message], queue=poison.service)
        finally:
            app.close()

    def dead_letters_missing(self, stack: Stack) -> int:
        """How many poison messages are not (yet, after a while) dead letters with their error
        in their service's database (read with `manage.py dead_letters --json`)."""
        state = {"missing": len(self.sent)}

        def all_kept() -> bool:
            letters = {poison.service: dead_letters(stack, poison.service) for poison in self.sent}
            state["missing"] = sum(
                not any(_keeps(letter, poison) for letter in letters[poison.service])
                for poison in self.sent
            )
            return state["missing"] == 0

        with contextlib.suppress(TimeoutError):  # then state says how many are missing
            wait_until(all_kept, timeout=DEAD_LETTER_TIMEOUT, interval=1.0)
        return state["missing"]


def dead_letters(stack: Stack, service: str) -> list[dict]:
    """A service's dead letters, from its database (`manage.py dead_letters --json`)."""
    output = stack.manage(service, "dead_letters", "--json")
    [listing] = [line for line in output.splitlines() if line.startswith("[")]
    return json.loads(listing)


def _keeps(letter: dict, poison: Poison) -> bool:
    return (
        letter["task_name"] == poison.task_name
        and letter["message"] == poison.message
        and letter["error"].startswith(poison.error)
    )


# -- overload, and a broker that loses its backlog -----------------------------------------
BURST_CLIENTS = 16
BURST_SECONDS = 3.0


def write_burst(stack: Stack, *, clients: int, seconds: float, tag: str) -> Workload:
    """`clients` concurrent writers, each creating a post and a comment on it as fast as it is
    answered, for `seconds`: far above the rate micro can make writes final (its workers
    share two cores with everything else here). Returns every write the clients were told
    was accepted or refused."""
    results = [Workload() for _ in range(clients)]
    deadline = time.monotonic() + seconds

    def writer(own: Workload, number: int) -> None:
        client = BlogClient("micro", stack.urls, timeout=30.0, keepalive=True)
        try:
            while time.monotonic() < deadline:
                content = f"{tag} {'Orange' if number % 4 == 0 else 'apple'} burst {number}"
                own.write_post(client, f"{tag} burst {number}", [content])
                number += clients
        finally:
            client.close()

    threads = [
        threading.Thread(target=writer, args=(results[slot], slot), daemon=True)
        for slot in range(clients)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + 120)
    burst = Workload()
    for own in results:
        burst.merge(own)
    return burst


class OverloadFault:
    """Halfway through the workload, a burst of concurrent writers far above what micro can
    make final per second (accept-and-drain: every write is accepted, the queues grow, and
    they drain afterwards). The burst's writes are checked with the workload's."""

    def __init__(self, *, clients: int = BURST_CLIENTS, seconds: float = BURST_SECONDS):
        self.clients, self.seconds = clients, seconds
        self.workload: Workload | None = None

    def __call__(self, stack: Stack) -> None:
        self.workload = None
        tag = f"overload {time.time_ns()}"
        self.workload = write_burst(stack, clients=self.clients, seconds=self.seconds, tag=tag)


def queue_depths(stack: Stack) -> dict[str, int]:
    """Messages waiting on each service's queue (LLEN with the stack's admin identity)."""
    import redis

    from stacks.compare.cost import QUEUES

    client = redis.Redis.from_url(stack.redis_url or "", socket_timeout=2)
    try:
        return {queue: int(client.llen(queue)) for queue in QUEUES}
    finally:
        client.close()


def flush_broker(stack: Stack) -> None:
    """FLUSHALL on the stack's Redis: every queue, unacknowledged message and kombu binding
    gone (the admin identity may; no service's user can)."""
    import redis

    client = redis.Redis.from_url(stack.redis_url or "", socket_timeout=5)
    try:
        client.flushall()
    finally:
        client.close()


class BrokerLosesBacklog:
    """The broker loses everything while a backlog waits: query's and moderation's workers
    are stopped (their queues fill with fanned-out events), then the event bus's (its queue
    fills with events the store does not hold yet, written by a burst of writers), then
    Redis is flushed and the three are started again. What was lost must come back: the
    outbox confirmation re-sends the events the store never got, query catches up from the
    store, comments asks for moderation again."""

    STOPPED = ("query-worker", "moderation-worker")
    FILL_SECONDS = 2.0

    def __init__(self) -> None:
        self.workload: Workload | None = None
        self.flushed: dict[str, int] = {}

    def __call__(self, stack: Stack) -> None:
        self.workload, self.flushed = None, {}
        stopped: list[str] = []
        try:
            for name in self.STOPPED:
                stack.stop_process(name)
                stopped.append(name)
            time.sleep(self.FILL_SECONDS)  # the workload goes on: their queues fill
            stack.stop_process("eventbus-worker")
            stopped.append("eventbus-worker")
            tag = f"broker loses {time.time_ns()}"
            self.workload = write_burst(stack, clients=4, seconds=self.FILL_SECONDS, tag=tag)
            self.flushed = queue_depths(stack)
            flush_broker(stack)
        finally:
            stack.start_processes(stopped)
        lost_queues = ("eventbus", "query", "moderation")
        empty = [queue for queue in lost_queues if not self.flushed.get(queue)]
        if empty:
            raise RuntimeError(
                f"no backlog to lose on {', '.join(empty)} (queues before FLUSHALL: {self.flushed})"
            )


FAULTS: dict[str, Callable[[Stack], None]] = {
    **{f"kill -9 {svc}-worker": kill_and_restart(f"{svc}-worker")
       for svc in ("posts", "comments", "moderation", "query", "eventbus")},
    "kill -9 redis": kill_and_restart("redis"),
    "redis hung 5 s": hang_redis(),
    "redis down 3 s": stop_for("redis", down_for=3.0),
    "query stopped 2 s": lambda stack: stop_both(stack, "query", down_for=2.0),
    "moderation stopped 3 s": stop_for("moderation-worker", down_for=3.0),
    "brand-new empty query": fresh_query,
    "event store replayed twice": replay_twice,
    "relay dies after publishing (posts, comments)": relay_crash("posts", "comments"),
    "poison messages": PoisonFault(),
    "overload": OverloadFault(),
    "broker loses everything while a backlog waits": BrokerLosesBacklog(),
}  # fmt: skip

# Faults the stack does not survive reliably yet (none today); run with `make test-known-gaps`.
# "redis hung 5 s" was one: a Celery worker stalled for good after "Couldn't ack ...
# TimeoutError" (2 of 6 runs), because kombu's Redis QoS.ack skips forgetting the message
# when Redis times out; shared/messaging/broker.py fixes that.
KNOWN_GAPS: dict[str, Callable[[Stack], None]] = {}
