"""Fixtures for the benchmark's unit tests: a small, made-up raw dataset in raw.json's shape."""

from __future__ import annotations

import pytest

from stacks.tests.factories import closed_run, scaling_record


@pytest.fixture
def raw() -> dict:
    """A whole run, tiny: every section has something to show."""
    storage = {
        "monolith": {"monolith": {"data": 100_000, "disk": 120_000}},
        "micro": {
            name: {"data": 80_000, "disk": 90_000}
            for name in ("posts", "comments", "query", "eventbus")
        },
    }
    memory = {
        "monolith": {"monolith-web": {"processes": 2, "rss_mb": 90.0, "pss_mb": 70.0}},
        "micro": {
            "query-web": {"processes": 2, "rss_mb": 90.0, "pss_mb": 70.0},
            "redis": {"processes": 1, "rss_mb": 10.0, "pss_mb": 10.0},
        },
    }
    return {
        "meta": {
            "command": "python manage.py compare --quick",
            "machine": {
                "date": "2026-01-01 00:00 UTC",
                "nproc": 2,
                "cpu": "Test CPU",
                "memory_gib": 4.0,
                "os": "Linux",
                "python": "3.11.7",
                "python_executable": "python",
                "git_commit": "abc123",
            },
            "options": {
                "posts": 50,
                "comments_per_post": 10,
                "levels": [1, 8],
                "duration": 1.0,
                "repetitions": 1,
            },
            "database": "sqlite",
            "started_at": "2026-01-01T00:00:00Z",
            "finished_at": "2026-01-01T00:01:00Z",
            "duration_s": 60.0,
            "other_load": 0.02,
        },
        "runs": [
            closed_run("monolith", "list", 1, [3.0, 3.5, 4.5], group="list"),
            closed_run("micro", "list via query", 1, [5.0, 6.0, 7.0], group="list"),
            closed_run("monolith", "list", 8, [10.0, 11.0], group="list"),
            closed_run("micro", "list via query", 8, [12.0, 13.0], group="list", errors={"503": 1}),
            closed_run("micro", "add comment", 1, [4.0, 4.5, 5.5]),
            closed_run("micro", "create post", 1, [2.0, 2.5, 3.0]),
            closed_run("monolith", "add comment", 1, [2.0, 2.5]),
        ],
        "open_loop": [
            {
                "stack": "monolith",
                "action": "list",
                "group": "list",
                "rate": 10.0,
                "duration_s": 1.0,
                "elapsed_s": 1.1,
                "client_cpu_s": 0.01,
                "samples": [
                    {"ms": 5.0, "late_ms": 0.0, "service_ms": 5.0, "outcome": "ok"},
                    {"ms": 9.0, "late_ms": 3.0, "service_ms": 6.0, "outcome": "ok"},
                    {"ms": None, "outcome": "not sent"},
                ],
            },
        ],
        "pairs": [
            {
                "stack": "micro",
                "clients": 16,
                "duration_s": 2.0,
                "elapsed_s": 2.0,
                "pairs_ok": 440,
                "errors": {},
                "pairs_per_s": 220.0,
                "latencies_ms": [60.0, 70.0],
                "client_cpu_s": 0.4,
                "server_cpu_s": {"posts-web": 2.0, "eventbus-worker": 4.0, "redis": 0.6},
                "drain_s": 0.5,
                "check": {
                    "expected": 440,
                    "present_once": 440,
                    "lost": 0,
                    "doubled": 0,
                    "not_final": 0,
                    "seconds": 1.0,
                },
            },
            {
                "stack": "micro",
                "clients": 50,
                "duration_s": 2.0,
                "elapsed_s": 2.0,
                "pairs_ok": 320,
                "errors": {},
                "pairs_per_s": 160.0,
                "latencies_ms": [100.0, 120.0],
                "client_cpu_s": 0.5,
                "check": {
                    "expected": 320,
                    "present_once": 320,
                    "lost": 0,
                    "doubled": 0,
                    "not_final": 0,
                    "seconds": 1.5,
                },
            },
        ],
        "lag": {
            "idle": {"lags_ms": [10.0, 15.0, 18.0, 90.0], "missing": 0},
            "under_load": {"lags_ms": [500.0, 900.0], "missing": 1},
            "validation": {
                "checks": [],
                "checked": 3,
                "within_bounds": 3,
                "median_bound_width_ms": 4.0,
            },
        },
        "cost": {
            "memory_idle": memory,
            "memory_after_load": memory,
            "storage_seeded": storage,
            "storage_end": storage,
            "redis": {"used_memory": 1_000_000, "data_files": 2_000_000},
            "idle_cpu": {
                "seconds": 10.0,
                "cpu_s": {
                    "monolith": {"monolith-web": 0.0},
                    "micro": {"eventbus-worker": 0.05, "query-web": 0.03},
                },
            },
        },
        "scaling": [
            scaling_record("slow, 1", {}, 200, 5.0, {"moderation-worker": 1.0}),
            scaling_record("slow, 2", {"moderation": 2}, 200, 9.5, {"moderation-worker": 1.0}),
            scaling_record("full, 1", {}, 0, 10.0, {"eventbus-worker": 3.0, "query-worker": 1.0}),
            scaling_record("full, eventbus 2", {"eventbus": 2}, 0, 11.0, {"eventbus-worker": 2.0}),
        ],
        "loadgen_check": [],
        "floor": {
            "health": {
                "monolith": {
                    "monolith": {"p50_ms": 0.5, "requests_p50_ms": 2.0, "raw_p50_ms": 0.3}
                },
                "micro": {
                    "posts": {"p50_ms": 0.55, "requests_p50_ms": 2.1, "raw_p50_ms": 0.35},
                    "query": {"p50_ms": 0.7, "raw_p50_ms": 0.45},
                },
            },
            "list": {
                "micro": {
                    "service": "query",
                    "list": {"p50_ms": 0.9, "requests_p50_ms": 3.0, "raw_p50_ms": 0.6},
                    "wsgi_floor": {"bytes": 40_000, "p50_ms": 0.5, "raw_p50_ms": 0.3},
                },
            },
        },
        "tracing_ab": [
            {**closed_run("micro", "list via query", 1, [1.0, 1.02]), "traced": True},
            {**closed_run("micro", "list via query", 1, [1.0, 1.0]), "traced": False},
            {**closed_run("micro", "list via query", 1, [1.04, 1.04]), "traced": True},
            {**closed_run("micro", "list via query", 1, [1.0, 1.0]), "traced": False},
        ],
        "probes": {
            "http_floor": {
                "monolith": {"service": "monolith", "p50_ms": 2.0},
                "micro": {"service": "query", "p50_ms": 2.5},
            },
            "sql_per_list": {"monolith": {"1": 2, "50": 2}, "micro": {"1": 2, "50": 2}},
            "read_fanout": {
                "monolith": {
                    "query": {
                        "status": "200",
                        "client_requests": 1,
                        "internal_calls": 0,
                        "requests_served": 1,
                        "sql_queries": 2,
                    }
                },
                "micro": {
                    "query": {
                        "status": "200",
                        "client_requests": 1,
                        "internal_calls": 0,
                        "requests_served": 1,
                        "sql_queries": 2,
                    },
                    "aggregator": {
                        "status": "200",
                        "client_requests": 1,
                        "internal_calls": 51,
                        "requests_served": 52,
                        "sql_queries": 52,
                    },
                    "naive": {
                        "status": "200",
                        "client_requests": 51,
                        "internal_calls": 0,
                        "requests_served": 51,
                        "sql_queries": 51,
                    },
                },
            },
            "slow_comments": {
                "delay_ms": 20,
                "posts": 10,
                "base_ms": {"aggregator": 60.0, "query": 5.0},
                "slowed_ms": {"aggregator": 270.0, "query": 5.5},
            },
            "writers_down": {
                "outcomes": {"query": "200", "aggregator": "503", "naive": "refused"},
                "seconds": {},
                "query_unchanged": True,
                "posts_listed": 50,
                "comments_listed": 500,
                "comment_outcome": "refused",
            },
            "moderation_down": {
                "outcome": "201",
                "status_answered": "pending",
                "final_status": "approved",
                "seconds_after_restart": 0.4,
            },
        },
        "request_counts": [
            {
                "action": "list (10 posts)",
                "stack": "monolith",
                "strategy": "query",
                "status": "200",
                "client_requests": 1,
                "internal_calls": 0,
                "messages": 0,
                "sql_queries": 2,
                "services": "monolith 1",
            },
        ],
        "failure_matrix": None,
        "notes": {"failure_matrix": "skipped (--quick)"},
    }
