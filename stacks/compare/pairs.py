"""Write throughput: post + comment pairs from many clients, and a check that nothing was lost.

After the run every comment the clients got a 201 for is read back through the public read
(query on micro): it must be there exactly once, with a final status. Micro's lag under
that load is measured on the way, and both stacks' memory and storage after it.
"""

from __future__ import annotations

import threading
import time
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor

from shared import rules
from stacks.compare import cost, lag, loadgen, workload
from stacks.compare.document import Section, Table
from stacks.compare.formats import NOT_MEASURED, ms, per_s
from stacks.compare.phase import Charts, Context, Phase, generator_processes
from stacks.compare.record import RunRecord
from stacks.compare.stats import latency_summary, rate
from stacks.compare.summary import pair_cpu_ms
from stacks.launcher import Stack

CHECK_TIMEOUT = 120.0
CHECK_THREADS = 8


def pair_record(kind: str, clients: int, duration: float, result: dict) -> dict:
    samples = result["samples"]
    ok = [sample for sample in samples if sample["outcome"] == "ok"]
    return {
        "stack": kind,
        "clients": clients,
        "duration_s": duration,
        "elapsed_s": result["elapsed_s"],
        "pairs_ok": len(ok),
        "errors": dict(Counter(s["outcome"] for s in samples if s["outcome"] != "ok")),
        "resets": result.get("resets", 0),
        "pairs_per_s": rate(len(ok), result["elapsed_s"]),
        "latencies_ms": [round(sample["ms"], 3) for sample in ok],
        "client_cpu_s": result["client_cpu_s"],
    }


def expected_comments(samples: list[dict]) -> dict[int, set[int]]:
    """post id -> the comment ids the clients were told were created."""
    expected: dict[int, set[int]] = defaultdict(set)
    for sample in samples:
        if sample["outcome"] == "ok" and sample.get("comment_id") is not None:
            expected[sample["post_id"]].add(sample["comment_id"])
    return expected


def reconcile(expected: set[int], comments: list[dict]) -> dict[str, int]:
    """Compare what a post should hold with what the read shows."""
    seen = Counter(comment["id"] for comment in comments)
    final = {c["id"] for c in comments if c["status"] != rules.PENDING}
    return {
        "present_once": sum(1 for cid in expected if seen[cid] == 1),
        "lost": sum(1 for cid in expected if seen[cid] == 0),
        "doubled": sum(seen[cid] - 1 for cid in expected if seen[cid] > 1),
        "not_final": sum(1 for cid in expected if seen[cid] and cid not in final),
    }


def check_pairs(stack: Stack, samples: list[dict], *, timeout: float = CHECK_TIMEOUT) -> dict:
    """Read every post back until each expected comment is present once and final (or the
    timeout passes); returns the counts of the last reading."""
    expected = expected_comments(samples)
    started = time.monotonic()
    verdicts: dict[int, dict] = {}
    waiting = set(expected)
    local = threading.local()  # one client (one HTTP session) per reading thread

    def read(post_id: int) -> tuple[int, dict | None]:
        if not hasattr(local, "client"):
            local.client = loadgen.client(stack.kind, stack.urls)
        client = local.client
        reply = client.get_post(post_id)
        return post_id, reconcile(expected[post_id], reply.body["comments"]) if reply.ok else None

    with ThreadPoolExecutor(CHECK_THREADS) as pool:
        while waiting and time.monotonic() - started < timeout:
            for post_id, verdict in pool.map(read, sorted(waiting)):
                if verdict is None:
                    verdict = {
                        "present_once": 0,
                        "lost": len(expected[post_id]),
                        "doubled": 0,
                        "not_final": 0,
                    }
                verdicts[post_id] = verdict
                if verdict["present_once"] == len(expected[post_id]) and not verdict["not_final"]:
                    waiting.discard(post_id)
            if waiting:
                time.sleep(0.2)
    totals: Counter[str] = Counter()
    for verdict in verdicts.values():
        totals.update(verdict)
    return {
        "expected": sum(len(ids) for ids in expected.values()),
        **{key: totals[key] for key in ("present_once", "lost", "doubled", "not_final")},
        "seconds": time.monotonic() - started,
    }


def progress(record: dict) -> str:
    check = record["check"]
    p50 = latency_summary(record["latencies_ms"])["p50"] or 0
    return (
        f"{record['stack']:<8} {record['pairs_per_s'] or 0:.1f} pairs/s "
        f"({record['pairs_ok']} ok, {sum(record['errors'].values())} failed, p50 {p50:.1f} ms); "
        f"read back: {check['present_once']}/{check['expected']} present once, "
        f"{check['lost']} lost, {check['doubled']} doubled, {check['not_final']} not final"
    )


class Pairs(Phase):
    name, in_summary = "pairs", True

    def run(self, context: Context) -> None:
        levels, duration = context.options.pair_clients, context.options.duration
        found = context.record
        context.say(
            f"write throughput: post+comment pairs, {' and '.join(map(str, levels))} clients, "
            f"{duration:g} s each"
        )
        for clients in levels:
            for kind in workload.STACK_ORDER:
                pair_run(context, context.stacks[kind], clients, last=clients == levels[-1])
        stacks = context.stacks
        found.cost.memory_after_load = {k: cost.memory_snapshot(s) for k, s in stacks.items()}
        found.cost.storage_end = {k: cost.storage_bytes(s) for k, s in stacks.items()}
        found.cost.redis = cost.redis_memory(context.micro)

    def sections(self, record: RunRecord, charts: Charts) -> list[Section]:
        return [write_throughput(record.as_mapping())]


def pair_run(context: Context, stack: Stack, clients: int, *, last: bool) -> None:
    """One pair run: the CPU of every process of the stack from the first write until
    its asynchronous work is drained (before the read back, which is not the writes'),
    then every acknowledged comment read back."""
    follower = lag.TraceFollower(stack.trace_dir) if stack.kind == "micro" and last else None
    work = loadgen.Workload(stack.kind, stack.urls, "pair")
    before = cost.cpu_snapshot(stack)
    result = loadgen.run_closed_loop(
        work,
        concurrency=clients,
        duration=context.options.duration,
        processes=generator_processes(context.options, clients),
    )
    drained = cost.wait_drained(stack)
    record = pair_record(stack.kind, clients, context.options.duration, result)
    record["server_cpu_s"] = cost.cpu_used(before, cost.cpu_snapshot(stack))
    record["drain_s"] = drained
    if follower:
        lags = lag.collect_lags(follower, result["samples"])
        context.record.lag.under_load = {**lags, "clients": clients}
    record["check"] = check_pairs(stack, result["samples"])
    context.record.pairs.append(record)
    context.say(f"    {progress(record)}")


def _cpu_per_pair(record: dict) -> str:
    spent = pair_cpu_ms(record)
    return "-" if spent is None else f"{spent:.1f}"


def write_throughput(raw: dict) -> Section:
    rows = []
    for record in raw.get("pairs", []):
        check = record["check"]
        latencies = latency_summary(record["latencies_ms"])
        rows.append(
            [
                record["stack"],
                record["clients"],
                per_s(record["pairs_per_s"]),
                record["pairs_ok"],
                sum(record["errors"].values()),
                ms(latencies["p50"]),
                ms(latencies["p99"]),
                check["expected"],
                check["present_once"],
                check["lost"],
                check["doubled"],
                check["not_final"],
                f"{check['seconds']:.1f}",
                _cpu_per_pair(record),
            ]
        )
    headers = [
        "stack",
        "clients",
        "pairs/s",
        "pairs ok",
        "failed",
        "p50 ms",
        "p99 ms",
        "comments",
        "present once",
        "lost",
        "doubled",
        "not final",
        "read back s",
        "CPU ms/pair",
    ]
    return Section(
        "Write throughput: post + comment pairs",
        [
            "Each client creates a post, then a comment on it, as fast as it can. Afterwards "
            "every comment a client got a 201 for is read back through the public read (query "
            "on micro) until it is there exactly once with its final status. 'failed' counts "
            "pairs whose POST got an error (the client knows); 'lost' counts comments that were "
            "acknowledged and never showed up. 'CPU ms/pair' is the CPU of every process of the "
            "stack (web processes, workers, Redis) from the first write until its asynchronous "
            "work was drained, per pair; the load generator's is not in it.",
            Table(headers, rows) if rows else NOT_MEASURED,
        ],
    )
