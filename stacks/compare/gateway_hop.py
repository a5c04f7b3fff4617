"""The gateway's extra hop: micro's actions sent straight to the services, and through nginx.

The same nginx config that docker-compose.yml and the Kubernetes gateway run (rendered from
the route table by stacks.gateway) is started in front of the already running micro stack;
the list via query and the comment POST are then measured both ways, at 1 and 8 closed-loop
clients, the two paths alternating (direct first in odd repetitions, the gateway first in
even ones) so that neither always runs on a warmer or busier machine.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Callable
from typing import Any

from stacks.compare import cost, loadgen
from stacks.compare.document import Section, Table
from stacks.compare.formats import ms
from stacks.compare.phase import Charts, Context, Phase
from stacks.compare.record import RunRecord
from stacks.compare.records import ROUND
from stacks.compare.stats import latency_summary
from stacks.launcher import Stack

LEVELS = (1, 8)
ACTIONS = (("list via query", "list"), ("add comment", "add comment"))
PATHS = ("direct", "gateway")
WARM_UP_REQUESTS = 20  # through the gateway, before measuring: nginx opens its upstream pool


@dataclasses.dataclass(frozen=True)
class HopPlan:
    duration: float  # seconds per list run
    repetitions: int
    max_writes: int  # comments per comment run: micro must process each before the next run


def plan_for(*, quick: bool) -> HopPlan:
    """About 30 s by default, under 10 s with --quick (two cores, nothing else running)."""
    return HopPlan(0.3, 1, 8) if quick else HopPlan(1.25, 2, 20)


def measure(
    micro: Stack, *, post_ids: list[int], limit: int, quick: bool, say: Callable[[str], None]
) -> dict:
    """Every (repetition, clients, action) both ways; the gateway is stopped afterwards.
    Returns the raw runs, or {"skipped": why} when nginx cannot run here."""
    plan = plan_for(quick=quick)
    try:
        gateway = micro.start_gateway()
    except (FileNotFoundError, RuntimeError) as error:
        return {"skipped": str(error)}
    try:
        urls = {"direct": micro.urls, "gateway": {name: gateway.url for name in micro.urls}}
        client = loadgen.client("micro", urls["gateway"])
        for _ in range(WARM_UP_REQUESTS):
            client.list_posts(limit=limit)
        runs = []
        for repetition in range(1, plan.repetitions + 1):
            for concurrency in LEVELS:
                for label, action in ACTIONS:
                    for path in PATHS if repetition % 2 else reversed(PATHS):
                        work = loadgen.Workload(
                            "micro", urls[path], action, limit=limit, post_ids=tuple(post_ids)
                        )
                        record = _run(micro, work, plan, concurrency=concurrency)
                        runs.append({"action": label, "path": path, "repetition": repetition,
                                     "concurrency": concurrency, **record})  # fmt: skip
                        say(f"    {progress(runs[-1])}")
    finally:
        micro.stop_gateway()
    return {"plan": dataclasses.asdict(plan), "runs": runs}


def _run(micro: Stack, work: loadgen.Workload, plan: HopPlan, *, concurrency: int) -> dict:
    writes = work.action != "list"
    result = loadgen.run_closed_loop(
        work,
        concurrency=concurrency,
        duration=plan.duration,
        processes=1 if concurrency < 8 else 2,  # as the benchmark's own runs
        max_requests=plan.max_writes if writes else None,
    )
    if writes:
        cost.wait_drained(micro)  # the comments' events must not spill into the next run
    samples = result["samples"]
    ok = [sample["ms"] for sample in samples if sample["outcome"] == "ok"]
    return {
        "latencies_ms": [round(ms, ROUND) for ms in ok],
        "errors": dict(Counter(s["outcome"] for s in samples if s["outcome"] != "ok")),
        "resets": result.get("resets", 0),
        "elapsed_s": result["elapsed_s"],
    }


def progress(run: dict) -> str:
    figures = latency_summary(run["latencies_ms"])
    return (
        f"rep {run['repetition']} c={run['concurrency']:<2} {run['action']:<15} "
        f"{run['path']:<8} {figures['n']:>4} ok  p50 {ms(figures['p50'])} ms  "
        f"p95 {ms(figures['p95'])} ms"
    )


# -- the report --------------------------------------------------------------------------------
def rows(hop: dict) -> list[dict]:
    """Per action and clients: every repetition's samples pooled, per path."""
    table = []
    for concurrency in LEVELS:
        for label, _ in ACTIONS:
            row: dict[str, Any] = {"action": label, "concurrency": concurrency}
            for path in PATHS:
                runs = [
                    run
                    for run in hop.get("runs", [])
                    if (run["action"], run["path"], run["concurrency"])
                    == (label, path, concurrency)
                ]
                samples = [ms for run in runs for ms in run["latencies_ms"]]
                row[path] = latency_summary(samples)
                row[path]["errors"] = sum(sum(run["errors"].values()) for run in runs)
            table.append(row)
    return table


def _difference(via: float | None, direct: float | None) -> str:
    if via is None or direct is None:
        return "-"
    return f"{round(via - direct, 1) + 0.0:+.1f}"  # + 0.0: never "-0.0"


def section(raw: dict) -> Section:
    hop = raw.get("gateway_hop")
    heading = "The gateway's extra hop (micro)"
    if not hop or hop.get("skipped"):
        reason = hop.get("skipped") if hop else "not measured in this run"
        return Section(heading, [f"Not measured: {reason}."])
    table = []
    for row in rows(hop):
        direct, via = row["direct"], row["gateway"]
        table.append(
            [row["action"], row["concurrency"], f"{direct['n']} / {via['n']}",
             direct["errors"] + via["errors"],
             ms(direct["p50"]), ms(via["p50"]), _difference(via["p50"], direct["p50"]),
             ms(direct["p95"]), ms(via["p95"]), _difference(via["p95"], direct["p95"])]
        )  # fmt: skip
    headers = ["action", "clients", "n direct / via gateway", "errors", "p50 direct ms",
               "p50 via gateway ms", "p50 difference ms", "p95 direct ms",
               "p95 via gateway ms", "p95 difference ms"]  # fmt: skip
    plan = hop["plan"]
    return Section(
        heading,
        [
            "The same nginx config as docker-compose.yml and the Kubernetes gateway (rendered "
            "from the route table), run as a local process in front of the running micro "
            "stack: the list via query and the comment POST, straight to the service and "
            "through the gateway, alternately, at 1 and 8 closed-loop clients "
            f"({plan['repetitions']} repetition(s); lists {plan['duration']:g} s per run, "
            f"comments {plan['max_writes']} per run). The difference is nginx's work plus one "
            "more loopback connection; on this machine nginx also takes CPU from the stack.",
            Table(headers, table),
        ],
    )


class GatewayHop(Phase):
    name = "gateway_hop"

    def run(self, context: Context) -> None:
        context.say("the gateway's extra hop: micro's list and comment, direct and through nginx")
        with context.untraced():
            context.record.gateway_hop = measure(
                context.micro, post_ids=context.post_ids["micro"], limit=context.options.posts,
                quick=context.options.quick, say=context.say,
            )  # fmt: skip

    def sections(self, record: RunRecord, charts: Charts) -> list[Section]:
        return [section(record.as_mapping())]
