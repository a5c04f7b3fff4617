"""The benchmark run: both stacks up, the same data, the workload interleaved, a report written.

Order matters and is deliberate: the request-count scenarios run first (fresh stacks, small
trace files), then the seed data; the reads all run before any write so every list is the
same 50 posts x 10 comments; micro's asynchronous work is drained after every write run so
it never spills into the next run (and its CPU is charged to the run that caused it).
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime
import functools
import importlib.util
import os
import shutil
import threading
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from stacks.compare import cost, lag, loadgen, overload, pairs, probes, records, scaling, workload
from stacks.compare import gateway_hop as hop
from stacks.compare.machine import cpu_sample, machine_info, other_load
from stacks.compare.plan import Sizes
from stacks.compare.reliability import run_phase as run_reliability_phase
from stacks.compare.summary import closed_loop_rows, lag_figures
from stacks.compare.workload import READ_ACTIONS, WRITE_ACTIONS, Action
from stacks.launcher import Stack


@dataclasses.dataclass(frozen=True)
class CompareOptions(Sizes):
    """One run: its sizes (stacks.compare.plan), then what it runs against and where."""

    rate: float | None
    out: Path
    run_dir: Path
    database_url: str | None = None
    redis_url: str | None = None
    quick: bool = False
    failure_matrix: bool = True
    scenarios: bool = True  # the request-count table from stacks/scenarios.py
    generator_processes: int | None = None  # None: 1 below 8 clients, else 2
    reliability_faults: list[str] = dataclasses.field(default_factory=list)
    command: str = ""


def generator_processes(options: CompareOptions, concurrency: int) -> int:
    """One generator process below 8 clients, two from 8 (unless asked), so that 32 client
    threads take turns for two GILs, not one. Whether that matters on this machine is
    measured in every default run (the load generator check)."""
    if options.generator_processes:
        return options.generator_processes
    return 1 if concurrency < 8 else 2


class Benchmark:
    def __init__(self, options: CompareOptions, say: Callable[[str], None]):
        self.options = options
        self._say = say
        self.began = time.monotonic()
        self.cpu_at_start = cpu_sample()
        self.stacks: dict[str, Stack] = {}
        self.post_ids: dict[str, list[int]] = {}
        self.side_posts: dict[tuple[str, str], int] = {}
        self.error: BaseException | None = None
        self.raw: dict = {
            "meta": {
                "command": options.command,
                "machine": machine_info(),
                "options": _jsonable(_redacted(dataclasses.asdict(options))),
                "database": "postgresql" if options.database_url else "sqlite",
                "started_at": _utc_now(),
            },
            "runs": [],
            "open_loop": [],
            "pairs": [],
            "lag": {},
            "cost": {},
            "scaling": [],
            "loadgen_check": [],
            "probes": {},
            "floor": {},
            "tracing_ab": [],
            "request_counts": None,
            "failure_matrix": None,
            "reliability": [],
            "overload": {},
            "notes": {},
        }

    def say(self, line: str) -> None:
        self._say(f"[{time.monotonic() - self.began:6.1f}s] {line}")

    # -- the whole run ------------------------------------------------------------------
    def run(self) -> dict:
        """Every phase in order; if one fails (or Ctrl-C), the stacks are stopped and what was
        measured so far is returned, with the reason in meta["aborted"] (and in self.error)."""
        phases = (
            self.start_stacks,
            self.request_counts,
            self.prepare_data,
            self.read_phase,
            self.floor_phase,
            self.tracing_ab_phase,
            self.gateway_hop_phase,
            self.write_phase,
            self.pairs_phase,
            self.overload_phase,
            self.idle_phase,
            self.scaling_phase,
            self.probes_phase,
            self.failure_matrix_phase,
            self.reliability_phase,
        )
        try:
            for phase in phases:
                phase()
        except (Exception, KeyboardInterrupt) as error:
            self.error = error
            self.raw["meta"]["aborted"] = f"{type(error).__name__}: {error}"
            self.say(f"stopped early: {error!r}\n{traceback.format_exc()}")
        finally:
            _in_parallel([stack.stop for stack in self.stacks.values()])
        self.raw["meta"]["other_load"] = other_load(self.cpu_at_start, cpu_sample())
        self.raw["meta"]["finished_at"] = _utc_now()
        self.raw["meta"]["duration_s"] = time.monotonic() - self.began
        return self.raw

    def start_stacks(self) -> None:
        options = self.options
        for kind in workload.STACK_ORDER:
            shutil.rmtree(options.run_dir / kind, ignore_errors=True)  # last run's files
            self.stacks[kind] = Stack(
                kind,
                run_dir=options.run_dir / kind,
                database_url=options.database_url,
                redis_url=options.redis_url if kind == "micro" else None,
                fresh=True,
            )
        load = os.getloadavg()[0]
        self.raw["meta"]["load_average_at_start"] = load
        if load > 0.5 * len(os.sched_getaffinity(0)):
            self.say(
                f"warning: the machine is already busy (load average {load:.1f}); "
                "other processes will disturb the figures"
            )
        self.say("starting both stacks (fresh databases) ...")
        for stack in self.stacks.values():
            # From this thread: the launcher's children die with the thread that started them
            # (PR_SET_PDEATHSIG is per thread), so never from a helper thread.
            stack.start()
            self.say(f"  {stack.kind} healthy: {len(stack.processes)} processes")

    # -- scenarios from stacks/scenarios.py ---------------------------------------------------
    def request_counts(self) -> None:
        if not self.options.scenarios:
            self.raw["notes"]["request_counts"] = "skipped (--quick or --no-scenarios)"
            return
        if importlib.util.find_spec("stacks.scenarios") is None:
            self.raw["notes"]["request_counts"] = "stacks/scenarios.py is missing"
            return
        from stacks import scenarios

        posts = self.options.count_posts
        self.say(f"request counts: every action once, post list of {posts} posts ...")
        try:
            self.raw["request_counts"] = scenarios.request_count_table(
                self.monolith, self.micro, posts=posts
            )
        except Exception as error:  # a scenario failing must not lose the whole report
            self.raw["notes"]["request_counts"] = f"failed: {error!r}"
            self.say(f"  request counts failed: {error!r}")

    def failure_matrix_phase(self) -> None:
        if not self.options.failure_matrix:
            self.raw["notes"]["failure_matrix"] = "skipped (--no-failure-matrix, or --quick)"
            return
        if importlib.util.find_spec("stacks.scenarios") is None:
            self.raw["notes"]["failure_matrix"] = "stacks/scenarios.py is missing"
            return
        from stacks import scenarios

        self.say("failure matrix: each process stopped in turn, then restarted ...")
        try:
            self.raw["failure_matrix"] = scenarios.failure_matrix(self.monolith, self.micro)
        except Exception as error:
            self.raw["notes"]["failure_matrix"] = f"failed: {error!r}"
            self.say(f"  failure matrix failed: {error!r}\n{traceback.format_exc()}")

    def reliability_phase(self) -> None:
        names, quick = self.options.reliability_faults, self.options.quick
        rows, note = run_reliability_phase(self.micro, names, quick=quick, say=self.say)
        self.raw["reliability"], self.raw["notes"]["reliability"] = rows, note

    @property
    def monolith(self) -> Stack:
        return self.stacks["monolith"]

    @property
    def micro(self) -> Stack:
        return self.stacks["micro"]

    # -- data ---------------------------------------------------------------------------
    def prepare_data(self) -> None:
        options = self.options
        for kind, stack in self.stacks.items():
            # Made before the seed, so never among the newest posts the list shows: one for
            # the lag probes, one (kept short, so that each poll is quick) for the lag check.
            client = loadgen.client(kind, stack.urls)
            for purpose in ("lag", "lag check"):
                self.side_posts[kind, purpose] = client.create_post(f"For {purpose}").body["id"]
        self.say(f"seeding {options.posts} posts x {options.comments_per_post} comments each ...")

        def seed(kind: str) -> None:
            self.post_ids[kind] = workload.seed(
                self.stacks[kind], posts=options.posts, comments_per_post=options.comments_per_post
            )
            workload.wait_for_read_model(
                self.stacks[kind], self.post_ids[kind], options.comments_per_post
            )

        _in_parallel([functools.partial(seed, kind) for kind in self.stacks])
        self.say("  seeded; micro's read model has every comment with its final status")
        self.raw["cost"]["storage_seeded"] = {
            k: cost.storage_bytes(s) for k, s in self.stacks.items()
        }
        self.raw["probes"]["http_floor"] = {k: probes.http_floor(s) for k, s in self.stacks.items()}
        limits = tuple(sorted({1, options.posts}))
        self.raw["probes"]["sql_per_list"] = {
            k: probes.sql_per_list(s, limits=limits) for k, s in self.stacks.items()
        }
        self.raw["probes"]["read_fanout"] = {
            k: probes.read_fanout(s, posts=options.posts) for k, s in self.stacks.items()
        }

    # -- closed-loop runs ----------------------------------------------------------------
    def workload_for(self, action: Action) -> loadgen.Workload:
        stack = self.stacks[action.stack]
        return loadgen.Workload(
            action.stack,
            stack.urls,
            action.action,
            strategy=action.strategy,
            limit=self.options.posts,
            post_ids=tuple(self.post_ids[action.stack]),
        )

    def closed_run(
        self, action: Action, *, concurrency, duration, repetition, processes=None, capped=True
    ):
        stack = self.stacks[action.stack]
        processes = processes or generator_processes(self.options, concurrency)
        cpu_before = cost.cpu_snapshot(stack)
        writes = action not in READ_ACTIONS
        result = loadgen.run_closed_loop(
            self.workload_for(action),
            concurrency=concurrency,
            duration=duration,
            processes=processes,
            max_requests=self.options.max_writes if writes and capped else None,
        )
        drained = cost.wait_drained(stack)  # (reads cause no asynchronous work: not counted)
        cpu = cost.cpu_used(cpu_before, cost.cpu_snapshot(stack))
        drained = drained if writes else 0.0
        return records.run_record(action, concurrency, repetition, duration, result, cpu, drained)

    @property
    def warm_up_seconds(self) -> float:
        return 0.25 if self.options.quick else 1.0

    def warm_up(self, actions) -> None:
        with self.untraced():
            for action in actions:
                self.closed_run(action, concurrency=2, duration=self.warm_up_seconds, repetition=0)

    @contextlib.contextmanager
    def untraced(self):
        """No trace records while latency and throughput are measured (they are what the
        request-count, lag and probe phases read; tracing_ab_phase shows what they cost)."""
        for stack in self.stacks.values():
            stack.set_tracing(False)
        try:
            yield
        finally:
            for stack in self.stacks.values():
                stack.set_tracing(True)

    def measure(self, actions) -> list[dict]:
        with self.untraced():
            return self._measure(actions)

    def _measure(self, actions) -> list[dict]:
        plan = workload.interleaved_plan(
            actions, levels=self.options.levels, repetitions=self.options.repetitions
        )
        measured = []
        for number, step in enumerate(plan, 1):
            record = self.closed_run(
                step["action"],
                concurrency=step["concurrency"],
                duration=self.options.duration,
                repetition=step["repetition"],
            )
            measured.append(record)
            self.say(f"  [{number}/{len(plan)}] {records.progress(record)}")
        self.raw["runs"] += measured
        return measured

    def read_phase(self) -> None:
        self.say("warming up the reads ...")
        self.warm_up(READ_ACTIONS)
        self.raw["cost"]["memory_idle"] = {
            k: cost.memory_snapshot(s) for k, s in self.stacks.items()
        }
        self.lag_at_idle()
        self.say("reads, interleaved (monolith, micro) per repetition and concurrency:")
        self.measure(READ_ACTIONS)
        self.open_loop("list", [READ_ACTIONS[0], READ_ACTIONS[1]])

    def gateway_hop_phase(self) -> None:
        self.say("the gateway's extra hop: micro's list and comment, direct and through nginx")
        with self.untraced():
            self.raw["gateway_hop"] = hop.measure(
                self.micro, post_ids=self.post_ids["micro"], limit=self.options.posts,
                quick=self.options.quick, say=self.say,
            )  # fmt: skip

    # -- the floor ------------------------------------------------------------------------
    def floor_phase(self) -> None:
        """GET /health/ of every service, and each stack's list beside a bare WSGI app
        serving its very bytes under the same gunicorn command (one client, tracing off)."""
        self.say("the floor: GET /health/ of every service; each list beside a bare WSGI app")
        floor, samples = self.raw["floor"], 50 if self.options.quick else probes.FLOOR_SAMPLES
        with self.untraced():
            floor["health"] = {
                k: probes.health_floors(s, samples=samples) for k, s in self.stacks.items()
            }
            floor["list"] = {
                k: probes.list_floor(s, limit=self.options.posts, samples=samples)
                for k, s in self.stacks.items()
            }
        for kind, figures in floor["list"].items():
            self.say(
                f"  {kind} list p50 {records.ms(figures['list']['p50_ms'])}, the same bytes "
                f"from memory {records.ms(figures['wsgi_floor']['p50_ms'])}"
            )

    def tracing_ab_phase(self) -> None:
        """The list on each stack at one client, trace records on and off alternately: what
        tracing would cost the latency phases (which run with it off)."""
        repetitions = 1 if self.options.quick else 3
        self.say(f"tracing A/B: each list at 1 client, traced and untraced, x{repetitions}")
        for repetition in range(1, repetitions + 1):
            for action in READ_ACTIONS[:2]:
                for traced in (True, False):
                    stack = self.stacks[action.stack]
                    stack.set_tracing(traced)
                    try:
                        record = self.closed_run(
                            action, concurrency=1, duration=self.options.duration,
                            repetition=repetition,
                        )  # fmt: skip
                    finally:
                        stack.set_tracing(True)
                    self.raw["tracing_ab"].append(records.tracing_ab_record(record, traced))

    def write_phase(self) -> None:
        self.say("warming up the writes ...")
        self.warm_up(WRITE_ACTIONS)
        self.say("writes, interleaved; micro drained after each run:")
        self.measure(WRITE_ACTIONS)
        self.loadgen_check()
        self.open_loop("add comment", [WRITE_ACTIONS[2], WRITE_ACTIONS[3]])

    # -- the load generator itself -------------------------------------------------------------
    def loadgen_check(self) -> None:
        """The cheapest action (the monolith's create post, the highest request rate, so the
        most work for the generator) at the highest concurrency, driven by one generator
        process and by two, alternately, twice: does one process hold the run back?"""
        concurrency = max(self.options.levels)
        if concurrency < 8 or self.options.quick:
            return
        action = WRITE_ACTIONS[0]
        self.say(f"load generator check: {action.key}, c={concurrency}, 1 or 2 processes")
        for repetition, processes in ((1, 1), (1, 2), (2, 1), (2, 2)):
            record = self.closed_run(
                action,
                concurrency=concurrency,
                duration=self.options.duration,
                repetition=repetition,
                processes=processes,
                capped=False,
            )
            self.raw["loadgen_check"].append(record)
            self.say(f"    {processes} process(es): {records.progress(record)}")

    # -- open loop ----------------------------------------------------------------------------
    def open_loop_rate(self, group_actions: list[Action]) -> float:
        """Half the lower of the two stacks' best closed-loop throughput for this action, so
        neither stack is overloaded but both see requests arrive independently of answers."""
        if self.options.rate:
            return self.options.rate
        rows = closed_loop_rows([r for r in self.raw["runs"] if r["repetition"] > 0])
        best = [
            max(
                (row["sustained"] or 0)
                for row in rows
                if (row["stack"], row["action"]) == (action.stack, action.label)
            )
            for action in group_actions
        ]
        return max(1.0, round(min(best) * 0.5, 1))

    def open_loop(self, name: str, group_actions: list[Action]) -> None:
        rate = self.open_loop_rate(group_actions)
        duration = max(1.0, 2 * self.options.duration)
        self.say(f"open loop: {name} at a fixed {rate}/s for {duration:.0f} s on each stack")
        for action in group_actions:
            stack = self.stacks[action.stack]
            follower = lag.TraceFollower(stack.trace_dir) if stack.kind == "micro" else None
            result = loadgen.run_open_loop(
                self.workload_for(action),
                rate=rate,
                duration=duration,
                processes=generator_processes(self.options, 8),
            )
            record = records.open_loop_record(action, rate, duration, result)
            if follower and action.action == "add comment":
                lags = lag.collect_lags(follower, result["samples"])
                self.raw["lag"]["steady"] = {**lags, "rate": rate}
            cost.wait_drained(stack)
            self.raw["open_loop"].append(record)
            self.say(f"    {records.open_loop_progress(record)}")

    # -- consistency lag -----------------------------------------------------------------------
    def lag_at_idle(self) -> None:
        count, checks = self.options.lag_comments, self.options.lag_checks
        self.say(f"consistency lag at idle: {count} comments on micro, one at a time ...")
        idle = lag.measure_idle_lag(
            self.micro, post_id=self.side_posts["micro", "lag"], count=count
        )
        self.raw["lag"]["idle"] = idle
        figures = lag_figures(idle["lags_ms"], idle["missing"])
        self.say(
            f"  lag p50 {records.ms(figures['p50'])}, p99 {records.ms(figures['p99'])}, "
            f"{idle['missing']} never seen"
        )
        self.say(f"  checking the method against polling query ({checks} comments) ...")
        validation = lag.validate_against_polling(
            self.micro, post_id=self.side_posts["micro", "lag check"], count=checks
        )
        self.raw["lag"]["validation"] = {"checks": validation, **lag.agreement(validation)}
        agreement = self.raw["lag"]["validation"]
        self.say(
            f"  {agreement['within_bounds']}/{agreement['checked']} trace lags within the "
            f"polling bounds"
        )

    # -- post + comment pairs at 50 clients -------------------------------------------------------
    def pairs_phase(self) -> None:
        levels, duration = self.options.pair_clients, self.options.duration
        self.say(
            f"write throughput: post+comment pairs, {' and '.join(map(str, levels))} clients, "
            f"{duration:g} s each"
        )
        for clients in levels:
            for kind in workload.STACK_ORDER:
                self.pair_run(self.stacks[kind], clients, last=clients == levels[-1])
        self.raw["cost"]["memory_after_load"] = {
            k: cost.memory_snapshot(s) for k, s in self.stacks.items()
        }
        self.raw["cost"]["storage_end"] = {k: cost.storage_bytes(s) for k, s in self.stacks.items()}
        self.raw["cost"]["redis"] = cost.redis_memory(self.micro)

    def pair_run(self, stack: Stack, clients: int, *, last: bool) -> None:
        """One pair run: the CPU of every process of the stack from the first write until
        its asynchronous work is drained (before the read back, which is not the writes'),
        then every acknowledged comment read back."""
        follower = lag.TraceFollower(stack.trace_dir) if stack.kind == "micro" and last else None
        work = loadgen.Workload(stack.kind, stack.urls, "pair")
        before = cost.cpu_snapshot(stack)
        result = loadgen.run_closed_loop(
            work,
            concurrency=clients,
            duration=self.options.duration,
            processes=generator_processes(self.options, clients),
        )
        drained = cost.wait_drained(stack)
        record = pairs.pair_record(stack.kind, clients, self.options.duration, result)
        record["server_cpu_s"] = cost.cpu_used(before, cost.cpu_snapshot(stack))
        record["drain_s"] = drained
        if follower:
            lags = lag.collect_lags(follower, result["samples"])
            self.raw["lag"]["under_load"] = {**lags, "clients": clients}
        record["check"] = pairs.check_pairs(stack, result["samples"])
        self.raw["pairs"].append(record)
        self.say(f"    {pairs.progress(record)}")

    # -- at rest: the CPU of each stack while nobody uses it ------------------------------------
    def idle_phase(self) -> None:
        seconds = cost.IDLE_SECONDS_QUICK if self.options.quick else cost.IDLE_SECONDS
        self.say(f"at rest: every process's CPU over {seconds:g} s with nothing to do")
        for stack in self.stacks.values():
            cost.wait_drained(stack)
        time.sleep(cost.IDLE_SETTLE_SECONDS)
        before = {kind: cost.cpu_snapshot(stack) for kind, stack in self.stacks.items()}
        time.sleep(seconds)
        self.raw["cost"]["idle_cpu"] = {
            "seconds": seconds,
            "cpu_s": {
                kind: cost.cpu_used(before[kind], cost.cpu_snapshot(stack))
                for kind, stack in self.stacks.items()
            },
        }
        for kind, used in self.raw["cost"]["idle_cpu"]["cpu_s"].items():
            self.say(f"    {kind}: {100 * sum(used.values()) / seconds:.2f}% of a core")

    # -- overload: accept and drain --------------------------------------------------------------
    def overload_phase(self) -> None:
        clients = overload.plan_for(quick=self.options.quick).clients
        self.say(f"overload: {clients} clients writing on micro, then the drain")
        with self.untraced():
            self.raw["overload"] = overload.measure(
                self.micro, quick=self.options.quick, say=self.say
            )

    # -- scaling ----------------------------------------------------------------------------------
    def scaling_phase(self) -> None:
        if self.options.quick:
            self.raw["notes"]["scaling"] = "skipped (--quick)"
            return
        self.say("scaling micro's comment pipeline: 1 and 2 workers for comments and moderation")
        for config in scaling.default_configs(quick=self.options.quick):
            record = scaling.run_scaling(
                self.micro, config, post_ids=self.post_ids["micro"], processes=1
            )
            self.raw["scaling"].append(record)
            self.say(f"    {records.scaling_progress(record)}")

    # -- the claims' own probes --------------------------------------------------------------------
    def probes_phase(self) -> None:
        micro = self.micro
        self.say("probe for the claims: every comments request slowed")
        self.raw["probes"]["slow_comments"] = probes.slow_comments(micro)
        if self.options.quick:
            self.raw["notes"]["outage_probes"] = "skipped (--quick)"
            return
        self.say("probes for the claims: posts + comments down; moderation down")
        self.raw["probes"]["writers_down"] = probes.writers_down(micro, posts=self.options.posts)
        self.raw["probes"]["moderation_down"] = probes.moderation_down(
            micro, post_id=self.side_posts["micro", "lag check"]
        )


def _in_parallel(functions: list[Callable[[], None]]) -> None:
    """Run a few blocking calls at once (starting or seeding both stacks); re-raise a failure."""
    failures: list[BaseException] = []

    def guarded(function) -> None:
        try:
            function()
        except BaseException as error:
            failures.append(error)

    threads = [threading.Thread(target=guarded, args=(f,)) for f in functions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise failures[0]


def _utc_now() -> str:
    return datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _redacted(options: dict) -> dict:
    """The options as raw.json keeps them: no password of a database or Redis URL."""
    for key in ("database_url", "redis_url"):
        if options.get(key):
            parts = urlsplit(options[key])
            if parts.password:
                host = parts.netloc.rsplit("@", 1)[1]
                options[key] = urlunsplit(parts._replace(netloc=f"{parts.username}:***@{host}"))
    return options


def _jsonable(value):
    if isinstance(value, dict):
        return {key: _jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(item) for item in value]
    if isinstance(value, Path):
        return str(value)
    return value


def report_dir(out: Path) -> Path:
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
    return Path(out) / stamp
