"""The writes: create post and add comment on both stacks, closed loop, micro drained after
every run (so that its asynchronous work never spills into the next run, and its CPU is
charged to the run that caused it); then the load generator's own check."""

from __future__ import annotations

from stacks.compare import records
from stacks.compare.document import Section, Table
from stacks.compare.formats import NOT_MEASURED, ms, per_s, share
from stacks.compare.phase import Charts, Context, Phase
from stacks.compare.record import RunRecord
from stacks.compare.stats import median
from stacks.compare.summary import closed_loop_rows
from stacks.compare.workload import WRITE_ACTIONS

LOADGEN_GAIN = 0.1  # two generator processes "help" above 10% more throughput


class Writes(Phase):
    name = "writes"

    def run(self, context: Context) -> None:
        context.say("warming up the writes ...")
        context.warm_up(WRITE_ACTIONS)
        context.say("writes, interleaved; micro drained after each run:")
        context.measure(WRITE_ACTIONS)
        loadgen_check(context)

    def sections(self, record: RunRecord, charts: Charts) -> list[Section]:
        return [loadgen_check_section(record.as_mapping())]


def loadgen_check(context: Context) -> None:
    """The cheapest action (the monolith's create post, the highest request rate, so the
    most work for the generator) at the highest concurrency, driven by one generator
    process and by two, alternately, twice: does one process hold the run back?"""
    options = context.options
    concurrency = max(options.levels)
    if concurrency < 8 or options.quick:
        return
    action = WRITE_ACTIONS[0]
    context.say(f"load generator check: {action.key}, c={concurrency}, 1 or 2 processes")
    for repetition, processes in ((1, 1), (1, 2), (2, 1), (2, 2)):
        record = context.closed_run(
            action,
            concurrency=concurrency,
            duration=options.duration,
            repetition=repetition,
            processes=processes,
            capped=False,
        )
        context.record.loadgen_check.append(record)
        context.say(f"    {processes} process(es): {records.progress(record)}")


def loadgen_check_section(raw: dict) -> Section:
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
