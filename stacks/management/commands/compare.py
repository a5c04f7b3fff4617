"""`manage.py compare`: the benchmark. Both stacks, the same workload interleaved, a report."""

from __future__ import annotations

import argparse
import dataclasses
import shlex
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from stacks.compare import reliability
from stacks.compare.plan import FULL, QUICK, Sizes
from stacks.compare.report import summary_text, write_report
from stacks.compare.run import Benchmark, CompareOptions, report_dir
from stacks.launcher import PROJECT_DIR, StackError
from stacks.management.commands.launch import add_connection_arguments


def client_counts(text: str, option: str = "--concurrency") -> tuple[int, ...]:
    """Client counts given as whole numbers like 1,8,32: sorted, each once."""
    try:
        levels = sorted({int(part) for part in text.split(",") if part.strip()})
    except ValueError as error:
        raise CommandError(f"{option} takes whole numbers like 1,8,32, not {text!r}") from error
    if not levels or levels[0] < 1:
        raise CommandError(f"{option} needs at least one count, each 1 or more")
    return tuple(levels)


def counts_text(counts: tuple[int, ...]) -> str:
    return ",".join(str(count) for count in counts)


def counts_default_text(size: str) -> str:
    """A size of several client counts as the help names its defaults."""
    full, quick = getattr(FULL, size), getattr(QUICK, size)
    return f"default {counts_text(full)}; {counts_text(quick)} with --quick"


def default_text(size: str) -> str:
    """A size's defaults as the help names them, from stacks.compare.plan."""
    full, quick = getattr(FULL, size), getattr(QUICK, size)
    if full == quick:
        return f"default {full:g}"
    return f"default {full:g}; {quick:g} with --quick"


def sizes_from(options) -> Sizes:
    """A full run's sizes, or a --quick run's, with the ones the options give instead."""
    given = {
        "levels": client_counts(options["concurrency"]) if options["concurrency"] else None,
        **{
            name: options[name]
            for name in ("duration", "repetitions", "posts", "comments_per_post", "count_posts")
        },
        "pair_clients": client_counts(options["clients"], "--clients")
        if options["clients"]
        else None,
        # 0 writes means the default, as it always has.
        "max_writes": options["max_writes"] or None,
    }
    base = QUICK if options["quick"] else FULL
    return dataclasses.replace(
        base, **{name: value for name, value in given.items() if value is not None}
    )


class Command(BaseCommand):
    help = (
        "Benchmark the monolith against the microservices: latency, throughput, consistency "
        "lag, cost, request counts, failures, scaling; writes reports/<UTC time>/."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--quick",
            action="store_true",
            help="Small sizes, two concurrency levels, short runs (under a minute).",
        )
        parser.add_argument(
            "--concurrency",
            help=f"Closed-loop client counts ({counts_default_text('levels')}).",
        )
        parser.add_argument(
            "--duration", type=float, help=f"Seconds per run ({default_text('duration')})."
        )
        parser.add_argument(
            "--repetitions", type=int, help=f"Repetitions ({default_text('repetitions')})."
        )
        parser.add_argument("--posts", type=int, help=f"Seeded posts ({default_text('posts')}).")
        parser.add_argument(
            "--comments-per-post",
            type=int,
            help=f"Seeded comments per post ({default_text('comments_per_post')}).",
        )
        parser.add_argument(
            "--rate",
            type=float,
            help="Open-loop requests per second (default: half the slower "
            "stack's best closed-loop throughput).",
        )
        parser.add_argument(
            "--clients",
            help=f"Clients of each pair run, like 16,50 ({counts_default_text('pair_clients')}).",
        )
        parser.add_argument(
            "--max-writes",
            type=int,
            help=f"At most this many requests per write run ({default_text('max_writes')}): "
            "micro has to finish every one before the next run starts.",
        )
        parser.add_argument(
            "--count-posts",
            type=int,
            help=f"N of the request-count table ({default_text('count_posts')}).",
        )
        parser.add_argument(
            "--scenarios",
            action=argparse.BooleanOptionalAction,
            default=None,
            help="Request-count table from stacks/scenarios.py (default on; off with --quick).",
        )
        parser.add_argument(
            "--out",
            default=str(PROJECT_DIR / "reports"),
            help="Where the report folder goes (default ./reports).",
        )
        parser.add_argument(
            "--run-dir",
            default=str(PROJECT_DIR / "var" / "compare"),
            help="Databases, traces and logs of the run (default ./var/compare).",
        )
        parser.add_argument(
            "--generator-processes",
            type=int,
            help="Load generator processes (default 1 below 8 clients, else 2).",
        )
        parser.add_argument(
            "--failure-matrix",
            action=argparse.BooleanOptionalAction,
            default=None,
            help="Stop each process in turn (default on; off with --quick).",
        )
        parser.add_argument(
            "--reliability-faults",
            default="default",
            help="Faults run during a workload on micro: default (a few; one with --quick), "
            "all, none, or comma-separated names from stacks/reliability.py.",
        )
        add_connection_arguments(parser)

    def options_from(self, options) -> CompareOptions:
        sizes = sizes_from(options)
        if sizes.posts < 1 or sizes.repetitions < 1 or sizes.duration <= 0:
            raise CommandError("--posts, --repetitions and --duration must be positive")
        matrix, scenarios = options["failure_matrix"], options["scenarios"]
        try:
            faults = reliability.chosen_faults(
                options["reliability_faults"],
                quick=options["quick"],
                known=list(reliability.all_faults()),
            )
        except ValueError as error:
            raise CommandError(str(error)) from error
        return CompareOptions(
            **dataclasses.asdict(sizes),
            rate=options["rate"],
            out=Path(options["out"]),
            run_dir=Path(options["run_dir"]),
            database_url=options["database_url"],
            redis_url=options["redis_url"],
            quick=options["quick"],
            failure_matrix=(not options["quick"]) if matrix is None else matrix,
            scenarios=(not options["quick"]) if scenarios is None else scenarios,
            reliability_faults=faults,
            generator_processes=options["generator_processes"],
            command=shlex.join(["python", *sys.argv]),
        )

    def handle(self, *args, **options):
        settings = self.options_from(options)
        directory = report_dir(settings.out)
        benchmark = Benchmark(settings, self.stdout.write)
        record = benchmark.run()
        paths = write_report(record, directory)
        self.stdout.write("\n" + summary_text(record))
        self.stdout.write(self.style.SUCCESS(f"report: {paths['markdown']}"))
        self.stdout.write(f"        {paths['html']}\n        {paths['raw']}")
        if isinstance(benchmark.error, StackError):
            raise CommandError(f"the run stopped early: {benchmark.error}")
        if benchmark.error is not None:
            raise CommandError(f"the run stopped early: {benchmark.error!r}")
