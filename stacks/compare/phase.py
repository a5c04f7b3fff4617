"""The one interface every benchmark phase implements, and the context the phases share.

A phase is one module (stacks/compare/phases.py lists them, in run order): `plan` says
whether it runs with these options (or why not), `run` measures and stores its typed result
in the run's record, `sections` builds its part of the report from a record (a pure
function of it, so a report can be rebuilt from raw.json), and `charts` draws its charts.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from stacks.compare import cost, loadgen, records, workload
from stacks.compare.document import Section
from stacks.compare.record import RunRecord
from stacks.compare.workload import READ_ACTIONS, Action

if TYPE_CHECKING:
    from stacks.compare.run import CompareOptions
    from stacks.launcher import Stack

Charts = dict[str, tuple[str, str]]  # chart name -> (file name, caption)


class ReportPart:
    """Something that contributes sections (and charts) to the report."""

    name: ClassVar[str]
    in_summary: ClassVar[bool] = False  # also in the summary the command prints at the end

    def sections(self, record: RunRecord, charts: Charts) -> list[Section]:
        """This part's sections, from the record; `charts` are the drawn ones ({} in the
        printed summary, which has no images)."""
        return []

    def charts(self, record: RunRecord, out: Path) -> Charts:
        """Draw this part's charts into `out` (those there is data for)."""
        return {}


class Phase(ReportPart):
    """One step of the run, in the order stacks/compare/phases.py lists it."""

    def plan(self, options: CompareOptions) -> str | None:
        """None if the phase runs with these options; else why not (kept in the record's
        notes under the phase's name)."""
        return None

    def run(self, context: Context) -> None:
        raise NotImplementedError


def generator_processes(options: CompareOptions, concurrency: int) -> int:
    """One generator process below 8 clients, two from 8 (unless asked), so that 32 client
    threads take turns for two GILs, not one. Whether that matters on this machine is
    measured in every default run (the load generator check)."""
    if options.generator_processes:
        return options.generator_processes
    return 1 if concurrency < 8 else 2


class Context:
    """What the phases share while a run lasts: the options, both stacks, the seeded data,
    the record being filled in, and the closed-loop runner the read and write phases use."""

    def __init__(self, options: CompareOptions, record: RunRecord, say: Callable[[str], None]):
        self.options = options
        self.record = record
        self._say = say
        self.began = time.monotonic()
        self.stacks: dict[str, Stack] = {}
        self.post_ids: dict[str, list[int]] = {}
        self.side_posts: dict[tuple[str, str], int] = {}

    def say(self, line: str) -> None:
        self._say(f"[{time.monotonic() - self.began:6.1f}s] {line}")

    @property
    def monolith(self) -> Stack:
        return self.stacks["monolith"]

    @property
    def micro(self) -> Stack:
        return self.stacks["micro"]

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

    def warm_up(self, actions: Iterable[Action]) -> None:
        with self.untraced():
            for action in actions:
                self.closed_run(
                    action, concurrency=2, duration=self.options.warm_up_seconds, repetition=0
                )

    @contextlib.contextmanager
    def untraced(self):
        """No trace records while latency and throughput are measured (they are what the
        request-count, lag and probe phases read; the tracing A/B shows what they cost)."""
        for stack in self.stacks.values():
            stack.set_tracing(False)
        try:
            yield
        finally:
            for stack in self.stacks.values():
                stack.set_tracing(True)

    def measure(self, actions: tuple[Action, ...]) -> list[dict]:
        """Every action at every level, interleaved, each repetition in turn; the runs are
        appended to the record's closed-loop runs."""
        with self.untraced():
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
        self.record.runs += measured
        return measured


def in_parallel(functions: list[Callable[[], None]]) -> None:
    """Run a few blocking calls at once (seeding or stopping both stacks); re-raise a failure."""
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
