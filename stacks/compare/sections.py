"""The report's sections, each built from the raw figures of a run (raw.json)."""

from __future__ import annotations

from stacks.compare import claims as judged
from stacks.compare.document import Image, Section, Table
from stacks.compare.machine import describe
from stacks.compare.stats import latency_summary, median
from stacks.compare.summary import (
    STORAGE_KINDS,
    closed_loop_rows,
    cpu_per_action,
    idle_cpu_percent,
    lag_figures,
    memory_totals,
    open_loop_rows,
    pair_cpu_ms,
    scaling_rows,
    storage_by_kind,
    storage_totals,
)

NOT_MEASURED = "not measured in this run"
LOADGEN_GAIN = 0.1  # two generator processes "help" above 10% more throughput
OTHER_LOAD_WARNING = 0.05  # other processes' share of the CPU above which the report warns


def ms(value) -> str:
    return "-" if value is None else f"{value:.1f}" if value < 100 else f"{value:.0f}"


def per_s(value) -> str:
    return "-" if value is None else f"{value:.1f}"


def share(value) -> str:
    return "-" if value is None else f"{value * 100:.0f}%"


def kib(value) -> str:
    return f"{value / 1024:,.0f}"


def yes_no(value) -> str:
    return {True: "yes", False: "no", None: "not measured"}[value]


def _image(charts: dict, name: str) -> list:
    return [Image(*charts[name])] if name in charts else []


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


# -- latency and throughput --------------------------------------------------------------------
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
            "(stacks/keepalive.py, TCP_NODELAY), timed from the request written to the "
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
            *_image(charts, "latency"),
            *_image(charts, "throughput"),
        ],
    )


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
            *_image(charts, "open_loop"),
        ],
    )


def write_throughput(raw: dict) -> Section:
    rows = []
    for record in raw.get("pairs", []):
        check = record["check"]
        latencies = latency_summary(record["latencies_ms"])
        rows.append(
            [
                record["stack"],
                record["clients"],
                per_s(record["pairs_per_s"]),
                record["pairs_ok"],
                sum(record["errors"].values()),
                ms(latencies["p50"]),
                ms(latencies["p99"]),
                check["expected"],
                check["present_once"],
                check["lost"],
                check["doubled"],
                check["not_final"],
                f"{check['seconds']:.1f}",
                _cpu_per_pair(record),
            ]
        )
    headers = [
        "stack",
        "clients",
        "pairs/s",
        "pairs ok",
        "failed",
        "p50 ms",
        "p99 ms",
        "comments",
        "present once",
        "lost",
        "doubled",
        "not final",
        "read back s",
        "CPU ms/pair",
    ]
    return Section(
        "Write throughput: post + comment pairs",
        [
            "Each client creates a post, then a comment on it, as fast as it can. Afterwards "
            "every comment a client got a 201 for is read back through the public read (query "
            "on micro) until it is there exactly once with its final status. 'failed' counts "
            "pairs whose POST got an error (the client knows); 'lost' counts comments that were "
            "acknowledged and never showed up. 'CPU ms/pair' is the CPU of every process of the "
            "stack (web processes, workers, Redis) from the first write until its asynchronous "
            "work was drained, per pair; the load generator's is not in it.",
            Table(headers, rows) if rows else NOT_MEASURED,
        ],
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
    validation = lags.get("validation")
    if validation:
        blocks.append(
            f"Method check: for {validation['checked']} comments, query was also polled every "
            f"~1 ms; {validation['within_bounds']} of the trace lags fall between the last "
            "poll that did not see the final status and the first that did (+-1 ms); the "
            f"median width of that window was {ms(validation['median_bound_width_ms'])} ms."
        )
    return Section("Consistency lag (micro)", blocks + _image(charts, "lag"))


# -- cost --------------------------------------------------------------------------------------
def _cpu_per_pair(record: dict) -> str:
    spent = pair_cpu_ms(record)
    return "-" if spent is None else f"{spent:.1f}"


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
    return Section("Cost: memory, processes, storage", blocks + _image(charts, "cost"))


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


# -- counts, failures, scaling, the generator --------------------------------------------------
def request_counts(raw: dict) -> Section:
    rows = raw.get("request_counts")
    if not rows:
        note = raw.get("notes", {}).get("request_counts", "")
        return Section("Request counts", [f"{NOT_MEASURED} ({note})." if note else NOT_MEASURED])
    headers = [
        "action",
        "stack",
        "client requests",
        "internal calls",
        "messages",
        "SQL queries",
        "requests served by",
    ]
    table = Table(
        headers,
        [
            [
                r["action"],
                r["stack"],
                r["client_requests"],
                r["internal_calls"],
                r["messages"],
                r["sql_queries"],
                r.get("services", ""),
            ]
            for r in rows
        ],
    )
    return Section(
        "Request counts",
        [
            "Exact, from the trace records of one action (stacks/scenarios.py, the same code "
            "tests/test_request_counts.py asserts on).",
            table,
        ],
    )


def failure_matrix(raw: dict) -> Section:
    rows = raw.get("failure_matrix")
    if not rows:
        note = raw.get("notes", {}).get("failure_matrix", "")
        return Section("Failure matrix", [f"{NOT_MEASURED} ({note})." if note else NOT_MEASURED])
    fixed = {"stack", "target", "converged", "lost", "doubled", "converge_seconds"}
    actions = list(dict.fromkeys(key for row in rows for key in row if key not in fixed))
    headers = ["stack", "stopped", *actions, "converged", "lost", "doubled", "converge s"]
    table = Table(
        headers,
        [
            [
                r["stack"],
                r["target"],
                *(r.get(a, "") for a in actions),
                yes_no(r["converged"]),
                r["lost"],
                r["doubled"],
                r["converge_seconds"],
            ]
            for r in rows
        ],
    )
    return Section(
        "Failure matrix",
        [
            "Each process stopped in turn: what every user action answered meanwhile ('refused': "
            "nothing listens), then, after the restart, whether every write accepted during the "
            "outage became visible once with its final status.",
            table,
        ],
    )


def scaling(raw: dict, charts: dict) -> Section:
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
            *_image(charts, "scaling"),
        ],
    )


def loadgen_check(raw: dict) -> Section:
    records = raw.get("loadgen_check", [])
    rows = _loadgen_rows(records)
    headers = [
        "action",
        "stack",
        "clients",
        "generator processes",
        "ok/s",
        "p50 ms",
        "p99 ms",
        "generator busy",
    ]
    return Section(
        "Load generator check",
        [
            "The action with the highest request rate (the monolith's create post, so the most "
            "work per second for the generator) at the highest concurrency, driven alternately "
            "by one generator process (every client a thread of one Python process) and by "
            "two. The benchmark uses one below 8 clients and two from 8 unless "
            "--generator-processes says otherwise; on a 2-core machine a second process also "
            "takes CPU from the stacks, so neither choice is free.",
            Table(headers, rows) if rows else NOT_MEASURED,
            *([loadgen_verdict(records)] if records else []),
        ],
    )


def loadgen_verdict(records: list[dict]) -> str:
    """Whether one generator process held the runs back: median throughput, 1 vs 2, against
    how much runs of the same setting differ from each other."""
    rows = [(r["generator_processes"], closed_loop_rows([r])[0]) for r in records]
    throughput = {n: [row["throughput"] or 0 for count, row in rows if count == n] for n in (1, 2)}
    one, two = median(throughput[1]), median(throughput[2])
    if not one or not two:
        return "Not enough runs to compare."
    gain = two / one - 1
    noise = max((max(v) / min(v) - 1) for v in throughput.values() if v and min(v) > 0)
    busy = share(median([row["generator_cpu_share"] or 0 for count, row in rows if count == 1]))
    said = (
        f"Two processes got {gain * 100:+.0f}% through (medians); runs of the same setting "
        f"differed by up to {noise * 100:.0f}%. One process was busy {busy} of its core."
    )
    if gain > max(LOADGEN_GAIN, noise):
        return said + " One process held the run back: hence two from 8 clients."
    return said + " One process was not what limited the run; the stack was."


def _loadgen_rows(records: list[dict]) -> list[list]:
    rows = []
    for record in records:
        row = closed_loop_rows([record])[0]
        rows.append(
            [
                row["action"],
                row["stack"],
                row["concurrency"],
                record["generator_processes"],
                per_s(row["throughput"]),
                ms(row["p50"]),
                ms(row["p99"]),
                share(row["generator_cpu_share"]),
            ]
        )
    return rows
