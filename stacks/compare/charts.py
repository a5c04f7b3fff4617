"""The report's charts as PNG files (matplotlib, Agg backend: no display needed)."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from matplotlib.ticker import FuncFormatter, NullFormatter

from stacks.compare.summary import (
    closed_loop_rows,
    memory_totals,
    scaling_rows,
    storage_totals,
)

COLOURS = {"monolith": "#1f77b4", "micro": "#d62728"}
MICRO_SHADES = {
    "list via query": "#d62728",
    "list via aggregator": "#ff7f0e",
    "list via naive client": "#9467bd",
}
LATENCY_PANELS = (
    ("Post list", ("list",)),
    ("Create post", ("create post",)),
    ("Add comment", ("add comment",)),
)


def _colour(stack: str, action: str) -> str:
    return MICRO_SHADES.get(action, COLOURS[stack]) if stack == "micro" else COLOURS[stack]


PLAIN = FuncFormatter(lambda value, _position: f"{value:g}")


def _plain(axis, *, x: bool = False, y: bool = False) -> None:
    """Plain numbers (5, 10, 50) on log axes instead of powers of ten."""
    for wanted, scale in ((x, axis.xaxis), (y, axis.yaxis)):
        if wanted:
            scale.set_major_formatter(PLAIN)
            scale.set_minor_formatter(NullFormatter())


def _save(figure, directory: Path, name: str) -> str:
    figure.tight_layout()
    figure.savefig(directory / name, dpi=110)
    plt.close(figure)
    return name


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
            colour = _colour(stack, action)
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
        _plain(axis, x=True, y=True)
        axis.grid(True, which="both", alpha=0.3)
        if series:
            axis.legend(fontsize=7)
        else:
            axis.text(0.5, 0.5, "not measured", ha="center", transform=axis.transAxes)
    return _save(figure, directory, "latency.png")


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
    _plain(axis, y=True)
    axis.grid(True, axis="y", which="both", alpha=0.3)
    axis.legend(fontsize=8)
    return _save(figure, directory, "throughput.png")


def _cdf(axis, samples: list[float], label: str, **style) -> None:
    ordered = sorted(samples)
    if not ordered:
        return
    shares = [(index + 1) / len(ordered) for index in range(len(ordered))]
    axis.step(ordered, shares, where="post", label=f"{label} (n={len(ordered)})", **style)


def lag_chart(raw: dict, directory: Path) -> str | None:
    lags = raw.get("lag", {})
    runs = [
        (name, lags[key])
        for key, name in (
            ("idle", "at idle, one comment at a time"),
            ("steady", "steady arrival rate (open loop)"),
            ("under_load", "under load: pairs at {clients} clients"),
        )
        if lags.get(key) and lags[key]["lags_ms"]
    ]
    runs = [(name.format(clients=record.get("clients", 50)), record) for name, record in runs]
    if not runs:
        return None
    figure, axis = plt.subplots(figsize=(8, 4.2))
    for name, record in runs:
        _cdf(axis, [max(lag, 0.01) for lag in record["lags_ms"]], name)
    _plain(axis, x=True)
    axis.set(
        xscale="log",
        xlabel="t: milliseconds after the comment POST returned",
        ylabel="P(lag <= t)",
        ylim=(0, 1.02),
        title="Probability a read of query sees the comment's final status after t",
    )
    axis.grid(True, which="both", alpha=0.3)
    axis.legend(fontsize=8)
    return _save(figure, directory, "lag.png")


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
            colour = _colour(record["stack"], record["action"])
            name = f"{record['stack']} {record['action']}"
            _cdf(axis, [s["ms"] for s in ok], f"{name}, from schedule", color=colour)
            _cdf(
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
        _plain(axis, x=True)
        axis.grid(True, which="both", alpha=0.3)
        axis.legend(fontsize=7)
    return _save(figure, directory, "open_loop.png")


def cost_chart(raw: dict, directory: Path) -> str | None:
    costs = raw.get("cost", {})
    memory, storage = costs.get("memory_idle"), costs.get("storage_seeded")
    if not memory or not storage:
        return None
    stacks = list(memory)
    figure, (left, right) = plt.subplots(1, 2, figsize=(11, 4))
    totals = {stack: memory_totals(memory[stack]) for stack in stacks}
    positions = range(len(stacks))
    left.bar([p - 0.2 for p in positions], [totals[s]["rss_mb"] for s in stacks], 0.4, label="RSS")
    left.bar([p + 0.2 for p in positions], [totals[s]["pss_mb"] for s in stacks], 0.4, label="PSS")
    left.set_xticks(list(positions), [f"{s}\n{totals[s]['processes']} processes" for s in stacks])
    left.set(ylabel="MiB", title="Memory of the whole stack (idle, after warm-up)")
    left.legend()
    sizes = storage_totals(storage)
    right.bar(
        [p - 0.2 for p in positions],
        [sizes[s]["data"] / 1024 for s in stacks],
        0.4,
        label="data (tables + indexes)",
    )
    right.bar(
        [p + 0.2 for p in positions],
        [sizes[s]["disk"] / 1024 for s in stacks],
        0.4,
        label="on disk",
    )
    right.set_xticks(list(positions), stacks)
    right.set(ylabel="KiB", title="Storage after the same seed data")
    right.legend()
    return _save(figure, directory, "cost.png")


def scaling_chart(raw: dict, directory: Path) -> str | None:
    rows = scaling_rows(raw.get("scaling", []))
    if not rows:
        return None
    figure, axis = plt.subplots(figsize=(10, 4))
    labels = [row["label"].replace("; ", "\n", 1) for row in rows]
    axis.barh(labels, [row["final_per_s"] or 0 for row in rows], color="#d62728")
    for index, row in enumerate(rows):
        lag = row["lag_p50"]
        text = f" lag p50 {lag:.0f} ms" if lag is not None else ""
        axis.text((row["final_per_s"] or 0), index, text, va="center", fontsize=8)
    axis.set(
        xlabel="comments reaching their final status in query, per second",
        title="Scaling the comment pipeline with workers",
    )
    axis.invert_yaxis()
    axis.tick_params(axis="y", labelsize=8)
    return _save(figure, directory, "scaling.png")


CHARTS = {
    "latency": (latency_chart, "Latency p50 (solid) and p99 (dashed) by concurrency"),
    "throughput": (throughput_chart, "Successful requests per second by concurrency"),
    "open_loop": (open_loop_chart, "Fixed arrival rate: latency from the scheduled send time"),
    "lag": (lag_chart, "Consistency lag on micro: P(a read sees the final status after t)"),
    "cost": (cost_chart, "Memory and storage"),
    "scaling": (scaling_chart, "Scaling the comment pipeline"),
}


def draw_all(raw: dict, directory: Path) -> dict[str, tuple[str, str]]:
    """Draw every chart there is data for; name -> (file name, caption)."""
    drawn = {}
    for name, (draw, caption) in CHARTS.items():
        filename = draw(raw, directory)
        if filename:
            drawn[name] = (filename, caption)
    return drawn
