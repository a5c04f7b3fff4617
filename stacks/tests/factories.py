"""Records in raw.json's shape, for building made-up runs in the tests."""

from __future__ import annotations


def closed_run(stack, action, concurrency, latencies, *, group=None, errors=None, repetition=1):
    return {
        "stack": stack,
        "action": action,
        "group": group or action,
        "concurrency": concurrency,
        "repetition": repetition,
        "duration_s": 1.0,
        "elapsed_s": 1.0,
        "ok": len(latencies),
        "errors": errors or {},
        "latencies_ms": latencies,
        "client_cpu_s": 0.1,
        "generator_processes": 1,
        "server_cpu_s": {f"{'monolith' if stack == 'monolith' else 'query'}-web": 0.02},
        "drain_s": 0.0 if stack == "monolith" else 1.0,
    }


def scaling_record(label, workers, delay, final_per_s, cpu):
    return {
        "label": label,
        "comments_workers": workers.get("comments", 1),
        "moderation_workers": workers.get("moderation", 1),
        "eventbus_workers": workers.get("eventbus", 1),
        "moderation_delay_ms": delay,
        "offered": 40,
        "posted": 40,
        "post_errors": 0,
        "post_latencies_ms": [10.0, 12.0],
        "lags_ms": [100.0, 200.0, 300.0],
        "missing": 0,
        "pipeline_seconds": 4.0,
        "final_per_s": final_per_s,
        "server_cpu_s": cpu,
    }
