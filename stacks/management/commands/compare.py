"""`manage.py compare`: the benchmark. Both stacks, the same workload interleaved, a report."""

from __future__ import annotations

import argparse
import shlex
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from stacks.compare import reliability
from stacks.compare.report import summary_text, write_report
from stacks.compare.run import Benchmark, CompareOptions, report_dir
from stacks.launcher import PROJECT_DIR, StackError
from stacks.management.commands.launch import add_connection_arguments

QUICK: dict[str, Any] = {
    "levels": [1, 4],
    "duration": 0.5,
    "repetitions": 1,
    "posts": 10,
    "comments_per_post": 3,
    "lag_comments": 10,
    "lag_checks": 5,
    "pair_clients": 20,
    "max_writes": 40,
}
DEFAULT: dict[str, Any] = {
    "levels": [1, 8, 32],
    "duration": 2.0,
    "repetitions": 2,
    "posts": 50,
    "comments_per_post": 10,
    "lag_comments": 100,
    "lag_checks": 20,
    "pair_clients": 50,
    "max_writes": 100,
}


def concurrency_levels(text: str) -> list[int]:
    try:
        levels = sorted({int(part) for part in text.split(",") if part.strip()})
    except ValueError as error:
        raise CommandError(
            f"--concurrency takes whole numbers like 1,8,32, not {text!r}"
        ) from error
    if not levels or levels[0] < 1:
        raise CommandError("--concurrency needs at least one level, each 1 or more")
    return levels


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
        parser.add_argument("--concurrency", help="Closed-loop client counts (default 1,8,32).")
        parser.add_argument("--duration", type=float, help="Seconds per run (default 3).")
        parser.add_argument("--repetitions", type=int, help="Repetitions (default 2).")
        parser.add_argument("--posts", type=int, help="Seeded posts (default 50).")
        parser.add_argument("--comments-per-post", type=int, help="Seeded comments per post (10).")
        parser.add_argument(
            "--rate",
            type=float,
            help="Open-loop requests per second (default: half the slower "
            "stack's best closed-loop throughput).",
        )
        parser.add_argument("--clients", type=int, help="Clients of the pair run (default 50).")
        parser.add_argument(
            "--max-writes",
            type=int,
            help="At most this many requests per write run (default 100): micro has to "
            "finish every one before the next run starts.",
        )
        parser.add_argument(
            "--count-posts", type=int, default=10, help="N of the request-count table (10)."
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
        sizes = dict(QUICK if options["quick"] else DEFAULT)
        if options["concurrency"]:
            sizes["levels"] = concurrency_levels(options["concurrency"])
        for name in ("duration", "repetitions", "posts", "comments_per_post"):
            if options[name] is not None:
                sizes[name] = options[name]
        if options["clients"]:
            sizes["pair_clients"] = options["clients"]
        if options["max_writes"]:
            sizes["max_writes"] = options["max_writes"]
        if sizes["posts"] < 1 or sizes["repetitions"] < 1 or sizes["duration"] <= 0:
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
            **sizes,
            rate=options["rate"],
            out=Path(options["out"]),
            run_dir=Path(options["run_dir"]),
            database_url=options["database_url"],
            redis_url=options["redis_url"],
            quick=options["quick"],
            failure_matrix=(not options["quick"]) if matrix is None else matrix,
            scenarios=(not options["quick"]) if scenarios is None else scenarios,
            count_posts=options["count_posts"],
            reliability_faults=faults,
            generator_processes=options["generator_processes"],
            command=shlex.join(["python", *sys.argv]),
        )

    def handle(self, *args, **options):
        settings = self.options_from(options)
        directory = report_dir(settings.out)
        benchmark = Benchmark(settings, self.stdout.write)
        raw = benchmark.run()
        paths = write_report(raw, directory)
        self.stdout.write("\n" + summary_text(raw))
        self.stdout.write(self.style.SUCCESS(f"report: {paths['markdown']}"))
        self.stdout.write(f"        {paths['html']}\n        {paths['raw']}")
        if isinstance(benchmark.error, StackError):
            raise CommandError(f"the run stopped early: {benchmark.error}")
        if benchmark.error is not None:
            raise CommandError(f"the run stopped early: {benchmark.error!r}")
