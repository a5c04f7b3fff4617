"""The issue's targets and the course's claims, each judged from what this run measured.

Pure functions of the raw figures (raw.json), so the verdict logic is tested on its own.
A target or claim with no measurement behind it says "not measured", never a guess.
"""

from __future__ import annotations

from stacks.compare import overload
from stacks.compare.summary import (
    BLOG_DATA,
    BOOKKEEPING,
    COPIES,
    DJANGO_OWN,
    EVENT_STORE,
    closed_loop_rows,
    cpu_at_fewest_clients,
    find_row,
    idle_cpu_percent,
    lag_figures,
    memory_totals,
    pair_cpu_ms,
    scaling_rows,
    storage_by_kind,
    storage_totals,
)

HOLDS, FAILS, PARTLY, UNKNOWN = "holds", "does not hold", "partly", "not measured"
SCALED = 1.3  # a second worker "helps" when it brings at least 1.3x the comments per second
DUPLICATION_HOLDS, DUPLICATION_PARTLY = 2.0, 5.0  # micro bytes / monolith bytes, same data


def combine(parts: list[bool | None]) -> str:
    """One verdict from several checks: all true holds, all false does not, a mix is partly;
    unmeasured checks are left out (all unmeasured: not measured)."""
    known = [part for part in parts if part is not None]
    if not known:
        return UNKNOWN
    if all(known):
        return HOLDS
    if not any(known):
        return FAILS
    return PARTLY


def _fmt(value, unit: str = " ms", digits: int = 1) -> str:
    return "not measured" if value is None else f"{value:.{digits}f}{unit}"


# -- targets -----------------------------------------------------------------------------------
def _at_most(value: float | None, limit: float) -> bool | None:
    return None if value is None else value <= limit


def _p50(rows, stack, action) -> float | None:
    row = find_row(rows, stack, action, 1)
    return row["p50"] if row else None


def sql_constant(raw: dict, stack: str) -> bool | None:
    counts = raw.get("probes", {}).get("sql_per_list", {}).get(stack)
    if not counts or len(counts) < 2:
        return None
    return len(set(counts.values())) == 1


# Issue 10's reference: the course's Node.js services (Express, in memory) on this
# machine kind, 50 posts x 10 comments, measured beside micro and the monolith.
NODE_LIST_P50_MS = 0.52
NODE_LIST_PER_S_AT_8 = 2355
NODE_NAIVE_P50_MS = 19.1
FLOOR_RATIO = 1.5  # query's list p50 at most this many times the WSGI floor of its bytes
HEALTH_P50_MS = 0.6
QUERY_CPU_PER_LIST_MS = 1.0

# Issue 11's reference: the same Node.js services writing (fire-and-forget HTTP event bus).
NODE_CREATE_POST_P50_MS = 2.36
NODE_ADD_COMMENT_P50_MS = 5.67
NODE_PAIRS_PER_S = 105  # at 16 clients; micro's target is twice that
NODE_CPU_PER_PAIR_MS = 21.5  # all processes
NODE_LAG_P50_MS = 11.9
LAG_P99_MS = 50.0
NODE_PSS_MIB = 212
PSS_RATIO = 2.5  # micro's PSS after load at most this many times the Node services'
IDLE_CPU_PERCENT = 1.0  # of one core, the whole micro stack at rest


def _list_targets(raw: dict, rows: list[dict], size: str) -> list[dict]:
    query, monolith = _p50(rows, "micro", "list via query"), _p50(rows, "monolith", "list")
    naive = _p50(rows, "micro", "list via naive client")
    floor = raw.get("floor", {}).get("list", {}).get("micro", {}).get("wsgi_floor", {})
    floor_p50 = floor.get("p50_ms")
    at_8 = find_row(rows, "micro", "list via query", 8)
    per_s = at_8["throughput"] if at_8 else None
    ratio = None if query is None or not floor_p50 else query / floor_p50
    return [
        _target(
            f"query list of {size}: p50 <= {NODE_LIST_P50_MS} ms at 1 client (the Node figure)",
            _fmt(query, digits=2),
            _at_most(query, NODE_LIST_P50_MS),
        ),
        _target(
            f"query list of {size}: p50 <= {FLOOR_RATIO}x the WSGI floor of its bytes",
            "not measured"
            if ratio is None
            else f"{ratio:.1f}x ({query:.2f} ms over {floor_p50:.2f} ms)",
            _at_most(ratio, FLOOR_RATIO),
        ),
        _target(
            f"query list at 8 clients: >= {NODE_LIST_PER_S_AT_8:,} req/s, 0 errors",
            "not measured" if at_8 is None else f"{per_s:,.0f} req/s, {at_8['errors']} errors",
            None
            if at_8 is None
            else at_8["throughput"] >= NODE_LIST_PER_S_AT_8 and at_8["errors"] == 0,
        ),
        _target(
            f"monolith list of {size}: p50 <= 2.0 ms at 1 client",
            _fmt(monolith, digits=2),
            _at_most(monolith, 2.0),
        ),
        _target(
            f"naive read ({size.split()[0]} posts, 1 + N requests): p50 <= "
            f"{2 * NODE_NAIVE_P50_MS:.0f} ms",
            _fmt(naive),
            _at_most(naive, 2 * NODE_NAIVE_P50_MS),
        ),
        _health_target(raw),
        _query_cpu_target(raw),
    ]


def _health_target(raw: dict) -> dict:
    health = raw.get("floor", {}).get("health", {})
    figures = {
        f"{stack} {service}": f["p50_ms"] for stack, s in health.items() for service, f in s.items()
    }
    name = f"GET /health/ at 1 client: p50 <= {HEALTH_P50_MS} ms on every service"
    if not figures:
        return _target(name, "not measured", None)
    worst = max(figures, key=figures.__getitem__)
    measured = f"slowest {worst} {figures[worst]:.2f} ms; fastest {min(figures.values()):.2f} ms"
    return _target(name, measured, figures[worst] <= HEALTH_P50_MS)


def _query_cpu_target(raw: dict) -> dict:
    spent = cpu_at_fewest_clients(raw.get("runs", []), "micro", "list via query")
    server = spent["server_ms_per_action"] if spent else None
    return _target(
        f"server CPU per query list read <= {QUERY_CPU_PER_LIST_MS} ms",
        _fmt(server, digits=2),
        _at_most(server, QUERY_CPU_PER_LIST_MS),
    )


def targets(raw: dict) -> list[dict]:
    rows = closed_loop_rows(raw.get("runs", []))
    options = raw["meta"]["options"]
    size = f"{options['posts']} posts x {options['comments_per_post']} comments"
    table = [*_list_targets(raw, rows, size), *_write_targets(raw, rows)]
    table += overload.targets(raw)
    table += [_idle_target(raw), _memory_target(raw)]
    for stack, name in (("monolith", "monolith"), ("micro", "query")):
        counts = raw.get("probes", {}).get("sql_per_list", {}).get(stack, {})
        measured = ", ".join(f"{n} posts: {q} queries" for n, q in counts.items())
        table.append(
            _target(
                f"SQL queries per list read do not grow with N ({name})",
                measured or "not measured",
                sql_constant(raw, stack),
            )
        )
    return table


def _target(target: str, measured: str, met: bool | None) -> dict:
    return {"target": target, "measured": measured, "met": met}


def _write_targets(raw: dict, rows: list[dict]) -> list[dict]:
    """Issue 11's targets for micro's writes, each against the Node services' figure."""
    post, comment = _p50(rows, "micro", "create post"), _p50(rows, "micro", "add comment")
    idle = raw.get("lag", {}).get("idle")
    lag = lag_figures(idle["lags_ms"], idle["missing"]) if idle else {"p50": None, "p99": None}
    cpu_record = _pairs_at(raw, "micro", min)
    cpu = pair_cpu_ms(cpu_record) if cpu_record else None
    cpu_at = f" at {cpu_record['clients']} clients" if cpu_record and cpu is not None else ""
    return [
        _target(
            f"add comment on micro, 1 client: p50 <= {NODE_ADD_COMMENT_P50_MS} ms (the Node "
            "figure)",
            _fmt(comment, digits=2),
            _at_most(comment, NODE_ADD_COMMENT_P50_MS),
        ),
        _target(
            f"create post on micro, 1 client: p50 <= {NODE_CREATE_POST_P50_MS} ms (the Node "
            "figure)",
            _fmt(post, digits=2),
            _at_most(post, NODE_CREATE_POST_P50_MS),
        ),
        _target(
            f"CPU per post + comment pair, all processes of micro: <= {NODE_CPU_PER_PAIR_MS} ms "
            "(the Node figure)",
            _fmt(cpu) + cpu_at,
            _at_most(cpu, NODE_CPU_PER_PAIR_MS),
        ),
        *(_pairs_target(raw, clients) for clients in _pair_levels(raw)),
        _target(
            f"consistency lag at idle: p50 <= {NODE_LAG_P50_MS} ms (the Node figure)",
            _fmt(lag["p50"]),
            _at_most(lag["p50"], NODE_LAG_P50_MS),
        ),
        _target(
            f"consistency lag at idle: p99 <= {LAG_P99_MS:g} ms",
            _fmt(lag["p99"]),
            _at_most(lag["p99"], LAG_P99_MS),
        ),
    ]


def _pair_levels(raw: dict) -> list[int]:
    """The client counts of micro's pair runs (16 and 50 in a full run), or 50 if none ran."""
    levels = sorted({r["clients"] for r in raw.get("pairs", []) if r["stack"] == "micro"})
    return levels or [50]


def _pairs_at(raw: dict, stack: str, pick) -> dict | None:
    records = [r for r in raw.get("pairs", []) if r["stack"] == stack]
    return pick(records, key=lambda r: r["clients"]) if records else None


def _pairs_target(raw: dict, clients: int) -> dict:
    record = next(
        (r for r in raw.get("pairs", []) if r["stack"] == "micro" and r["clients"] == clients),
        None,
    )
    least = 2 * NODE_PAIRS_PER_S
    name = (
        f"post + comment pairs at {clients} clients on micro: >= {least} pairs/s (2x the Node "
        "figure), 0 lost, 0 applied twice"
    )
    if record is None:
        return _target(name, "not measured", None)
    check = record["check"]
    intact = check["lost"] == 0 and check["doubled"] == 0 and check["not_final"] == 0
    measured = (
        f"{record['pairs_per_s']:.1f} pairs/s; {check['lost']} lost, {check['doubled']} "
        f"applied twice, {check['not_final']} not final of {check['expected']}; "
        f"{sum(record['errors'].values())} failed POSTs"
    )
    return _target(name, measured, record["pairs_per_s"] >= least and intact)


def _idle_target(raw: dict) -> dict:
    shares = idle_cpu_percent(raw.get("cost", {})).get("micro")
    name = f"idle CPU of the whole micro stack: <= {IDLE_CPU_PERCENT:g}% of a core"
    if shares is None:
        return _target(name, "not measured", None)
    total = sum(shares.values())
    busiest = max(shares, key=shares.__getitem__)
    seconds = raw["cost"]["idle_cpu"]["seconds"]
    measured = f"{total:.2f}% over {seconds:g} s (busiest: {busiest} {shares[busiest]:.2f}%)"
    return _target(name, measured, total <= IDLE_CPU_PERCENT)


def _memory_target(raw: dict) -> dict:
    snapshot = raw.get("cost", {}).get("memory_after_load", {}).get("micro")
    limit = PSS_RATIO * NODE_PSS_MIB
    name = f"micro PSS after load: <= {limit:.0f} MiB ({PSS_RATIO:g}x the Node services')"
    if not snapshot:
        return _target(name, "not measured", None)
    totals = memory_totals(snapshot)
    measured = f"{totals['pss_mb']:.0f} MiB in {totals['processes']} processes"
    return _target(name, measured, totals["pss_mb"] <= limit)


# -- claims ------------------------------------------------------------------------------------
def claims(raw: dict) -> list[dict]:
    return [
        _claim_any_failure(raw),
        _claim_slowest(raw),
        _claim_webs(raw),
        _claim_query_fast(raw),
        _claim_duplication(raw),
        _claim_moderation_down(raw),
        _claim_query_survives(raw),
        _claim_monolith_requests(raw),
        _claim_scaling(raw),
    ]


def _claim(claim: str, checked_by: str, measured: str, verdict: str) -> dict:
    return {"claim": claim, "checked_by": checked_by, "measured": measured, "verdict": verdict}


def _claim_any_failure(raw: dict) -> dict:
    down = raw.get("probes", {}).get("writers_down")
    claim = "If any inter-service request fails, the overall request fails (sync)"
    checked = (
        "probe: posts-web + comments-web stopped; failure matrix; tests/"
        "test_latency_properties.py::test_a_failing_comments_service_fails_the_aggregator"
        "_with_503_not_query"
    )
    if not down:
        return _claim(claim, checked, "not measured", UNKNOWN)
    outcomes = down["outcomes"]
    failed = outcomes["aggregator"] != "200"
    measured = (
        f"dependencies down: aggregator list {outcomes['aggregator']}, naive client "
        f"{outcomes['naive']}; the async query list {outcomes['query']}"
    )
    return _claim(claim, checked, measured, HOLDS if failed else FAILS)


def _claim_slowest(raw: dict) -> dict:
    probe = raw.get("probes", {}).get("slow_comments")
    claim = "The entire request is only as fast as the slowest request"
    checked = (
        "probe: every comments request +delay; tests/test_latency_properties.py::"
        "test_a_slow_comments_service_slows_the_aggregator_but_not_query"
    )
    if not probe or None in (*probe["base_ms"].values(), *probe["slowed_ms"].values()):
        return _claim(claim, checked, "not measured", UNKNOWN)
    delay, calls = probe["delay_ms"], probe["posts"]
    added = probe["slowed_ms"]["aggregator"] - probe["base_ms"]["aggregator"]
    query_added = probe["slowed_ms"]["query"] - probe["base_ms"]["query"]
    measured = (
        f"comments +{delay} ms per request: aggregator list of {calls} posts +{added:.0f} ms "
        f"({calls} sequential calls: the delays add up, worse than 'the slowest'); "
        f"query list {query_added:+.1f} ms"
    )
    return _claim(claim, checked, measured, HOLDS if added >= 0.9 * delay else FAILS)


def _claim_webs(raw: dict) -> dict:
    fanout = raw.get("probes", {}).get("read_fanout", {}).get("micro")
    claim = "Sync can easily introduce webs of requests"
    checked = (
        "request-count table; tests/test_request_counts.py::"
        "test_naive_and_aggregator_reads_cost_one_plus_n"
    )
    if not fanout:
        return _claim(claim, checked, "not measured", UNKNOWN)
    posts = raw["meta"]["options"]["posts"]
    aggregator, naive = fanout["aggregator"], fanout["naive"]
    measured = (
        f"list of {posts} posts: aggregator 1 request -> {aggregator['internal_calls']} internal "
        f"calls; naive client {naive['client_requests']} requests; query "
        f"{fanout['query']['client_requests']} request, {fanout['query']['internal_calls']} calls"
    )
    webs = aggregator["internal_calls"] >= posts + 1 and naive["client_requests"] >= posts + 1
    return _claim(claim, checked, measured, HOLDS if webs else FAILS)


def _claim_query_fast(raw: dict) -> dict:
    rows = closed_loop_rows(raw.get("runs", []))
    claim = "The query service has zero dependencies on other services and will be extremely fast"
    checked = "probe: posts+comments down; request-count table; latency table (c=1)"
    fanout = raw.get("probes", {}).get("read_fanout", {}).get("micro", {}).get("query")
    down = raw.get("probes", {}).get("writers_down")
    independent = None
    if fanout:
        independent = fanout["internal_calls"] == 0 and (not down or down["query_unchanged"])
    query, aggregator = (
        _p50(rows, "micro", "list via query"),
        _p50(rows, "micro", "list via aggregator"),
    )
    fast = _at_most(query, 4)
    measured = (
        f"internal calls {fanout['internal_calls'] if fanout else '?'}, same answer with posts "
        f"and comments down: {down['query_unchanged'] if down else 'not tested'}; "
        f"p50 {_fmt(query)} at c=1 "
        f"(target 4 ms; aggregator {_fmt(aggregator)})"
    )
    return _claim(claim, checked, measured, combine([independent, fast]))


def _claim_duplication(raw: dict) -> dict:
    storage = raw.get("cost", {}).get("storage_seeded")
    claim = "Data duplication won't cost too much"
    rule = f"verdict rule: micro/monolith bytes <= {DUPLICATION_HOLDS:g} holds, <= " + (
        f"{DUPLICATION_PARTLY:g} partly"
    )
    checked = (
        "storage table (same seed data), Django's own tables left out (a database per "
        f"service, not duplication); {rule}"
    )
    if not storage:
        return _claim(claim, checked, "not measured", UNKNOWN)
    kinds = storage_by_kind(storage)
    if set(kinds) != {"micro", "monolith"}:  # a run from before tables were measured
        checked = f"storage table (same seed data); {rule}"
        totals = storage_totals(storage)
        micro, monolith = totals["micro"]["data"], totals["monolith"]["data"]
        breakdown = "all tables"
    else:
        micro, monolith = (
            sum(size for kind, size in kinds[stack].items() if kind != DJANGO_OWN)
            for stack in ("micro", "monolith")
        )
        breakdown = ", ".join(
            f"{kind} {kinds['micro'][kind] / 1024:.0f}"
            for kind in (BLOG_DATA, COPIES, EVENT_STORE, BOOKKEEPING)
        )
    ratio = micro / monolith if monolith else None
    measured = (
        f"same posts and comments: micro {micro / 1024:.0f} KiB in {len(storage['micro'])} "
        f"databases ({breakdown}) vs monolith {monolith / 1024:.0f} KiB "
        f"({_fmt(ratio, 'x')})"
    )
    if ratio is None:
        return _claim(claim, checked, measured, UNKNOWN)
    verdict = (
        HOLDS if ratio <= DUPLICATION_HOLDS else PARTLY if ratio <= DUPLICATION_PARTLY else FAILS
    )
    return _claim(claim, checked, measured, verdict)


def _claim_moderation_down(raw: dict) -> dict:
    probe = raw.get("probes", {}).get("moderation_down")
    claim = "When moderation is down the system does not crash"
    checked = (
        "probe: moderation worker stopped; failure matrix; tests/test_failure_matrix.py::"
        "test_micro_with_one_process_stopped[moderation-worker]"
    )
    if not probe:
        return _claim(claim, checked, "not measured", UNKNOWN)
    accepted = probe["outcome"] == "201"
    moderated = probe["final_status"] not in (None, "pending")
    measured = (
        f"micro comment while down: {probe['outcome']} ({probe['status_answered']}); after "
        f"restart: {probe['final_status']} in {_fmt(probe.get('seconds_after_restart'), ' s')}. "
        "The monolith moderates inside the request: it has no separate moderation to lose"
    )
    return _claim(claim, checked, measured, combine([accepted, moderated]))


def _claim_query_survives(raw: dict) -> dict:
    down = raw.get("probes", {}).get("writers_down")
    claim = "If posts or comments are down we still get all data from query"
    checked = "probe: posts-web + comments-web stopped; failure matrix"
    if not down:
        return _claim(claim, checked, "not measured", UNKNOWN)
    measured = (
        f"query list {down['outcomes']['query']}, identical to before the outage: "
        f"{down['query_unchanged']} ({down['posts_listed']} posts, {down['comments_listed']} "
        f"comments); a new comment meanwhile: {down['comment_outcome']}"
    )
    return _claim(claim, checked, measured, HOLDS if down["query_unchanged"] else FAILS)


def _claim_monolith_requests(raw: dict) -> dict:
    claim = "The monolith has no too-many-requests problem"
    checked = (
        "request-count table; tests/test_request_counts.py::"
        "test_sql_queries_per_list_read_do_not_grow_with_the_number_of_posts"
    )
    counts = raw.get("probes", {}).get("sql_per_list", {}).get("monolith")
    listing = raw.get("probes", {}).get("read_fanout", {}).get("monolith", {}).get("query")
    one_request = None
    if listing:
        one_request = listing["client_requests"] == 1 and listing["internal_calls"] == 0
    constant = sql_constant(raw, "monolith")
    measured = (
        f"list: {listing['client_requests'] if listing else '?'} request, "
        f"{listing['internal_calls'] if listing else '?'} internal calls; SQL per list "
        + (", ".join(f"{n} posts: {q}" for n, q in counts.items()) if counts else "?")
    )
    return _claim(claim, checked, measured, combine([one_request, constant]))


def _scaling_ratio(one: dict | None, two: dict | None) -> float | None:
    if not one or not two or not one["final_per_s"] or not two["final_per_s"]:
        return None
    return two["final_per_s"] / one["final_per_s"]


def _find(rows: list[dict], delayed: bool, **workers: int) -> dict | None:
    wanted = {"comments": 1, "moderation": 1, "eventbus": 1, **workers}
    return next(
        (r for r in rows if bool(r["moderation_delay_ms"]) == delayed and r["workers"] == wanted),
        None,
    )


def _claim_scaling(raw: dict) -> dict:
    rows = scaling_rows(raw.get("scaling", []))
    claim = "Scaling a busy service means adding instances"
    checked = "scaling table and chart (1 vs 2 workers)"
    slowed_one, slowed_two = _find(rows, True), _find(rows, True, moderation=2)
    slowed = _scaling_ratio(slowed_one, slowed_two)
    words = []
    if slowed is not None and slowed_one and slowed_two:  # a ratio needs both rows
        words.append(
            f"moderation slowed: 2 moderation workers {slowed:.2f}x the final comments/s "
            f"({slowed_one['final_per_s']:.1f} -> {slowed_two['final_per_s']:.1f})"
        )
    full_one = _find(rows, False)
    full = None
    if full_one and full_one["busiest_worker"]:
        busy = full_one["busiest_worker"].split("-")[0]
        full_two = _find(rows, False, **{busy: 2})
        full = _scaling_ratio(full_one, full_two)
        both = _scaling_ratio(full_one, _find(rows, False, comments=2, moderation=2))
        if full is not None:
            words.append(
                f"full speed: the busiest worker is {busy}; a second one gives {full:.2f}x"
            )
        if both is not None:
            words.append(f"2 comments + 2 moderation workers give {both:.2f}x")
    parts = [None if r is None else r >= SCALED for r in (slowed, full)]
    return _claim(claim, checked, "; ".join(words) or "not measured", combine(parts))
