"""The reads: the post list of every read strategy on both stacks, closed loop.

Warmed up first; then micro's idle memory and its consistency lag at idle (one comment at a
time, before any load); then every read at every concurrency, the stacks interleaved. All
reads run before any write, so that every list is the same seeded posts and comments. The
section and its charts show the writes' closed-loop runs too (one table of every action).
"""

from __future__ import annotations

from pathlib import Path

from stacks.compare import cost, lag, records
from stacks.compare.charts import plain, plt, save, stack_colour
from stacks.compare.document import Section, Table
from stacks.compare.formats import image, ms, per_s, share
from stacks.compare.phase import Charts, Context, Phase
from stacks.compare.record import RunRecord
from stacks.compare.summary import closed_loop_rows, lag_figures
from stacks.compare.workload import READ_ACTIONS

CHART_CAPTIONS = {
    "latency": "Latency p50 (solid) and p99 (dashed) by concurrency",
    "throughput": "Successful requests per second by concurrency",
}


class Reads(Phase):
    name, in_summary = "reads", True

    def run(self, context: Context) -> None:
        context.say("warming up the reads ...")
        context.warm_up(READ_ACTIONS)
        context.record.cost.memory_idle = {
            k: cost.memory_snapshot(s) for k, s in context.stacks.items()
        }
        lag_at_idle(context)
        context.say("reads, interleaved (monolith, micro) per repetition and concurrency:")
        context.measure(READ_ACTIONS)

    def sections(self, record: RunRecord, charts: Charts) -> list[Section]:
        return [closed_loop(record.as_mapping(), charts)]

    def charts(self, record: RunRecord, out: Path) -> Charts:
        raw, drawn = record.as_mapping(), {}
        for name, draw in (("latency", latency_chart), ("throughput", throughput_chart)):
            filename = draw(raw, out)
            if filename:
                drawn[name] = (filename, CHART_CAPTIONS[name])
        return drawn


def lag_at_idle(context: Context) -> None:
    """Micro's consistency lag, one comment at a time on an idle stack, and the method
    checked against polling query (stacks/compare/lag.py)."""
    options, record = context.options, context.record
    count, checks = options.lag_comments, options.lag_checks
    context.say(f"consistency lag at idle: {count} comments on micro, one at a time ...")
    idle = lag.measure_idle_lag(
        context.micro, post_id=context.side_posts["micro", "lag"], count=count
    )
    record.lag.idle = idle
    figures = lag_figures(idle["lags_ms"], idle["missing"])
    context.say(
        f"  lag p50 {records.ms(figures['p50'])}, p99 {records.ms(figures['p99'])}, "
        f"{idle['missing']} never seen"
    )
    context.say(f"  checking the method against polling query ({checks} comments) ...")
    validation = lag.validate_against_polling(
        context.micro, post_id=context.side_posts["micro", "lag check"], count=checks
    )
    record.lag.validation = agreement = {"checks": validation, **lag.agreement(validation)}
    context.say(
        f"  {agreement['within_bounds']}/{agreement['checked']} trace lags within the "
        f"polling bounds"
    )


def closed_loop(raw: dict, charts: dict) -> Section:
    rows = []
    for row in closed_loop_rows(raw["runs"]):
        spread = ", ".join(ms(p50) for p50 in row["repetition_p50s"])
        rows.append(
            [
                row["action"],
                row["stack"],
                row["concurrency"],
                row["n"],
                row["errors"],
                row["resets"],
                ms(row["p50"]),
                ms(row["p95"]),
                ms(row["p99"]),
                per_s(row["throughput"]),
                per_s(row["sustained"]),
                spread,
                share(row["generator_cpu_share"]),
            ]
        )
    headers = [
        "action",
        "stack",
        "clients",
        "n",
        "errors",
        "resets",
        "p50 ms",
        "p95 ms",
        "p99 ms",
        "ok/s",
        "done/s",
        "p50 per repetition",
        "generator busy",
    ]
    return Section(
        "Latency and throughput (closed loop)",
        [
            "Each client is a thread with its own kept-alive http.client connections "
            "(shared/api/keepalive.py, TCP_NODELAY), timed from the request written to the "
            "answer's body read, and sends its next request when the last one answered. "
            "'resets' counts connections that dropped with a request in flight (each is also "
            "an error; a healthy run has 0). n counts successful "
            "requests over all repetitions; ok/s is successful requests per second; done/s also "
            "counts the time micro needed afterwards to finish the asynchronous work the "
            "requests caused (events to every consumer), i.e. what it can sustain. Write runs "
            "stop after a fixed number of requests (--max-writes) so that this backlog stays "
            "bounded. 'generator busy' is the load generator's CPU time over its processes x "
            "seconds (near 100% would mean the generator, not the stack, set the pace).",
            Table(headers, rows),
            *image(charts, "latency"),
            *image(charts, "throughput"),
        ],
    )


LATENCY_PANELS = (
    ("Post list", ("list",)),
    ("Create post", ("create post",)),
    ("Add comment", ("add comment",)),
)


def latency_chart(raw: dict, directory: Path) -> str | None:
    rows = closed_loop_rows(raw["runs"])
    if not rows:
        return None
    figure, axes = plt.subplots(1, 3, figsize=(14, 4.2))
    for axis, (title, prefixes) in zip(axes, LATENCY_PANELS, strict=True):
        series = sorted(
            {(r["stack"], r["action"]) for r in rows if r["action"].startswith(prefixes)}
        )
        for stack, action in series:
            mine = sorted(
                (r for r in rows if (r["stack"], r["action"]) == (stack, action)),
                key=lambda r: r["concurrency"],
            )
            levels = [r["concurrency"] for r in mine]
            colour = stack_colour(stack, action)
            label = action if stack == "micro" and action.startswith("list") else stack
            axis.plot(levels, [r["p50"] for r in mine], "o-", color=colour, label=f"{label} p50")
            axis.plot(
                levels,
                [r["p99"] for r in mine],
                "s--",
                color=colour,
                alpha=0.6,
                label=f"{label} p99",
            )
        axis.set(title=title, xlabel="concurrent clients", ylabel="latency (ms)", yscale="log")
        axis.set_xscale("log", base=2)
        axis.set_xticks(sorted({r["concurrency"] for r in rows}))
        plain(axis, x=True, y=True)
        axis.grid(True, which="both", alpha=0.3)
        if series:
            axis.legend(fontsize=7)
        else:
            axis.text(0.5, 0.5, "not measured", ha="center", transform=axis.transAxes)
    return save(figure, directory, "latency.png")


def throughput_chart(raw: dict, directory: Path) -> str | None:
    rows = closed_loop_rows(raw["runs"])
    if not rows:
        return None
    keys = list(dict.fromkeys(f"{r['stack']}: {r['action']}" for r in rows))
    levels = sorted({r["concurrency"] for r in rows})
    figure, axis = plt.subplots(figsize=(12, 4.2))
    width = 0.8 / len(levels)
    for index, level in enumerate(levels):
        values = []
        for key in keys:
            row = next(
                (
                    r
                    for r in rows
                    if f"{r['stack']}: {r['action']}" == key and r["concurrency"] == level
                ),
                None,
            )
            values.append((row or {}).get("throughput") or 0)
        positions = [k + index * width for k in range(len(keys))]
        axis.bar(positions, values, width, label=f"{level} clients")
    axis.set_xticks([k + width * (len(levels) - 1) / 2 for k in range(len(keys))])
    axis.set_xticklabels(keys, rotation=20, ha="right", fontsize=8)
    axis.set(ylabel="successful requests / s", yscale="log", title="Throughput per action")
    plain(axis, y=True)
    axis.grid(True, axis="y", which="both", alpha=0.3)
    axis.legend(fontsize=8)
    return save(figure, directory, "throughput.png")
