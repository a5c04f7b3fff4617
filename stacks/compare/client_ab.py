"""The client A/B of issue 10's loadgen change: the old client (requests.Session) and the new
one (shared.api.keepalive) against the same launched stacks, interleaved, with tracing off.

    .venv/bin/python -m stacks.compare.client_ab [--rounds 4] [--duration 3] [--port-base 9800]

Launches the monolith and micro (ports port-base.. and port-base+10..), seeds 50 posts x 10
comments on each, then in every round runs each figure once per client, the order of the two
clients swapped every round, and prints the medians of the rounds as a markdown table.
Not part of `compare` (whose floor section carries the one-client figures of both clients in
every run); kept for re-measuring the change.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
from pathlib import Path

from stacks.compare import loadgen, workload
from stacks.compare.stats import latency_summary, median, rate
from stacks.launcher import Stack

CLIENTS = {"requests": False, "keepalive": True}


def _closed(stack: Stack, clients: int, duration: float, keepalive: bool, limit: int) -> dict:
    work = loadgen.Workload(stack.kind, stack.urls, "list", limit=limit, keepalive=keepalive)
    result = loadgen.run_closed_loop(
        work, concurrency=clients, duration=duration, processes=1 if clients < 8 else 2
    )
    ok = [s["ms"] for s in result["samples"] if s["outcome"] == "ok"]
    return {
        "p50": latency_summary(ok)["p50"],
        "per_s": rate(len(ok), result["elapsed_s"]),
        "errors": len(result["samples"]) - len(ok),
        "resets": result["resets"],
    }


def _health(stack: Stack, duration: float, keepalive: bool) -> dict:
    """GET /health/ of the front service (monolith, query), one request at a time."""
    sender = loadgen.client(stack.kind, stack.urls, keepalive=keepalive)
    timings = [
        sender.get("post_list", "/health/").seconds * 1000 for _ in range(int(duration * 200))
    ]
    sender.close()
    return {"p50": median(timings[20:]), "per_s": None, "errors": 0, "resets": sender.resets}


def measure(stacks: dict[str, Stack], *, rounds: int, duration: float, limit: int) -> dict:
    figures: dict[tuple, list[dict]] = {}
    for number in range(rounds):
        order = list(CLIENTS.items()) if number % 2 == 0 else list(CLIENTS.items())[::-1]
        for kind, stack in stacks.items():
            for name, keepalive in order:
                runs = {
                    "GET /health/, 1 client": _health(stack, duration, keepalive),
                    "list, 1 client": _closed(stack, 1, duration, keepalive, limit),
                    "list, 8 clients": _closed(stack, 8, duration, keepalive, limit),
                }
                for figure, result in runs.items():
                    figures.setdefault((kind, figure, name), []).append(result)
                    print(f"round {number + 1} {kind:<8} {figure:<22} {name:<9} {result}")
    return figures


def table(figures: dict[tuple, list[dict]]) -> str:
    lines = [
        "| stack | figure | requests p50 ms | keepalive p50 ms | requests req/s | "
        "keepalive req/s | resets (req / ka) |",
        "|---|---|---|---|---|---|---|",
    ]
    keys = sorted({(kind, figure) for kind, figure, _ in figures})
    for kind, figure in keys:
        old, new = figures[kind, figure, "requests"], figures[kind, figure, "keepalive"]

        def med(runs, key):
            values = [run[key] for run in runs if run[key] is not None]
            return "-" if not values else f"{median(values):,.2f}"

        old_resets = sum(run["resets"] for run in old)
        new_resets = sum(run["resets"] for run in new)
        lines.append(
            f"| {kind} | {figure} | {med(old, 'p50')} | {med(new, 'p50')} | "
            f"{med(old, 'per_s')} | {med(new, 'per_s')} | {old_resets} / {new_resets} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--duration", type=float, default=3.0)
    parser.add_argument("--port-base", type=int, default=9800)
    parser.add_argument("--posts", type=int, default=50)
    parser.add_argument("--comments", type=int, default=10)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    run_dir = Path(tempfile.mkdtemp(prefix="client-ab-"))
    stacks = {
        kind: Stack(
            kind,
            run_dir=run_dir / kind,
            port_base=args.port_base + offset,
            database_url=args.database_url,
            fresh=True,
        )
        for kind, offset in (("monolith", 0), ("micro", 10))
    }
    try:
        for stack in stacks.values():
            stack.start()
            ids = workload.seed(stack, posts=args.posts, comments_per_post=args.comments)
            workload.wait_for_read_model(stack, ids, args.comments)
            stack.set_tracing(False)
        figures = measure(stacks, rounds=args.rounds, duration=args.duration, limit=args.posts)
        print()
        print(table(figures))
    finally:
        for stack in stacks.values():
            stack.stop()
        shutil.rmtree(run_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
