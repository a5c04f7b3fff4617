"""Scaling micro's comment pipeline: one or two Celery workers for `comments` and `moderation`.

The launcher runs one worker per service; a scaling run adds the extra ones (Stack.add_worker:
the launcher's command and environment, another --hostname) and removes them afterwards.
Each run posts a burst of comments faster than the pipeline can finish them, then measures
how many per second reach their final status in query: the pipeline's capacity.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from stacks.compare import cost, lag, loadgen, records
from stacks.compare.charts import plt, save
from stacks.compare.document import Section, Table
from stacks.compare.formats import NOT_MEASURED, image, ms, per_s
from stacks.compare.phase import Charts, Context, Phase
from stacks.compare.record import RunRecord
from stacks.compare.summary import scaling_rows
from stacks.launcher import Stack

BURST_RATE = 100.0  # comments per second offered: well above what the pipeline finishes
SLOW_MODERATION_MS = 200


@dataclasses.dataclass(frozen=True)
class ScalingConfig:
    label: str
    workers: dict[str, int]  # service -> worker processes (the launcher's one included)
    moderation_delay_ms: int
    comments: int  # the burst

    def count(self, service: str) -> int:
        return self.workers.get(service, 1)


def default_configs(*, quick: bool) -> list[ScalingConfig]:
    """Moderation slowed first (it waits rather than computes, as a call to a remote model
    would): one worker finishes at most 1000/delay comments a second, which is below what
    the rest of the pipeline manages, so moderation is the bottleneck. Then full speed,
    where the work is CPU and every worker shares the same cores."""
    slow, burst = SLOW_MODERATION_MS, (12 if quick else 40)
    slowed = [
        ScalingConfig(f"moderation +{slow} ms; 1 comments, 1 moderation", {}, slow, burst),
        ScalingConfig(
            f"moderation +{slow} ms; 1 comments, 2 moderation", {"moderation": 2}, slow, burst
        ),
        ScalingConfig(
            f"moderation +{slow} ms; 2 comments, 2 moderation",
            {"comments": 2, "moderation": 2},
            slow,
            burst,
        ),
    ]
    full = [
        ScalingConfig("full speed; 1 comments, 1 moderation", {}, 0, 60),
        ScalingConfig(
            "full speed; 2 comments, 2 moderation", {"comments": 2, "moderation": 2}, 0, 60
        ),
        ScalingConfig("full speed; 1 comments, 1 moderation, 2 eventbus", {"eventbus": 2}, 0, 60),
    ]
    return slowed[:2] if quick else slowed + full


def start_extra_workers(stack: Stack, config: ScalingConfig) -> list[str]:
    """The config's extra workers, all started at once; returns their process names."""
    names = [
        stack.add_worker(service, start=False)
        for service, count in config.workers.items()
        for _ in range(2, count + 1)
    ]
    try:
        stack.start_processes(names)
    except BaseException:
        for name in names:
            stack.remove_worker(name)
        raise
    return names


def run_scaling(micro: Stack, config: ScalingConfig, *, post_ids, processes) -> dict:
    """Post a burst of comments to micro with these workers; how fast they all reach query."""
    extra = start_extra_workers(micro, config)  # counted with the stack's own processes
    try:
        micro.slow_moderation(config.moderation_delay_ms)
        cost.wait_drained(micro)
        follower = lag.TraceFollower(micro.trace_dir)
        cpu_before = cost.cpu_snapshot(micro)
        result = loadgen.run_open_loop(
            loadgen.Workload("micro", micro.urls, "add comment", post_ids=tuple(post_ids)),
            rate=BURST_RATE,
            duration=config.comments / BURST_RATE,
            processes=processes,
        )
        lags = lag.collect_lags(follower, result["samples"])
        cost.wait_drained(micro)
        cpu = cost.cpu_used(cpu_before, cost.cpu_snapshot(micro))
    finally:
        micro.clear_faults()
        for name in extra:
            micro.remove_worker(name)
    return scaling_record(config, result, lags, cpu)


def scaling_record(config: ScalingConfig, result: dict, lags: dict, cpu: dict) -> dict:
    samples = result["samples"]
    posted = [sample for sample in samples if sample["outcome"] == "ok"]
    finished = lags["last_visible_at"]
    seconds = (finished - result["started_at"]) if finished else None
    return {
        "label": config.label,
        "comments_workers": config.count("comments"),
        "moderation_workers": config.count("moderation"),
        "eventbus_workers": config.count("eventbus"),
        "moderation_delay_ms": config.moderation_delay_ms,
        "offered": len(samples),
        "posted": len(posted),
        "post_errors": len(samples) - len(posted),
        "post_latencies_ms": [round(sample["service_ms"], 3) for sample in posted],
        "lags_ms": lags["lags_ms"],
        "missing": lags["missing"],
        "pipeline_seconds": seconds,
        "final_per_s": (len(lags["lags_ms"]) / seconds) if seconds else None,
        "server_cpu_s": cpu,
    }


class Scaling(Phase):
    name = "scaling"

    def plan(self, options) -> str | None:
        return "skipped (--quick)" if options.quick else None

    def run(self, context: Context) -> None:
        context.say("scaling micro's comment pipeline: 1 and 2 workers for comments and moderation")
        for config in default_configs(quick=context.options.quick):
            record = run_scaling(
                context.micro, config, post_ids=context.post_ids["micro"], processes=1
            )
            context.record.scaling.append(record)
            context.say(f"    {records.scaling_progress(record)}")

    def sections(self, record: RunRecord, charts: Charts) -> list[Section]:
        return [section(record.as_mapping(), charts)]

    def charts(self, record: RunRecord, out: Path) -> Charts:
        drawn = scaling_chart(record.as_mapping(), out)
        return {"scaling": (drawn, "Scaling the comment pipeline")} if drawn else {}


def section(raw: dict, charts: dict) -> Section:
    rows = []
    for row in scaling_rows(raw.get("scaling", [])):
        busiest = row["busiest_worker"]
        cpu_s = row["worker_cpu_s"].get(busiest, 0) if busiest else 0
        rows.append(
            [
                row["label"],
                row["offered"],
                row["posted"],
                ms(row["post_p50"]),
                per_s(row["final_per_s"]),
                ms(row["lag_p50"]),
                ms(row["lag_p99"]),
                row["missing"],
                row["post_errors"],
                f"{busiest} ({cpu_s:.1f} s)",
            ]
        )
    headers = [
        "workers",
        "comments sent",
        "accepted",
        "POST p50 ms",
        "final/s",
        "lag p50 ms",
        "lag p99 ms",
        "never final",
        "POST errors",
        "busiest worker (CPU)",
    ]
    return Section(
        "Scaling: 1 and 2 workers for comments and moderation",
        [
            "Each run starts the extra Celery workers beside the launcher's, posts a burst of "
            "comments (offered at 100/s, more than the pipeline finishes), and measures "
            "'final/s': comments that reached their final status in query per second, from the "
            "first POST to the last final status. First with moderation slowed by a fixed "
            "delay (waiting, not computing: a second moderation worker can overlap the waits); "
            "then at full speed, where every worker needs CPU from the same cores. The busiest "
            "worker is the one that used the most CPU in the run.",
            Table(headers, rows) if rows else NOT_MEASURED,
            *image(charts, "scaling"),
        ],
    )


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
    return save(figure, directory, "scaling.png")
