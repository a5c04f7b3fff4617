"""The report's parts that belong to no single phase: the run, the targets, the figures
several phases measure together (consistency lag, cost, CPU per action), the claims and
the closing note. Pure functions of a run's record, like every phase's sections.
"""

from __future__ import annotations

from pathlib import Path

from stacks.compare import claims as judged
from stacks.compare.charts import cdf, plain, plt, save
from stacks.compare.document import Section, Table
from stacks.compare.formats import NOT_MEASURED, image, kib, ms, share, yes_no
from stacks.compare.machine import describe
from stacks.compare.phase import Charts, ReportPart
from stacks.compare.record import RunRecord
from stacks.compare.summary import (
    STORAGE_KINDS,
    closed_loop_rows,
    cpu_at_fewest_clients,
    cpu_per_action,
    find_row,
    idle_cpu_percent,
    lag_figures,
    memory_totals,
    storage_by_kind,
    storage_totals,
)
from stacks.routes import PUBLIC_ROUTES

OTHER_LOAD_WARNING = 0.05  # other processes' share of the CPU above which the report warns
CPU_BOUND = 0.6  # stack CPU per request over p50 latency above which a request is "computing"


# -- the header --------------------------------------------------------------------------------
def header(raw: dict) -> Section:
    meta, options = raw["meta"], raw["meta"]["options"]
    levels = ", ".join(str(level) for level in options["levels"])
    return Section(
        "Run",
        [
            f"Machine: {describe(meta['machine'])}.",
            f"Command: `{meta['command']}`",
            f"Started {meta['started_at']}, took {meta.get('duration_s', 0):.0f} s. "
            f"Databases: {meta['database']}.",
            f"Workload: {options['posts']} posts x {options['comments_per_post']} comments "
            f"seeded on each stack through the public API; closed loop at {levels} concurrent "
            f"clients, {options['duration']:g} s per run, {options['repetitions']} repetition(s), "
            "the stacks interleaved (monolith, micro) within each repetition and concurrency. "
            "Percentiles come from every raw sample (no buckets); errors are counted apart and "
            "never mixed into latencies.",
            "Both stacks run on this one machine with the load generator: every figure is a "
            "relation between two stacks under the same conditions, not a capacity number for "
            "other hardware.",
            _other_load(meta.get("other_load")),
            *(
                [f"The run stopped early ({meta['aborted']}); what it measured before is below."]
                if meta.get("aborted")
                else []
            ),
        ],
    )


def _other_load(share: float | None) -> str:
    if share is None:
        return "Other processes' CPU use during the run: not measured."
    text = (
        f"Other processes (not this run's stacks, Redis or generator) used {share * 100:.0f}% "
        "of the machine's CPU during the run."
    )
    if share > OTHER_LOAD_WARNING:
        text += " That is enough to disturb the figures: run again on a quiet machine."
    return text


# -- targets and claims ------------------------------------------------------------------------
def targets(raw: dict) -> Section:
    rows = [[t["target"], t["measured"], yes_no(t["met"])] for t in judged.targets(raw)]
    return Section(
        "Targets",
        [
            "Medians from this run. Where a target is missed, the CPU table below shows where "
            "the time goes and the closing note says what limits it.",
            Table(["target", "measured", "met"], rows),
        ],
    )


def claims(raw: dict) -> Section:
    rows = [[c["claim"], c["checked_by"], c["measured"], c["verdict"]] for c in judged.claims(raw)]
    return Section(
        "The course's claims",
        [Table(["claim", "checked by", "measured in this run", "verdict"], rows)],
    )


# -- consistency lag ---------------------------------------------------------------------------
LAG_RUNS = (
    ("idle", "at idle (one comment at a time)"),
    ("steady", "steady rate (open loop)"),
    ("under_load", "under load (pairs, {clients} clients)"),
)


def consistency_lag(raw: dict, charts: dict) -> Section:
    lags = raw.get("lag", {})
    rows = []
    for key, name in LAG_RUNS:
        if not lags.get(key):
            continue
        figures = lag_figures(lags[key]["lags_ms"], lags[key]["missing"])
        rows.append(
            [
                name.format(clients=lags[key].get("clients", 50)),
                figures["n"],
                figures["missing"],
                ms(figures["p50"]),
                ms(figures["p95"]),
                ms(figures["p99"]),
                ms(figures["max"]),
                *(share(p) for p in figures["within"].values()),
            ]
        )
    marks = list(lag_figures([]).get("within", {}))
    headers = [
        "run",
        "comments",
        "never seen",
        "p50 ms",
        "p95 ms",
        "p99 ms",
        "max ms",
        *(f"P(<= {mark} ms)" for mark in marks),
    ]
    blocks = [
        "The time from a comment's POST returning (client clock) to its final status being "
        "readable in query: the query.handle_event task that applied the comment's last event "
        "writes a trace record with time.time() right after its transaction commits. The "
        "monolith has no lag: its POST answers with the final status. Caveat: when live "
        "delivery runs more than about 2 s late, query's catch-up loop (which reads the event "
        "store every 2 s, events older than 2 s) may apply the final status first; it writes "
        "no trace record, so such a lag is an upper bound. At idle this cannot happen.",
        Table(headers, rows) if rows else NOT_MEASURED,
    ]
    hops = (lags.get("idle") or {}).get("hops")
    if hops:
        comments = max(hop["comments"] for hop in hops)
        blocks += [
            f"Where the lag at idle goes: each record the comments' actions left, in the "
            f"order it began, with the median of when it began and ended (ms after the POST "
            f"returned; {comments} comments). The final status is the last "
            "query.handle_event; the event store's and query's first (pending) copies run "
            "beside the path to it, on the same cores.",
            Table(
                ["step", "comments", "began ms", "ended ms", "took ms"],
                [
                    [
                        hop["step"],
                        hop["comments"],
                        ms(hop["began_ms"]),
                        ms(hop["ended_ms"]),
                        ms(hop["ended_ms"] - hop["began_ms"]),
                    ]
                    for hop in hops
                ],
            ),
        ]
    validation = lags.get("validation")
    if validation:
        blocks.append(
            f"Method check: for {validation['checked']} comments, query was also polled every "
            f"~1 ms; {validation['within_bounds']} of the trace lags fall between the last "
            "poll that did not see the final status and the first that did (+-1 ms); the "
            f"median width of that window was {ms(validation['median_bound_width_ms'])} ms."
        )
    return Section("Consistency lag (micro)", blocks + image(charts, "lag"))


# -- cost --------------------------------------------------------------------------------------
def _idle_blocks(costs: dict) -> list:
    shares = idle_cpu_percent(costs)
    if not shares:
        return []
    seconds = costs["idle_cpu"]["seconds"]
    busiest = {stack: max(used, key=used.__getitem__) for stack, used in shares.items() if used}
    rows = [
        [
            stack,
            f"{sum(used.values()):.2f}",
            f"{busiest[stack]} {used[busiest[stack]]:.2f}" if stack in busiest else "-",
        ]
        for stack, used in shares.items()
    ]
    return [
        f"CPU at rest: every process of each stack over {seconds:g} s after the overload was "
        "drained and the stacks left alone for a few seconds (`manage.py idle_cpu` measures "
        "one stack the same way, per process).",
        Table(["stack", "% of a core", "busiest process, %"], rows),
    ]


def cost(raw: dict, charts: dict) -> Section:
    costs = raw.get("cost", {})
    blocks: list[str | Table] = [
        "Memory: every process of each stack with the processes it forked (gunicorn's "
        "workers), plus micro's Redis. RSS counts a page shared by a parent and its fork "
        "twice; PSS shares it out."
    ]
    memory_rows = []
    for moment, key in (("idle", "memory_idle"), ("after load", "memory_after_load")):
        for stack, snapshot in (costs.get(key) or {}).items():
            totals = memory_totals(snapshot)
            memory_rows.append(
                [
                    stack,
                    moment,
                    totals["processes"],
                    f"{totals['rss_mb']:.0f}",
                    f"{totals['pss_mb']:.0f}",
                ]
            )
    blocks.append(
        Table(["stack", "when", "processes", "RSS MiB", "PSS MiB"], memory_rows)
        if memory_rows
        else NOT_MEASURED
    )
    blocks += _idle_blocks(costs)
    blocks += _storage_blocks(costs)
    return Section("Cost: memory, processes, storage", blocks + image(charts, "cost"))


def _storage_blocks(costs: dict) -> list:
    rows = []
    for moment, key in (("after seeding", "storage_seeded"), ("at the end", "storage_end")):
        for stack, databases in (costs.get(key) or {}).items():
            for service, size in databases.items():
                rows.append([stack, service, moment, kib(size["data"]), kib(size["disk"])])
            total = storage_totals({stack: databases})[stack]
            rows.append(
                [stack, f"all {total['databases']}", moment, kib(total["data"]), kib(total["disk"])]
            )
    blocks = [
        "Storage per database: 'data' is what tables and indexes hold, 'disk' what the files "
        "(SQLite with its -wal and -shm) or the database (PostgreSQL) take. After seeding both "
        "stacks hold the same posts and comments: the difference is the price of micro's "
        "duplicated data (posts known to comments, the query read model, the event store, "
        "outboxes and inboxes) and of one database per service.",
        Table(["stack", "database", "when", "data KiB", "disk KiB"], rows)
        if rows
        else NOT_MEASURED,
    ]
    kind_rows = [
        [stack, moment, *(kib(kinds[kind]) for kind in STORAGE_KINDS)]
        for moment, key in (("after seeding", "storage_seeded"), ("at the end", "storage_end"))
        for stack, kinds in storage_by_kind(costs.get(key) or {}).items()
    ]
    if kind_rows:
        blocks += [
            "What those bytes are, over all of a stack's databases, by the app that owns each "
            "table with its indexes (stacks/compare/summary.py STORAGE_KINDS): the blog's "
            "data exists once on each stack; the copies, the event store and the bookkeeping "
            "are what micro's duplication costs; Django's own tables are the price of a "
            "database per service.",
            Table(["stack", "when", *(f"{kind} KiB" for kind in STORAGE_KINDS)], kind_rows),
        ]
    redis = costs.get("redis")
    if redis:
        blocks.append(
            f"micro's Redis: {kib(redis['used_memory'])} KiB in memory, "
            f"{kib(redis['data_files'])} KiB of append-only files."
        )
    return blocks


def cpu(raw: dict) -> Section:
    rows_by_level = cpu_per_action(raw["runs"])
    levels = sorted({row["concurrency"] for row in rows_by_level})
    rows = []
    for stack, action in dict.fromkeys((r["stack"], r["action"]) for r in rows_by_level):
        mine = {
            r["concurrency"]: r
            for r in rows_by_level
            if (r["stack"], r["action"]) == (stack, action)
        }
        fewest = mine[min(mine)]
        busiest = sorted(fewest["ms_per_action"].items(), key=lambda item: -item[1])
        breakdown = ", ".join(f"{name} {value:.2f}" for name, value in busiest if value >= 0.05)
        per_level = [
            f"{mine[level]['server_ms_per_action']:.2f}" if level in mine else "-"
            for level in levels
        ]
        rows.append([action, stack, *per_level, breakdown, f"{fewest['client_ms_per_action']:.2f}"])
    headers = [
        "action",
        "stack",
        *(f"stack CPU ms/action at c={level}" for level in levels),
        f"by process at c={levels[0] if levels else 1} (ms)",
        "generator CPU ms/action",
    ]
    return Section(
        "Where the time goes: CPU per action",
        [
            "CPU time (utime + stime from /proc/<pid>/stat, before and after each run, micro's "
            "queues drained first so its asynchronous work is included) divided by the "
            "successful actions. The same action costing more CPU at more clients is the price "
            "of contention: threads taking turns for a process's GIL, the cores switching "
            "between processes.",
            Table(headers, rows) if rows else NOT_MEASURED,
        ],
    )


# -- the closing note --------------------------------------------------------------------------
def _cpu_row(raw: dict, stack: str, action: str) -> dict | None:
    return cpu_at_fewest_clients(raw["runs"], stack, action)


def serving_process(stack: str, action: str) -> str:
    """The web process that answers an action's request (the route table's service)."""
    if stack == "monolith":
        return "monolith-web"
    if action == "list via aggregator":
        return "aggregator-web"
    operation = {"create post": "post_create", "add comment": "comment_create"}.get(
        action, "post_list"
    )
    return f"{PUBLIC_ROUTES[operation][stack]}-web"


def _where_time_goes(raw: dict, stack: str, action: str, target: str) -> str | None:
    row = find_row(closed_loop_rows(raw["runs"]), stack, action, 1)
    spent = _cpu_row(raw, stack, action)
    if not row or not spent or row["p50"] is None:
        return None
    serving = serving_process(stack, action)
    serving_ms = spent["ms_per_action"].get(serving, 0.0)
    kind = (
        "the request is computing in Python, not waiting"
        if serving_ms >= CPU_BOUND * row["p50"]
        else "the request mostly waits (database, network, other processes)"
    )
    line = (
        f"{stack} {action}: p50 {row['p50']:.1f} ms at 1 client (target {target}); "
        f"{serving} spent {serving_ms:.1f} ms of CPU per request at 1 client: {kind}."
    )
    rest = spent["server_ms_per_action"] - serving_ms
    if rest >= 1:
        others = sorted(
            ((n, v) for n, v in spent["ms_per_action"].items() if n != serving),
            key=lambda item: -item[1],
        )
        named = ", ".join(f"{name} {value:.1f}" for name, value in others[:3])
        line += f" The rest of the stack spent {rest:.1f} ms more per request ({named})."
    return line


LATENCY_TARGETS = (
    ("micro", "list via query", "0.52 ms"),
    ("monolith", "list", "2.0 ms"),
    ("micro", "add comment", "5 ms"),
)


def _pair_bound(raw: dict) -> str | None:
    post, comment = _cpu_row(raw, "micro", "create post"), _cpu_row(raw, "micro", "add comment")
    if not post or not comment:
        return None
    per_pair = post["server_ms_per_action"] + comment["server_ms_per_action"]
    cores = raw["meta"]["machine"]["nproc"]
    return (
        f"A post + comment pair costs micro {per_pair:.1f} ms of CPU in all (the two POSTs and "
        f"the messages they cause), so {cores} cores can finish at most about "
        f"{cores * 1000 / per_pair:.0f} pairs per second even if nothing else ran."
    )


def limits(raw: dict) -> Section:
    machine = raw["meta"]["machine"]
    missed = [t["target"] for t in judged.targets(raw) if t["met"] is False]
    notes = [
        f"This machine has {machine['nproc']} CPUs, shared by every process of both stacks, "
        "Redis and the load generator. Each web service is one gunicorn process with 8 "
        "threads; Python runs one thread of a process at a time (the GIL), so one service "
        "uses at most about one core however many clients wait.",
    ]
    http_floor = raw.get("probes", {}).get("http_floor")
    if http_floor:
        notes.append(
            "The floor: the emptiest request (GET /health/, one client, one at a time) takes "
            + " and ".join(
                f"{f['p50_ms']:.1f} ms on {stack} ({f['service']})"
                for stack, f in http_floor.items()
            )
            + " here, client and server together (through the load generator's own kept-alive "
            "http.client client, as every latency above); every latency above includes it."
        )
    if missed:
        notes.append("Targets missed: " + "; ".join(missed) + ".")
    for stack, action, target in LATENCY_TARGETS:
        line = _where_time_goes(raw, stack, action, target)
        if line:
            notes.append(line)
    bound = _pair_bound(raw)
    if bound:
        notes.append(bound)
    notes.append(
        "To see inside a process, profile it while it serves load: `py-spy top --pid <pid>` "
        "or `py-spy record -o profile.svg --pid <pid>` on the process the CPU table names "
        "(`manage.py launch` keeps a stack running; `ps -ef | grep micro.query` finds a pid)."
    )
    return Section("What limits these numbers", notes)


# -- charts ------------------------------------------------------------------------------------
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
        cdf(axis, [max(lag, 0.01) for lag in record["lags_ms"]], name)
    plain(axis, x=True)
    axis.set(
        xscale="log",
        xlabel="t: milliseconds after the comment POST returned",
        ylabel="P(lag <= t)",
        ylim=(0, 1.02),
        title="Probability a read of query sees the comment's final status after t",
    )
    axis.grid(True, which="both", alpha=0.3)
    axis.legend(fontsize=8)
    return save(figure, directory, "lag.png")


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
    return save(figure, directory, "cost.png")


# -- the parts, as the report lists them ---------------------------------------------------------
class Header(ReportPart):
    name, in_summary = "header", True

    def sections(self, record: RunRecord, charts: Charts) -> list[Section]:
        return [header(record.as_mapping())]


class Targets(ReportPart):
    name, in_summary = "targets", True

    def sections(self, record: RunRecord, charts: Charts) -> list[Section]:
        return [targets(record.as_mapping())]


class ConsistencyLag(ReportPart):
    """Measured by the reads (at idle), the open loop (steady) and the pairs (under load)."""

    name, in_summary = "consistency_lag", True

    def sections(self, record: RunRecord, charts: Charts) -> list[Section]:
        return [consistency_lag(record.as_mapping(), charts)]

    def charts(self, record: RunRecord, out: Path) -> Charts:
        drawn = lag_chart(record.as_mapping(), out)
        return {"lag": (drawn, LAG_CAPTION)} if drawn else {}


class Cost(ReportPart):
    """Snapshots taken by the seed (storage), the reads (idle memory) and the pairs (after load)."""

    name, in_summary = "cost", True

    def sections(self, record: RunRecord, charts: Charts) -> list[Section]:
        return [cost(record.as_mapping(), charts)]

    def charts(self, record: RunRecord, out: Path) -> Charts:
        drawn = cost_chart(record.as_mapping(), out)
        return {"cost": (drawn, "Memory and storage")} if drawn else {}


class Cpu(ReportPart):
    """From every closed-loop run, the reads' and the writes'."""

    name = "cpu"

    def sections(self, record: RunRecord, charts: Charts) -> list[Section]:
        return [cpu(record.as_mapping())]


class Claims(ReportPart):
    name, in_summary = "claims", True

    def sections(self, record: RunRecord, charts: Charts) -> list[Section]:
        return [claims(record.as_mapping())]


class Limits(ReportPart):
    name = "limits"

    def sections(self, record: RunRecord, charts: Charts) -> list[Section]:
        return [limits(record.as_mapping())]


LAG_CAPTION = "Consistency lag on micro: P(a read sees the final status after t)"
PARTS = (Header(), Targets(), ConsistencyLag(), Cost(), Cpu(), Claims(), Limits())
