"""`manage.py idle_cpu`: how much CPU a launched stack uses while nobody uses it.

Launches the stack (fresh databases, a private Redis), waits until it is healthy and its
queues are drained, then reads utime + stime of every process (with its forks) from
/proc/<pid>/stat before and after a quiet window, and prints each process's share of one
core and the total.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from django.core.management.base import BaseCommand

from stacks.compare.cost import IDLE_SECONDS, IDLE_SETTLE_SECONDS, cpu_at_rest
from stacks.launcher import Stack


class Command(BaseCommand):
    help = "Launch a stack and print the CPU it uses at rest (per process and in total)."

    def add_arguments(self, parser):
        parser.add_argument("kind", nargs="?", default="micro", choices=["micro", "monolith"])
        parser.add_argument(
            "--seconds",
            type=float,
            default=IDLE_SECONDS,
            help=f"Quiet window ({IDLE_SECONDS:g} s).",
        )
        parser.add_argument(
            "--settle",
            type=float,
            default=IDLE_SETTLE_SECONDS,
            help=f"Wait first ({IDLE_SETTLE_SECONDS:g} s).",
        )
        parser.add_argument("--port-base", type=int, default=None)

    def handle(self, *args, **options):
        run_dir = Path(tempfile.mkdtemp(prefix="idle-cpu-"))
        stack = Stack(options["kind"], run_dir=run_dir, port_base=options["port_base"], fresh=True)
        seconds = options["seconds"]
        with stack:  # starts it, stops it at the end
            used = cpu_at_rest({stack.kind: stack}, seconds=seconds, settle=options["settle"])[
                stack.kind
            ]
        for name, cpu in sorted(used.items()):
            self.stdout.write(f"{name:<20} {100 * cpu / seconds:6.2f} % of a core")
        total = sum(used.values())
        self.stdout.write(
            f"{'total':<20} {100 * total / seconds:6.2f} % of a core "
            f"({total * 1000:.0f} ms CPU in {seconds:.0f} s)"
        )
