"""The open loop: requests due at a fixed rate whatever the answers do, on both stacks.

Runs twice: the lists right after the closed-loop reads (before any write changes them),
the comments right after the closed-loop writes (whose throughput sets the rate). The
comments' run also measures micro's consistency lag at that steady rate.
"""

from __future__ import annotations

from pathlib import Path

from stacks.compare import cost, lag, loadgen, records
from stacks.compare.charts import cdf, plain, plt, save, stack_colour
from stacks.compare.document import Section, Table
from stacks.compare.formats import NOT_MEASURED, image, ms, per_s
from stacks.compare.phase import Charts, Context, Phase, generator_processes
from stacks.compare.record import RunRecord
from stacks.compare.summary import closed_loop_rows, open_loop_rows
from stacks.compare.workload import Action

CAPTION = "Fixed arrival rate: latency from the scheduled send time"


class OpenLoop(Phase):
    """One group of actions (the same action on each stack) at one fixed rate."""

    name = "open_loop"

    def __init__(self, group: str, actions: tuple[Action, ...]):
        self.group, self.actions = group, actions

    def run(self, context: Context) -> None:
        rate = open_loop_rate(context, self.actions)
        duration = max(1.0, 2 * context.options.duration)
        context.say(
            f"open loop: {self.group} at a fixed {rate}/s for {duration:.0f} s on each stack"
        )
        for action in self.actions:
            stack = context.stacks[action.stack]
            follower = lag.TraceFollower(stack.trace_dir) if stack.kind == "micro" else None
            result = loadgen.run_open_loop(
                context.workload_for(action),
                rate=rate,
                duration=duration,
                processes=generator_processes(context.options, 8),
            )
            record = records.open_loop_record(action, rate, duration, result)
            if follower and action.action == "add comment":
                lags = lag.collect_lags(follower, result["samples"])
                context.record.lag.steady = {**lags, "rate": rate}
            cost.wait_drained(stack)
            context.record.open_loop.append(record)
            context.say(f"    {records.open_loop_progress(record)}")

    def sections(self, record: RunRecord, charts: Charts) -> list[Section]:
        return [open_loop(record.as_mapping(), charts)]

    def charts(self, record: RunRecord, out: Path) -> Charts:
        drawn = open_loop_chart(record.as_mapping(), out)
        return {"open_loop": (drawn, CAPTION)} if drawn else {}


def open_loop_rate(context: Context, group_actions: tuple[Action, ...]) -> float:
    """Half the lower of the two stacks' best closed-loop throughput for this action, so
    neither stack is overloaded but both see requests arrive independently of answers."""
    if context.options.rate:
        return context.options.rate
    rows = closed_loop_rows([r for r in context.record.runs if r["repetition"] > 0])
    best = [
        max(
            (row["sustained"] or 0)
            for row in rows
            if (row["stack"], row["action"]) == (action.stack, action.label)
        )
        for action in group_actions
    ]
    return max(1.0, round(min(best) * 0.5, 1))


def open_loop(raw: dict, charts: dict) -> Section:
    rows = [
        [
            row["action"],
            row["stack"],
            per_s(row["rate"]),
            row["scheduled"],
            row["errors"],
            row["resets"],
            ms(row["latency"]["p50"]),
            ms(row["latency"]["p95"]),
            ms(row["latency"]["p99"]),
            ms(row["service"]["p50"]),
            ms(row["service"]["p99"]),
            ms(row["late_p99_ms"]),
            per_s(row["achieved"]),
        ]
        for row in open_loop_rows(raw.get("open_loop", []))
    ]
    headers = [
        "action",
        "stack",
        "rate/s",
        "scheduled",
        "errors",
        "resets",
        "p50 ms",
        "p95 ms",
        "p99 ms",
        "service p50",
        "service p99",
        "p99 late start",
        "ok/s",
    ]
    return Section(
        "Fixed arrival rate (open loop)",
        [
            "Requests are due at a constant rate whatever the answers do (the same rate on both "
            "stacks: half the lower of their best closed-loop throughputs unless --rate is "
            "given). Latency counts from the scheduled send time, so a request that had to wait "
            "for a free client is charged for the wait ('coordinated omission' is not hidden); "
            "'service' is send-to-answer only.",
            Table(headers, rows) if rows else NOT_MEASURED,
            *image(charts, "open_loop"),
        ],
    )


def open_loop_chart(raw: dict, directory: Path) -> str | None:
    records = raw.get("open_loop", [])
    if not records:
        return None
    groups = list(dict.fromkeys(record["group"] for record in records))
    figure, axes = plt.subplots(1, len(groups), figsize=(6 * len(groups), 4), squeeze=False)
    for axis, group in zip(axes[0], groups, strict=True):
        mine = [r for r in records if r["group"] == group]
        for record in mine:
            ok = [s for s in record["samples"] if s["outcome"] == "ok"]
            colour = stack_colour(record["stack"], record["action"])
            name = f"{record['stack']} {record['action']}"
            cdf(axis, [s["ms"] for s in ok], f"{name}, from schedule", color=colour)
            cdf(
                axis,
                [s["service_ms"] for s in ok],
                f"{name}, service only",
                color=colour,
                linestyle=":",
            )
        axis.set(
            title=f"{group}: a fixed {mine[0]['rate']}/s",
            xscale="log",
            xlabel="latency (ms)",
            ylabel="share of requests <= latency",
        )
        plain(axis, x=True)
        axis.grid(True, which="both", alpha=0.3)
        axis.legend(fontsize=7)
    return save(figure, directory, "open_loop.png")
