"""Figures derived from the raw samples of a run: the numbers the tables, charts and claims use."""

from __future__ import annotations

from collections import defaultdict

from stacks.compare.stats import (
    curve_points,
    latency_summary,
    median,
    probability_curve,
    probability_within,
    rate,
)

LAG_MARKS_MS = (10, 20, 50, 100, 250, 1000)


def _grouped(runs: list[dict], *keys: str) -> dict[tuple, list[dict]]:
    groups: dict[tuple, list[dict]] = defaultdict(list)
    for run in runs:
        groups[tuple(run[key] for key in keys)].append(run)
    return groups


def closed_loop_rows(runs: list[dict]) -> list[dict]:
    """Per (stack, action, concurrency): percentiles of all repetitions' samples together,
    successful requests per second, errors, and each repetition's own p50 (its spread)."""
    rows = []
    for (stack, action, concurrency), group in _grouped(
        runs, "stack", "action", "concurrency"
    ).items():
        latencies = [ms for run in group for ms in run["latencies_ms"]]
        ok = sum(run["ok"] for run in group)
        rows.append(
            {
                "stack": stack,
                "action": action,
                "group": group[0]["group"],
                "concurrency": concurrency,
                **latency_summary(latencies),
                "errors": sum(sum(run["errors"].values()) for run in group),
                # Connections that dropped with a request in flight (each is also an error).
                "resets": sum(run.get("resets", 0) for run in group),
                "throughput": rate(ok, sum(run["elapsed_s"] for run in group)),
                # Including the time micro took to finish the asynchronous work afterwards.
                "sustained": rate(
                    ok, sum(run["elapsed_s"] + run.get("drain_s", 0) for run in group)
                ),
                "repetition_p50s": [latency_summary(run["latencies_ms"])["p50"] for run in group],
                "generator_cpu_share": _generator_share(group),
            }
        )
    return rows


def _generator_share(group: list[dict]) -> float | None:
    """How busy each generator process was: CPU seconds / (processes x seconds)."""
    busy = sum(run["client_cpu_s"] for run in group)
    capacity = sum(run["generator_processes"] * run["elapsed_s"] for run in group)
    return busy / capacity if capacity else None


def find_row(rows: list[dict], stack: str, action: str, concurrency: int) -> dict | None:
    for row in rows:
        if (row["stack"], row["action"], row["concurrency"]) == (stack, action, concurrency):
            return row
    return None


def cpu_per_action(runs: list[dict]) -> list[dict]:
    """CPU milliseconds per successful action, per process of the stack (and the generator),
    over all closed-loop runs of an action at one concurrency. Micro's asynchronous work is
    included: each run's CPU is read after its messages were all consumed."""
    rows = []
    for (stack, action, concurrency), group in _grouped(
        runs, "stack", "action", "concurrency"
    ).items():
        ok = sum(run["ok"] for run in group)
        if not ok:
            continue
        per_process: dict[str, float] = defaultdict(float)
        for run in group:
            for name, seconds in run["server_cpu_s"].items():
                per_process[name] += seconds
        rows.append(
            {
                "stack": stack,
                "action": action,
                "concurrency": concurrency,
                "actions": ok,
                "ms_per_action": {name: s * 1000 / ok for name, s in sorted(per_process.items())},
                "server_ms_per_action": sum(per_process.values()) * 1000 / ok,
                "client_ms_per_action": sum(run["client_cpu_s"] for run in group) * 1000 / ok,
            }
        )
    return rows


def cpu_at_fewest_clients(runs: list[dict], stack: str, action: str) -> dict | None:
    """The CPU row of an action at its lowest concurrency (where threads contend least)."""
    rows = [r for r in cpu_per_action(runs) if (r["stack"], r["action"]) == (stack, action)]
    return min(rows, key=lambda row: row["concurrency"]) if rows else None


def lag_figures(lags_ms: list[float], missing: int = 0) -> dict:
    """p50 / p99 of lags, and P(lag <= t) at a few marks."""
    summary = latency_summary(lags_ms)
    return {
        "n": summary["n"],
        "missing": missing,
        "p50": summary["p50"],
        "p95": summary["p95"],
        "p99": summary["p99"],
        "max": summary["max"],
        "within": {str(mark): probability_within(lags_ms, mark) for mark in LAG_MARKS_MS},
        # "The probability a read sees the final status t ms after the POST": (t, P) pairs.
        "curve": probability_curve(lags_ms, curve_points(lags_ms)),
    }


def open_loop_rows(records: list[dict]) -> list[dict]:
    rows = []
    for record in records:
        ok = [s for s in record["samples"] if s["outcome"] == "ok"]
        rows.append(
            {
                "stack": record["stack"],
                "action": record["action"],
                "rate": record["rate"],
                "scheduled": len(record["samples"]),
                "errors": len(record["samples"]) - len(ok),
                "resets": record.get("resets", 0),
                "latency": latency_summary([s["ms"] for s in ok]),
                "service": latency_summary([s["service_ms"] for s in ok]),
                "late_p99_ms": latency_summary([s["late_ms"] for s in ok])["p99"],
                "achieved": rate(len(ok), record["elapsed_s"]),
            }
        )
    return rows


def pair_cpu_ms(record: dict) -> float | None:
    """CPU milliseconds of every process of the stack per post + comment pair, from the first
    write until its asynchronous work was drained (runs from before this was read: None)."""
    if "server_cpu_s" not in record or not record["pairs_ok"]:
        return None
    return sum(record["server_cpu_s"].values()) * 1000 / record["pairs_ok"]


def idle_cpu_percent(costs: dict) -> dict[str, dict[str, float]]:
    """stack -> process -> percent of one core used at rest (an empty dict: not measured)."""
    idle = costs.get("idle_cpu")
    if not idle:
        return {}
    return {
        stack: {name: 100 * cpu / idle["seconds"] for name, cpu in sorted(used.items())}
        for stack, used in idle["cpu_s"].items()
    }


def memory_totals(snapshot: dict[str, dict]) -> dict:
    """A stack's memory snapshot added up: processes, RSS and PSS (MiB)."""
    return {
        "processes": sum(p["processes"] for p in snapshot.values()),
        "rss_mb": sum(p["rss_mb"] for p in snapshot.values()),
        "pss_mb": sum(p["pss_mb"] for p in snapshot.values()),
    }


def scaling_rows(records: list[dict]) -> list[dict]:
    rows = []
    for record in records:
        lags = lag_figures(record["lags_ms"], record["missing"])
        workers = {k: v for k, v in record["server_cpu_s"].items() if "-worker" in k}
        busiest = max(workers, key=workers.__getitem__) if workers else None
        rows.append(
            {
                "label": record["label"],
                "workers": {
                    service: record[f"{service}_workers"]
                    for service in ("comments", "moderation", "eventbus")
                },
                "moderation_delay_ms": record["moderation_delay_ms"],
                "offered": record["offered"],
                "posted": record["posted"],
                "final_per_s": record["final_per_s"],
                "lag_p50": lags["p50"],
                "lag_p99": lags["p99"],
                "missing": record["missing"],
                "post_errors": record["post_errors"],
                "post_p50": median(record["post_latencies_ms"]),
                "busiest_worker": busiest,
                "worker_cpu_s": workers,
            }
        )
    return rows


# What a table holds, by the app that owns it (its name's prefix; the first match counts).
# The blog's own data exists once per stack; copies, the event store and bookkeeping are
# what micro's duplication costs; Django's own tables are the price of one database each.
BLOG_DATA, COPIES, EVENT_STORE, BOOKKEEPING, DJANGO_OWN = (
    "the blog's data",
    "copies (read model, known posts)",
    "event store",
    "bookkeeping (outbox, inbox, dead letters)",
    "Django's own (auth, admin, sessions, migrations)",
)
STORAGE_KINDS = (BLOG_DATA, COPIES, EVENT_STORE, BOOKKEEPING, DJANGO_OWN)
_KIND_BY_PREFIX = (
    ("comments_knownpost", COPIES),
    ("query_", COPIES),
    ("posts_", BLOG_DATA),
    ("comments_", BLOG_DATA),
    ("blog_", BLOG_DATA),
    ("eventbus_", EVENT_STORE),
    ("messaging_", BOOKKEEPING),
)


def storage_kind(table: str) -> str:
    """Which of STORAGE_KINDS a table is (anything no app of the blog owns is Django's)."""
    return next((kind for prefix, kind in _KIND_BY_PREFIX if table.startswith(prefix)), DJANGO_OWN)


def storage_by_kind(storage: dict[str, dict[str, dict]]) -> dict[str, dict[str, int]]:
    """Per stack: bytes of each of STORAGE_KINDS over all its databases (from each
    database's "tables"; a run recorded before tables were measured gives {})."""
    result: dict[str, dict[str, int]] = {}
    for stack, databases in storage.items():
        if not all("tables" in database for database in databases.values()):
            continue
        kinds = dict.fromkeys(STORAGE_KINDS, 0)
        for database in databases.values():
            for table, size in database["tables"].items():
                kinds[storage_kind(table)] += int(size)
        result[stack] = kinds
    return result


def storage_totals(storage: dict[str, dict[str, dict]]) -> dict[str, dict]:
    """Per stack: bytes of data and on disk over all its databases, and how many databases."""
    return {
        stack: {
            "data": sum(database["data"] for database in databases.values()),
            "disk": sum(database["disk"] for database in databases.values()),
            "databases": len(databases),
        }
        for stack, databases in storage.items()
    }
