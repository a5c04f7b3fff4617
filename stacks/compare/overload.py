"""Overload on micro: many writers far above what it can make final, then the drain.

Micro's choice is accept-and-drain (docs/event-bus.md, "Under overload"): it accepts every
write it can answer, its queues grow while the writers last, and afterwards it drains at
its sustainable rate; lag grows, nothing else does. This phase shows it: post + comment
pairs from many closed-loop clients, every queue's depth sampled (LLEN, what each service's
`blog_queue_depth` gauge reads) during and after, and the writes made final in query
counted over time, until every accepted write is final. Then: how many events were sent
per event the writes caused (1.00: none sent twice), and nothing lost or applied twice
(stacks.reliability's checks).
"""

from __future__ import annotations

import dataclasses
import threading
import time
from collections import Counter
from collections.abc import Callable

import requests
from prometheus_client.parser import text_string_to_metric_families

from shared import rules
from shared.deployables import EVENTBUS, event_task, producers
from stacks.compare import cost, loadgen
from stacks.compare.document import Section, Table
from stacks.compare.phase import Charts, Context, Phase
from stacks.compare.record import RunRecord
from stacks.launcher import Stack
from stacks.launcher.databases import per_service_database_url

QUEUES = cost.QUEUES
# The sustainable rate: writes made final per second from the last write until this share
# of the backlog left then was final (the tail apart, so that a slow tail shows against the
# bound instead of lowering the rate it is judged by).
SUSTAINED_SHARE = 0.9
BOUND_MARGIN_SECONDS = 10.0  # the target: every accepted write final within writes/rate + 10 s
EVENTS_PER_WRITE_TARGET = 1.05
# Events one accepted write causes: a post its PostCreated; a comment its CommentCreated,
# moderation's CommentModerated and the CommentUpdated that follows.
EVENTS_PER_POST, EVENTS_PER_COMMENT = 1, 3
TITLE = "Overload: accept and drain (micro)"


@dataclasses.dataclass(frozen=True)
class OverloadPlan:
    clients: int
    duration: float  # seconds of writing
    sample_every: float  # seconds between samples of the queues and of query
    drain_timeout: float  # seconds after the last write to give up waiting


def plan_for(*, quick: bool) -> OverloadPlan:
    """About two minutes by default (15 s of writing, then the drain); under 20 s with --quick."""
    return OverloadPlan(16, 2.5, 0.25, 90.0) if quick else OverloadPlan(50, 15.0, 0.5, 600.0)


def measure(micro: Stack, *, quick: bool, say: Callable[[str], None]) -> dict:
    """Write far above the sustainable rate, sample the queues and query until every accepted
    write is final (or the timeout), then count events, losses and doubles."""
    from stacks.reliability import applied_twice, missing

    plan = plan_for(quick=quick)
    cost.wait_drained(micro)  # start from idle: no earlier backlog in the figures
    published_before = published_events(micro)
    resent_before, copies_before = resent_events(micro), event_copies(micro)
    floor = _newest_ids(micro)
    sampler = Sampler(micro, floor=floor, every=plan.sample_every)
    sampler.start()
    try:
        work = loadgen.Workload("micro", micro.urls, "pair")
        result = loadgen.run_closed_loop(
            work, concurrency=plan.clients, duration=plan.duration, processes=2
        )
        last_write = result["started_at"] + result["elapsed_s"]
        workload = accepted_writes(result["samples"])
        writes = len(workload.posts) + workload.comment_count
        say(f"    {writes} writes accepted in {result['elapsed_s']:.1f} s; draining ...")
        drained = sampler.wait_final(writes, timeout=plan.drain_timeout)
    finally:
        sampler.stop()
    client = loadgen.client("micro", micro.urls)
    lost = sum(missing(micro, client, workload).values())
    doubled = applied_twice(micro, workload)
    published = {
        source: count - published_before.get(source, 0)
        for source, count in published_events(micro).items()
    }
    resent, copies = resent_events(micro), event_copies(micro)
    record = {
        "plan": dataclasses.asdict(plan),
        "started_at": result["started_at"],
        "elapsed_s": result["elapsed_s"],
        "last_write_at": last_write,
        "drained_at": drained,
        "accepted_posts": len(workload.posts),
        "accepted_comments": workload.comment_count,
        "refused": workload.refused,
        "errors": dict(Counter(s["outcome"] for s in result["samples"] if s["outcome"] != "ok")),
        "published": published,
        # Why events were sent again (blog_events_resent), and the copies the event store
        # dropped, by producer (blog_events_duplicate): moderation answers each copy of a
        # CommentCreated it is given, so its copies follow comments'.
        "resent": _grown(resent, resent_before),
        "copies": _grown(copies, copies_before),
        "lost": lost,
        "applied_twice": sum(len(ids) - 1 for ids in doubled.values()),
        "samples": sampler.samples,
    }
    record["figures"] = figures(record)
    say(f"    {progress(record)}")
    return record


def accepted_writes(samples: list[dict]):
    """What the clients were told: a Workload (stacks.reliability) of the accepted posts and
    comments, with the comments' contents (their moderation status follows from them)."""
    from stacks.reliability import Workload

    workload = Workload()
    for sample in samples:
        if "post_id" not in sample:
            workload.actions += 1
            workload.refused += 1  # the post was refused, and no comment was tried
            continue
        workload.actions += 2
        comments = workload.comments.setdefault(sample["post_id"], {})
        if sample["outcome"] == "ok":
            comments[sample["comment_id"]] = sample["content"]
        else:
            workload.refused += 1
    return workload


# -- sampling: queue depths and writes final in query ----------------------------------------
class Sampler:
    """Every `every` seconds, in a thread: each queue's depth (LLEN) and how many of the
    phase's writes query shows final (posts present, comments with their decision)."""

    def __init__(self, micro: Stack, *, floor: tuple[int, int], every: float):
        self.micro, self.floor, self.every = micro, floor, every
        self.samples: list[dict] = []
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stopping.set()
        self._thread.join(timeout=30)

    def _run(self) -> None:
        from stacks.reliability import queue_depths

        while not self._stopping.is_set():
            at = time.time()
            try:
                sample = {"at": at, "depth": queue_depths(self.micro)}
                sample["final"] = final_writes(self.micro, floor=self.floor)
            except Exception as error:  # one failed sample must not end the phase
                sample = {"at": at, "error": repr(error)}
            self.samples.append(sample)
            self._stopping.wait(max(0.0, self.every - (time.time() - at)))

    def wait_final(self, writes: int, *, timeout: float) -> float | None:
        """The time of the first sample that found all `writes` final; None after timeout."""
        deadline = time.monotonic() + timeout
        seen = 0
        while time.monotonic() < deadline:
            for sample in self.samples[seen:]:
                if sample.get("final", -1) >= writes:
                    return sample["at"]
            seen = len(self.samples)
            time.sleep(self.every / 2)
        return None


def _query_database(micro: Stack, sql: str) -> tuple:
    """One row of SQL on query's read model (SQLite file or PostgreSQL), read-only."""
    url = per_service_database_url(micro.database_url, service="query", run_dir=micro.run_dir)
    if micro.database_url:
        import psycopg

        with psycopg.connect(url, autocommit=True, connect_timeout=5) as connection:
            row = connection.execute(sql).fetchone()
    else:
        import sqlite3

        path = url.removeprefix("sqlite:///")
        database = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)
        try:
            row = database.execute(sql).fetchone()
        finally:
            database.close()
    assert row is not None, "an aggregate query answered no row"
    return tuple(row)


def _newest_ids(micro: Stack) -> tuple[int, int]:
    """The newest post and comment ids query holds before the phase: the phase's are above."""
    posts, comments = _query_database(
        micro,
        'SELECT (SELECT coalesce(max("post_id"), 0) FROM "query_post"), '
        '(SELECT coalesce(max("comment_id"), 0) FROM "query_comment")',
    )
    return int(posts), int(comments)


def final_writes(micro: Stack, *, floor: tuple[int, int]) -> int:
    """The phase's posts query lists and its comments query shows with their decision.
    (Ids are integers; the statuses are the rule's constants.)"""
    posts, comments = floor
    decided = f"'{rules.APPROVED}', '{rules.REJECTED}'"
    shown, decisions = _query_database(
        micro,
        f'SELECT (SELECT count(*) FROM "query_post" WHERE "post_id" > {int(posts)} '
        'AND "document" IS NOT NULL), '
        f'(SELECT count(*) FROM "query_comment" WHERE "comment_id" > {int(comments)} '
        f'AND "status" IN ({decided}) AND NOT "deleted")',
    )
    return int(shown) + int(decisions)


def published_events(micro: Stack) -> dict[str, int]:
    """Per producer (posts, comments, moderation): the events it has handed to the event bus
    so far, first sendings and re-sends (blog_messages_published on its /metrics)."""
    task = event_task(EVENTBUS)
    return {
        source: sum(
            value
            for labels, value in _metric(micro, source, "blog_messages_published_total")
            if labels.get("task") == task
        )
        for source in producers()
    }


def resent_events(micro: Stack) -> dict[str, int]:
    """The events the producers have sent again so far, by reason (blog_events_resent)."""
    counts: Counter[str] = Counter()
    for source in producers():
        for labels, value in _metric(micro, source, "blog_events_resent_total"):
            counts[labels["reason"]] += value
    return dict(counts)


def event_copies(micro: Stack) -> dict[str, int]:
    """The copies the event store has dropped so far, by producer (blog_events_duplicate)."""
    counts: Counter[str] = Counter()
    for labels, value in _metric(micro, EVENTBUS, "blog_events_duplicate_total"):
        counts[labels["source"]] += value
    return dict(counts)


def _metric(micro: Stack, service: str, name: str) -> list[tuple[dict[str, str], int]]:
    """The samples of one counter on a service's /metrics: (labels, value) each."""
    text = requests.get(
        f"{micro.url(service)}/metrics", headers=micro.metrics_headers(), timeout=10
    ).text
    return [
        (sample.labels, int(sample.value))
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name == name
    ]


def _grown(after: dict[str, int], before: dict[str, int]) -> dict[str, int]:
    return {
        key: count - before.get(key, 0)
        for key, count in after.items()
        if count > before.get(key, 0)
    }


# -- the figures -----------------------------------------------------------------------------------
def figures(record: dict) -> dict:
    """What the report shows, from the raw record: rates, drain, bound, events per write, depths."""
    writes = record["accepted_posts"] + record["accepted_comments"]
    samples = [s for s in record["samples"] if "final" in s]
    last_write, drained = record["last_write_at"], record["drained_at"]
    caused = (
        EVENTS_PER_POST * record["accepted_posts"]
        + EVENTS_PER_COMMENT * record["accepted_comments"]
    )
    sent = sum(record["published"].values())
    rate = sustainable_rate(samples, writes=writes, last_write=last_write)
    drain = None if drained is None else max(0.0, drained - last_write)
    bound = None if not rate else writes / rate + BOUND_MARGIN_SECONDS
    return {
        "writes": writes,
        "accepted_per_s": writes / record["elapsed_s"] if record["elapsed_s"] > 0 else None,
        "sustainable_per_s": rate,
        "drain_s": drain,
        "bound_s": bound,
        "bound_met": None if bound is None else drain is not None and drain <= bound,
        "events_caused": caused,
        "events_sent": sent,
        "events_per_write": sent / caused if caused else None,
        "post_created_per_post": (
            record["published"].get("posts", 0) / record["accepted_posts"]
            if record["accepted_posts"]
            else None
        ),
        "peak_depth": {
            queue: max((s["depth"][queue] for s in samples), default=0) for queue in QUEUES
        },
        "depth_at_last_write": _depth_at(samples, last_write),
    }


def _depth_at(samples: list[dict], moment: float) -> dict[str, int]:
    before = [s for s in samples if s["at"] <= moment]
    return dict(before[-1]["depth"]) if before else {}


def sustainable_rate(samples: list[dict], *, writes: int, last_write: float) -> float | None:
    """Writes made final per second after the last write, until SUSTAINED_SHARE of the backlog
    left then was final; None without a backlog to measure it by (or it never drained so far)."""
    before = [s for s in samples if s["at"] <= last_write]
    final_then = before[-1]["final"] if before else 0
    backlog = writes - final_then
    if backlog <= 0:
        return None
    goal = final_then + SUSTAINED_SHARE * backlog
    reached = next((s for s in samples if s["at"] > last_write and s["final"] >= goal), None)
    if reached is None:
        return None
    return (reached["final"] - final_then) / max(reached["at"] - last_write, 1e-9)


def progress(record: dict) -> str:
    f = record["figures"]
    drain = "did not drain" if f["drain_s"] is None else f"drained in {f['drain_s']:.1f} s"
    return (
        f"{f['writes']} writes accepted ({per_s(f['accepted_per_s'])}/s), sustainable "
        f"{per_s(f['sustainable_per_s'])}/s, {drain} (bound {_seconds(f['bound_s'])} s); "
        f"events per write {_ratio(f['events_per_write'])}; lost {record['lost']}, applied "
        f"twice {record['applied_twice']}; sent again {record.get('resent', {}) or 'none'}, "
        f"copies {record.get('copies', {}) or 'none'}; peak depth "
        + ", ".join(f"{queue} {depth}" for queue, depth in f["peak_depth"].items())
    )


def resent_text(record: dict) -> str:
    """Why events were sent again, and the copies the store dropped (older runs: not counted)."""
    if "resent" not in record:
        return "Events sent again, by reason: not counted in this run."

    def listed(counts: dict[str, int]) -> str:
        return ", ".join(f"{key} {count}" for key, count in sorted(counts.items())) or "none"

    return (
        f"Events sent again, by reason (`blog_events_resent` on the producers' /metrics): "
        f"{listed(record['resent'])}. Copies the event store dropped, by producer "
        f"(`blog_events_duplicate` on the event bus): {listed(record['copies'])} (moderation "
        "answers each copy of a CommentCreated it is given, so its copies follow comments')."
    )


def per_s(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


def _seconds(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


def _ratio(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


# -- the report --------------------------------------------------------------------------------
def targets(raw: dict) -> list[dict]:
    """The issue's two overload targets, for the report's Targets table."""
    record = raw.get("overload")
    events_name = (
        f"events published per accepted write under overload: <= {EVENTS_PER_WRITE_TARGET}"
    )
    drain_name = (
        "every accepted write final within writes / sustainable rate + "
        f"{BOUND_MARGIN_SECONDS:g} s after overload"
    )
    if not record or "figures" not in record:
        return [
            {"target": events_name, "measured": "not measured", "met": None},
            {"target": drain_name, "measured": "not measured", "met": None},
        ]
    f = record["figures"]
    ratio = f["events_per_write"]
    return [
        {
            "target": events_name,
            "measured": f"{_ratio(ratio)} ({f['events_sent']} sent for the {f['events_caused']} "
            f"events {f['writes']} writes caused)",
            "met": None if ratio is None else ratio <= EVENTS_PER_WRITE_TARGET,
        },
        {
            "target": drain_name,
            "measured": (
                f"{_seconds(f['drain_s'])} s for {f['writes']} writes at "
                f"{per_s(f['sustainable_per_s'])}/s (bound {_seconds(f['bound_s'])} s)"
            ),
            "met": f["bound_met"],
        },
    ]


def section(raw: dict) -> Section:
    record = raw.get("overload")
    if not record or "figures" not in record:
        reason = (record or {}).get("skipped") or raw.get("notes", {}).get("overload")
        return Section(TITLE, [f"Not measured: {reason or 'not measured in this run'}."])
    f, plan = record["figures"], record["plan"]
    summary = [
        plan["clients"], f"{record['elapsed_s']:.1f}", f["writes"], record["refused"],
        per_s(f["accepted_per_s"]), per_s(f["sustainable_per_s"]), _seconds(f["drain_s"]),
        _seconds(f["bound_s"]), {True: "yes", False: "NO", None: "-"}[f["bound_met"]],
        _ratio(f["events_per_write"]), _ratio(f["post_created_per_post"]),
        record["lost"], record["applied_twice"],
    ]  # fmt: skip
    headers = ["clients", "writing s", "writes accepted", "refused", "accepted/s",
               "sustainable/s", "drain s", "bound s", "within bound", "events per write",
               "PostCreated per post", "lost", "applied twice"]  # fmt: skip
    depths = [
        ["peak", *(f["peak_depth"].get(queue, 0) for queue in QUEUES)],
        ["at the last write", *(f["depth_at_last_write"].get(queue, "-") for queue in QUEUES)],
    ]
    return Section(
        TITLE,
        [
            f"{plan['clients']} closed-loop clients writing post + comment pairs on micro for "
            f"{plan['duration']:g} s, far above what it makes final per second; micro accepts "
            "and drains (docs/event-bus.md). Sustainable/s: writes made final in query per "
            f"second after the last write, until {SUSTAINED_SHARE:.0%} of the backlog left "
            "then was final. Drain: from the last write until every accepted write was final "
            f"in query; the bound is writes / sustainable rate + {BOUND_MARGIN_SECONDS:g} s. "
            "Events per write: events handed to the event bus (first sendings and re-sends, "
            "from the producers' /metrics) per event the accepted writes caused (a post 1, a "
            "comment 3), so 1.00 means none was sent twice; target <= "
            f"{EVENTS_PER_WRITE_TARGET}. Lost and applied twice as in the reliability table "
            "(both must be 0).",
            Table(headers, [summary]),
            resent_text(record),
            "Queue depth (messages waiting, LLEN: what each service's `blog_queue_depth` "
            f"gauge on /metrics reads), sampled every {plan['sample_every']:g} s:",
            Table(["queue depth", *QUEUES], depths),
        ],
    )


class Overload(Phase):
    name, in_summary = "overload", True

    def run(self, context: Context) -> None:
        clients = plan_for(quick=context.options.quick).clients
        context.say(f"overload: {clients} clients writing on micro, then the drain")
        with context.untraced():
            context.record.overload = measure(
                context.micro, quick=context.options.quick, say=context.say
            )

    def sections(self, record: RunRecord, charts: Charts) -> list[Section]:
        return [section(record.as_mapping())]
