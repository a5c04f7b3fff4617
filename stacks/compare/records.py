"""A run's raw records (what raw.json keeps) and the progress line printed for each."""

from __future__ import annotations

from collections import Counter

from stacks.compare.stats import latency_summary
from stacks.compare.summary import closed_loop_rows, lag_figures
from stacks.compare.workload import Action

ROUND = 3  # decimals kept for milliseconds in raw.json (microseconds)


def run_record(action: Action, concurrency, repetition, duration, result, cpu, drained) -> dict:
    samples = result["samples"]
    ok = [sample["ms"] for sample in samples if sample["outcome"] == "ok"]
    errors = Counter(sample["outcome"] for sample in samples if sample["outcome"] != "ok")
    return {
        "stack": action.stack,
        "action": action.label,
        "group": action.group,
        "concurrency": concurrency,
        "repetition": repetition,
        "duration_s": duration,
        "elapsed_s": result["elapsed_s"],
        "ok": len(ok),
        "errors": dict(errors),
        "resets": result.get("resets", 0),
        "latencies_ms": [round(ms, ROUND) for ms in ok],
        "client_cpu_s": result["client_cpu_s"],
        "generator_processes": result["generator_processes"],
        "server_cpu_s": cpu,
        "drain_s": drained,
    }


def tracing_ab_record(record: dict, traced: bool) -> dict:
    """One run of the tracing A/B: a closed-loop record, marked traced or not."""
    return {**record, "traced": traced}


def open_loop_record(action: Action, rate, duration, result) -> dict:
    keep = ("ms", "late_ms", "service_ms", "outcome")
    return {
        "stack": action.stack,
        "action": action.label,
        "group": action.group,
        "rate": rate,
        "duration_s": duration,
        "elapsed_s": result["elapsed_s"],
        "client_cpu_s": result["client_cpu_s"],
        "resets": result.get("resets", 0),
        "samples": [
            {k: (round(v, ROUND) if isinstance(v, float) else v) for k, v in s.items() if k in keep}
            for s in result["samples"]
        ],
    }


def ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f} ms"


def progress(record: dict) -> str:
    summary = closed_loop_rows([record])[0]
    errors = sum(record["errors"].values())
    return (
        f"rep {record['repetition']} c={record['concurrency']:<2} {record['stack']:<8} "
        f"{record['action']:<22} {record['ok']:>5} ok {errors:>3} err  "
        f"p50 {ms(summary['p50'])}  p99 {ms(summary['p99'])}  "
        f"{summary['throughput'] or 0:.1f}/s"
    )


def open_loop_progress(record: dict) -> str:
    ok = [s["ms"] for s in record["samples"] if s["outcome"] == "ok"]
    summary = latency_summary(ok)
    return (
        f"{record['stack']:<8} {record['action']:<16} {len(ok)}/{len(record['samples'])} ok  "
        f"p50 {ms(summary['p50'])}  p99 {ms(summary['p99'])} (from the scheduled time)"
    )


def scaling_progress(record: dict) -> str:
    figures = lag_figures(record["lags_ms"], record["missing"])
    final = record["final_per_s"] or 0
    return (
        f"{record['label']}: {record['posted']} comments, {final:.1f} final/s, "
        f"lag p50 {ms(figures['p50'])} p99 {ms(figures['p99'])}, {record['missing']} missing"
    )
