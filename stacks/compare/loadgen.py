"""Load generation: closed-loop clients and a fixed arrival rate, in separate generator processes.

Each simulated client is a thread with its own keep-alive connections (stacks.client.BlogClient
over shared.api.keepalive.KeepAliveClient: http.client, one connection per service, TCP_NODELAY;
every phase of compare measures through `client()` below). The
threads of one run are spread over one or more forked generator processes, so that Python's
GIL in the generator is not what limits a run at high concurrency; the harness process only
collects. Latency is measured with perf_counter around each action (request written to body read),
from raw samples. Connections that dropped with a request in flight are counted per run
("resets"; a healthy run has 0).

Closed loop: C clients, each sending its next request as soon as the last one answered, for
a fixed duration. Open loop: requests scheduled at a constant rate; latency is counted from
the *scheduled* send time, so time spent waiting for a free client (queueing) is not hidden
(the "coordinated omission" a closed loop suffers from).
"""

from __future__ import annotations

import dataclasses
import itertools
import math
import multiprocessing
import threading
import time
from typing import Any, Protocol

from stacks.client import BlogClient, Reply

GENERATOR_START_MARGIN = 0.25  # seconds for the generator processes to fork and get ready
OPEN_LOOP_GIVE_UP = 10.0  # a request more than this late is not sent (counted "not sent")
MAX_OPEN_LOOP_THREADS = 48
FORBIDDEN_EVERY = 5  # every 5th benchmark comment mentions the forbidden word (rejected)


@dataclasses.dataclass(frozen=True)
class Workload:
    """What every simulated client does; plain data, so generator processes can run it."""

    stack: str  # "monolith" or "micro"
    urls: dict[str, str]
    action: str  # "create post", "add comment", "list" or "pair" (a post, then a comment on it)
    strategy: str = "query"  # how micro reads the list: query, aggregator or naive
    limit: int = 50
    post_ids: tuple[int, ...] = ()
    timeout: float = 30.0
    keepalive: bool = True  # False: the tests' requests.Session client (the client A/B only)


def client(
    kind: str, urls: dict[str, str], *, timeout: float = 10.0, keepalive: bool = True
) -> BlogClient:
    """The benchmark's client: the same actions as the tests' BlogClient, over kept-alive
    http.client connections (one set per thread: never share one between threads)."""
    return BlogClient(kind, urls, timeout=timeout, keepalive=keepalive)


def comment_content(number: int) -> str:
    return "Orange is a colour" if number % FORBIDDEN_EVERY == 0 else f"benchmark comment {number}"


def _comment_sample(reply, post_id: int, content: str) -> dict[str, Any]:
    body = reply.body if isinstance(reply.body, dict) else {}
    return {
        "rid": reply.request_id,
        "returned_at": time.time(),
        "post_id": post_id,
        "comment_id": body.get("id"),
        "status": body.get("status"),
        "content": content,
    }


class BlogActions(Protocol):
    """What a workload asks of a client: BlogClient's actions (the tests' stand-ins have them)."""

    def create_post(self, title: str) -> Reply: ...
    def add_comment(self, post_id: int, content: str) -> Reply: ...
    def list_posts(self, *, limit: int, strategy: str) -> Reply: ...


def perform(client: BlogActions, workload: Workload, number: int) -> dict[str, Any]:
    """Do one action; returns its sample: latency in ms, outcome ("ok" or what went wrong)."""
    started = time.perf_counter()
    extra: dict[str, Any] = {}
    if workload.action == "list":
        reply = client.list_posts(limit=workload.limit, strategy=workload.strategy)
    elif workload.action == "create post":
        reply = client.create_post(f"benchmark post {number}")
    elif workload.action == "add comment":
        post_id = workload.post_ids[number % len(workload.post_ids)]
        reply = client.add_comment(post_id, comment_content(number))
        if reply.ok:
            extra = _comment_sample(reply, post_id, comment_content(number))
    elif workload.action == "pair":
        reply = client.create_post(f"benchmark pair {number}")
        if reply.ok:
            post_id = reply.body["id"]
            extra = {"post_id": post_id}  # the post was accepted, whatever its comment gets
            reply = client.add_comment(post_id, comment_content(number))
            if reply.ok:
                extra = _comment_sample(reply, post_id, comment_content(number))
    else:
        raise ValueError(f"unknown action {workload.action!r}")
    milliseconds = (time.perf_counter() - started) * 1000
    return {"ms": milliseconds, "outcome": "ok" if reply.ok else reply.outcome, **extra}


def split_evenly(total: int, parts: int) -> list[int]:
    """Share `total` clients among at most `parts` processes, none empty: 10, 3 -> [4, 3, 3]."""
    parts = max(1, min(parts, total))
    return [total // parts + (1 if index < total % parts else 0) for index in range(parts)]


def open_loop_schedule(rate: float, duration: float) -> list[float]:
    """Send offsets (seconds from the start) of requests at a constant rate."""
    if rate <= 0 or duration <= 0:
        return []
    return [index / rate for index in range(round(rate * duration))]


def latency_from_schedule(scheduled: float, sent: float, done: float) -> dict[str, float]:
    """A request's latency counted from when it was due, split into waiting and service (ms)."""
    return {
        "ms": (done - scheduled) * 1000,
        "late_ms": max(0.0, sent - scheduled) * 1000,
        "service_ms": (done - sent) * 1000,
    }


def _sleep_until_wall(moment: float) -> None:
    delay = moment - time.time()
    if delay > 0:
        time.sleep(delay)


# -- inside one generator process --------------------------------------------------------------
def _closed_loop_in_process(
    workload: Workload, threads: int, first: int, start_at, duration, budget: int | None
):
    samples: list[list[dict]] = [[] for _ in range(threads)]
    tickets = itertools.count()  # requests taken so far by this process's clients
    resets = [0] * threads
    cpu_before = time.process_time()

    def client_loop(slot: int) -> None:
        sender = client(
            workload.stack, workload.urls, timeout=workload.timeout, keepalive=workload.keepalive
        )
        deadline = start_at + duration
        number = first + slot
        _sleep_until_wall(start_at)
        while time.time() < deadline and (budget is None or next(tickets) < budget):
            samples[slot].append(perform(sender, workload, number))
            number += 1_000_003  # distinct numbers across clients and processes
        resets[slot] = sender.resets
        sender.close()

    _run_threads(client_loop, threads)
    merged = [sample for per_client in samples for sample in per_client]
    return {"samples": merged, "cpu_s": time.process_time() - cpu_before, "resets": sum(resets)}


def _open_loop_in_process(workload: Workload, offsets: list[float], first: int, start_at):
    pending = list(enumerate(offsets))
    pending.reverse()  # pop() from the end gives the earliest
    lock = threading.Lock()
    samples: list[dict] = []
    resets: list[int] = []
    cpu_before = time.process_time()
    _sleep_until_wall(start_at)
    origin = time.perf_counter() - (time.time() - start_at)

    def sender(_slot: int) -> None:
        own = client(
            workload.stack, workload.urls, timeout=workload.timeout, keepalive=workload.keepalive
        )
        try:
            _send_on_schedule(own)
        finally:
            with lock:
                resets.append(own.resets)
            own.close()

    def _send_on_schedule(own: BlogClient) -> None:
        while True:
            with lock:
                if not pending:
                    return
                number, offset = pending.pop()
            scheduled = origin + offset
            now = time.perf_counter()
            if now < scheduled:
                time.sleep(scheduled - now)
            elif now - scheduled > OPEN_LOOP_GIVE_UP:
                with lock:
                    samples.append({"ms": None, "outcome": "not sent"})
                continue
            sent = time.perf_counter()
            sample = perform(own, workload, first + number)
            timing = latency_from_schedule(scheduled, sent, time.perf_counter())
            with lock:
                samples.append({**sample, **timing})

    _run_threads(sender, min(MAX_OPEN_LOOP_THREADS, max(1, len(offsets))))
    return {"samples": samples, "cpu_s": time.process_time() - cpu_before, "resets": sum(resets)}


def _run_threads(target, count: int) -> None:
    threads = [threading.Thread(target=target, args=(slot,), daemon=True) for slot in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def _child(sender, function, args) -> None:  # pragma: no cover - runs in a generator process
    try:
        sender.send(function(*args))
    except BaseException as error:
        sender.send({"error": repr(error)})
    finally:
        sender.close()


def _in_generator_processes(jobs: list[tuple]) -> list[dict]:
    """Run each (function, args) in its own forked process; returns their results in order."""
    context = multiprocessing.get_context("fork")
    running = []
    for function, args in jobs:
        receiver, sender = context.Pipe(duplex=False)
        process = context.Process(target=_child, args=(sender, function, args), daemon=True)
        process.start()
        sender.close()
        running.append((process, receiver))
    results = []
    for process, receiver in running:
        results.append(receiver.recv())
        process.join()
    failed = [result["error"] for result in results if "error" in result]
    if failed:
        raise RuntimeError(f"a generator process failed: {failed[0]}")
    return results


def _merge(results: list[dict], start_at: float, wall_after: float) -> dict:
    samples = [sample for result in results for sample in result["samples"]]
    return {
        "samples": samples,
        "client_cpu_s": sum(result["cpu_s"] for result in results),
        "resets": sum(result.get("resets", 0) for result in results),
        "started_at": start_at,
        "elapsed_s": wall_after - start_at,
        "generator_processes": len(results),
    }


def run_closed_loop(
    workload: Workload,
    *,
    concurrency: int,
    duration: float,
    processes: int,
    max_requests: int | None = None,
):
    """C clients for `duration` seconds (or until `max_requests` were sent); requests still
    in flight at the end are waited for and counted."""
    start_at = time.time() + GENERATOR_START_MARGIN
    jobs, first = [], 0
    for threads in split_evenly(concurrency, processes):
        budget = None if max_requests is None else math.ceil(max_requests * threads / concurrency)
        jobs.append(
            (_closed_loop_in_process, (workload, threads, first, start_at, duration, budget))
        )
        first += threads
    results = _in_generator_processes(jobs)
    return _merge(results, start_at, time.time())


def run_open_loop(workload: Workload, *, rate: float, duration: float, processes: int):
    """Requests due at a constant rate (spread round-robin over the generator processes)."""
    schedule = open_loop_schedule(rate, duration)
    start_at = time.time() + GENERATOR_START_MARGIN
    count = len(split_evenly(max(1, len(schedule)), processes))
    jobs = [
        (_open_loop_in_process, (workload, schedule[part::count], part * 1_000_000, start_at))
        for part in range(count)
    ]
    results = _in_generator_processes(jobs)
    return _merge(results, start_at, time.time())
