"""Small, direct checks the claims table needs: a few requests each, with faults injected.

Not load: each probe does one or a few actions with one process stopped, slowed or failing,
puts everything back, and records what the client saw.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import time
from typing import Any
from urllib.parse import urlsplit

import requests

from shared import rules
from shared.api.keepalive import KeepAliveClient
from stacks.client import BlogClient, Reply
from stacks.compare import loadgen
from stacks.compare.phase import Context, Phase
from stacks.compare.plan import FULL
from stacks.compare.stats import median
from stacks.launcher import Stack
from stacks.launcher.processes import gunicorn_command
from stacks.processes import ManagedProcess, wait_until
from stacks.redis_server import free_port
from stacks.tracing import action_cost

SLOW_COMMENTS_MS = 20
SLOW_PROBE_POSTS = 10


FLOOR_SAMPLES = FULL.floor_samples  # a full run's (stacks/compare/plan.py)
FLOOR_WARM_UP = 20


FLOOR_ROUNDS = 5  # the three clients take turns, a fifth of the samples each turn


def http_floor(stack: Stack, *, samples: int = 100) -> dict:
    """Round trip of the emptiest request there is (GET /health/ of the stack's front
    service, the load generator's client, one at a time): the floor under every latency."""
    service = "monolith" if stack.kind == "monolith" else "query"
    url = f"{stack.url(service)}/health/"
    timings = _client_round_trips_ms(url, samples=samples, warm_up=10)
    return {"service": service, "p50_ms": median(timings)}


def _client_round_trips_ms(url: str, *, samples: int, warm_up: int) -> list[float]:
    """The load generator's own client (shared.api.keepalive, as every latency row), one request
    at a time, timed from request written to body read."""
    client = KeepAliveClient(timeout=5)
    timings = []
    try:
        for _ in range(samples + warm_up):
            started = time.perf_counter()
            client.request("GET", url)
            timings.append((time.perf_counter() - started) * 1000)
    finally:
        client.close()
    return timings[warm_up:]


def _requests_round_trips_ms(url: str, *, samples: int, warm_up: int) -> list[float]:
    """The same through one keep-alive requests.Session (the tests' BlogClient; the load
    generator's client before issue 10's loadgen change): what requests adds."""
    session = requests.Session()
    timings = []
    for _ in range(samples + warm_up):
        started = time.perf_counter()
        session.get(url, timeout=5)  # not streamed: the body is read before it returns
        timings.append((time.perf_counter() - started) * 1000)
    session.close()
    return timings[warm_up:]


def _raw_round_trips_ms(url: str, *, samples: int, warm_up: int) -> list[float]:
    """The same with bare http.client on one kept-alive connection: the cheapest Python client."""
    parts = urlsplit(url)
    assert parts.hostname is not None, f"no host in {url}"
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=5)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    timings = []
    try:
        for _ in range(samples + warm_up):
            started = time.perf_counter()
            connection.request("GET", path)
            connection.getresponse().read()
            timings.append((time.perf_counter() - started) * 1000)
    finally:
        connection.close()
    return timings[warm_up:]


FLOOR_CLIENTS = {
    "p50_ms": _client_round_trips_ms,
    "requests_p50_ms": _requests_round_trips_ms,
    "raw_p50_ms": _raw_round_trips_ms,
}


def floor_figures(url: str, *, samples: int = FLOOR_SAMPLES, rounds: int = FLOOR_ROUNDS) -> dict:
    """p50 of one URL at one client through the load generator's client (`p50_ms`), through
    requests (`requests_p50_ms`) and through bare http.client (`raw_p50_ms`): the clients take
    turns in `rounds` rounds (the first goes last in the next), so a moment of load elsewhere
    falls on all three alike."""
    timings: dict[str, list[float]] = {key: [] for key in FLOOR_CLIENTS}
    per_round = max(1, samples // rounds)
    order = list(FLOOR_CLIENTS.items())
    for _ in range(rounds):
        for key, measure in order:
            warm_up = FLOOR_WARM_UP if not timings[key] else 2
            timings[key] += measure(url, samples=per_round, warm_up=warm_up)
        order = order[1:] + order[:1]
    return {key: median(values) for key, values in timings.items()}


def health_floors(stack: Stack, *, samples: int = FLOOR_SAMPLES) -> dict[str, dict]:
    """GET /health/ of every service of a stack (one service's database, where it has one)."""
    return {
        spec.name: floor_figures(f"{stack.url(spec.name)}/health/", samples=samples)
        for spec in stack.services
    }


def wsgi_floor(stack: Stack, *, body: bytes, samples: int = FLOOR_SAMPLES) -> dict:
    """The same response bytes from memory (stacks.floor_app) under the same gunicorn command
    and config as the stack's web services: the Python floor for that response."""
    folder = stack.run_dir / "floor"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "body.json").write_bytes(body)
    port = free_port(stack.host)
    process = ManagedProcess(
        name="wsgi-floor",
        command=gunicorn_command("stacks.floor_app:application", bind=f"{stack.host}:{port}"),
        env={
            **os.environ,
            "BLOG_FLOOR_BODY_FILE": str(folder / "body.json"),
            "PROMETHEUS_MULTIPROC_DIR": str(folder),
        },
        log_path=folder / "gunicorn.log",
    )
    url = f"http://{stack.host}:{port}/"
    process.start()
    try:
        wait_until(lambda: _answers(url), timeout=30, message="the WSGI floor did not start")
        return {"bytes": len(body), **floor_figures(url, samples=samples)}
    finally:
        process.stop()


def _answers(url: str) -> bool:
    try:
        return requests.get(url, timeout=1).status_code == 200
    except requests.RequestException:
        return False


def list_floor(stack: Stack, *, limit: int, samples: int = FLOOR_SAMPLES) -> dict:
    """The stack's own post list at one client beside the WSGI floor for its very bytes."""
    service = "monolith" if stack.kind == "monolith" else "query"
    url = f"{stack.url(service)}/api/posts/?limit={limit}"
    body = requests.get(url, timeout=10).content
    return {
        "service": service,
        "list": floor_figures(url, samples=samples),
        "wsgi_floor": wsgi_floor(stack, body=body, samples=samples),
    }


def sql_per_list(stack: Stack, *, limits: tuple[int, ...]) -> dict[str, int]:
    """SQL queries one list read costs, for lists of each length (on query for micro)."""
    client = loadgen.client(stack.kind, stack.urls)
    return {
        str(limit): action_cost(
            stack.trace_dir, client.list_posts(limit=limit).request_id
        ).sql_total
        for limit in limits
    }


def read_fanout(stack: Stack, *, posts: int) -> dict[str, dict]:
    """Requests a client makes and internal calls the services make, per read strategy."""
    client = loadgen.client(stack.kind, stack.urls)
    strategies = ("query", "aggregator", "naive") if stack.kind == "micro" else ("query",)
    fanout = {}
    for strategy in strategies:
        reply = client.list_posts(limit=posts, strategy=strategy)
        cost = action_cost(stack.trace_dir, reply.request_id)
        fanout[strategy] = {
            "status": reply.outcome,
            "client_requests": reply.requests,
            "internal_calls": cost.calls_out,
            "requests_served": sum(cost.requests.values()),
            "sql_queries": cost.sql_total,
        }
    return fanout


def _lists(client: BlogClient, posts: int) -> dict[str, Reply]:
    return {
        strategy: client.list_posts(limit=posts, strategy=strategy)
        for strategy in ("query", "aggregator", "naive")
    }


WRITERS = ("posts-web", "comments-web")


def writers_down(micro: Stack, *, posts: int) -> dict:
    """posts-web and comments-web stopped: what each read strategy answers, whether query's
    answer is the same as just before, and what a new comment gets."""
    client = loadgen.client("micro", micro.urls, timeout=10)
    before = client.list_posts(limit=posts).body
    some_post = before[0]["id"]
    for name in WRITERS:
        micro.stop_process(name)
    try:
        during = _lists(client, posts)
        comment = client.add_comment(some_post, "written while comments is down")
    finally:
        micro.start_processes(list(WRITERS))
    return {
        "outcomes": {strategy: reply.outcome for strategy, reply in during.items()},
        "seconds": {strategy: reply.seconds for strategy, reply in during.items()},
        "query_unchanged": during["query"].ok and during["query"].body == before,
        "posts_listed": len(before),
        "comments_listed": sum(len(post["comments"]) for post in before),
        "comment_outcome": comment.outcome,
    }


def moderation_down(micro: Stack, *, post_id: int) -> dict:
    """The moderation worker stopped: does a comment still get in, and is it moderated after?"""
    client = loadgen.client("micro", micro.urls, timeout=10)
    micro.stop_process("moderation-worker")
    try:
        reply = client.add_comment(post_id, "posted while moderation is down")
    finally:
        micro.start_process("moderation-worker")
    restarted = time.monotonic()
    result: dict[str, Any] = {
        "outcome": reply.outcome,
        "status_answered": None,
        "final_status": None,
    }
    if not reply.ok:
        return result
    result["status_answered"] = reply.body["status"]

    def moderated() -> bool:
        read = client.get_post(post_id)
        mine = [c for c in read.body.get("comments", []) if c["id"] == reply.body["id"]]
        result["final_status"] = mine[0]["status"] if mine else None
        return bool(mine) and mine[0]["status"] != rules.PENDING

    with contextlib.suppress(TimeoutError):  # the result then shows it still pending
        wait_until(moderated, timeout=60, interval=0.05)
    result["seconds_after_restart"] = time.monotonic() - restarted
    return result


def _median_list_ms(client: BlogClient, strategy: str, samples: int = 3) -> float | None:
    replies = [client.list_posts(limit=SLOW_PROBE_POSTS, strategy=strategy) for _ in range(samples)]
    return median([reply.seconds * 1000 for reply in replies if reply.ok])


def slow_comments(micro: Stack) -> dict:
    """Every request to `comments` delayed: what that does to the aggregator and to query."""
    client = loadgen.client("micro", micro.urls, timeout=30)
    base = {s: _median_list_ms(client, s) for s in ("aggregator", "query")}
    micro.inject_fault("comments", delay_ms=SLOW_COMMENTS_MS)
    try:
        slowed = {s: _median_list_ms(client, s) for s in ("aggregator", "query")}
    finally:
        micro.clear_faults()
    return {
        "delay_ms": SLOW_COMMENTS_MS,
        "posts": SLOW_PROBE_POSTS,
        "base_ms": base,
        "slowed_ms": slowed,
    }


class ClaimProbes(Phase):
    """The claims' own probes on micro: every comments request slowed; then (not with
    --quick) posts and comments down, and moderation down."""

    name = "probes"

    def run(self, context: Context) -> None:
        micro, found = context.micro, context.record.probes
        context.say("probe for the claims: every comments request slowed")
        found.slow_comments = slow_comments(micro)
        if context.options.quick:
            context.record.notes["outage_probes"] = "skipped (--quick)"
            return
        context.say("probes for the claims: posts + comments down; moderation down")
        found.writers_down = writers_down(micro, posts=context.options.posts)
        found.moderation_down = moderation_down(
            micro, post_id=context.side_posts["micro", "lag check"]
        )
