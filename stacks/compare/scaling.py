"""Scaling micro's comment pipeline: one or two Celery workers for `comments` and `moderation`.

The launcher runs one worker per service; a scaling run adds the extra ones (Stack.add_worker:
the launcher's command and environment, another --hostname) and removes them afterwards.
Each run posts a burst of comments faster than the pipeline can finish them, then measures
how many per second reach their final status in query: the pipeline's capacity.
"""

from __future__ import annotations

import dataclasses

from stacks.compare import cost, lag, loadgen
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
