"""`manage.py demo`: launch both stacks, run a short scripted scenario, print the answers, stop."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from stacks.demo import run_demo
from stacks.launcher import PROJECT_DIR, Stack, StackError
from stacks.management.commands.launch import add_stack_arguments, stack_env


class Command(BaseCommand):
    help = "Launch both stacks from empty databases, run a scripted demo on each, then stop."

    def add_arguments(self, parser):
        parser.add_argument("--run-dir", default=str(PROJECT_DIR / "var" / "demo"))
        add_stack_arguments(parser)

    def handle(self, *args, **options):
        stacks = [
            Stack(
                kind,
                run_dir=Path(options["run_dir"]) / kind,
                redis_url=options["redis_url"],
                database_url=options["database_url"],
                fresh=True,
                env=stack_env(options),
            )
            for kind in ("monolith", "micro")
        ]
        try:
            for stack in stacks:
                self.stdout.write(f"starting {stack.kind} ...")
                stack.start()
                urls = ", ".join(f"{name} {url}" for name, url in stack.urls.items())
                self.stdout.write(f"  {stack.kind} healthy: {urls}")
            run_demo(stacks, self.stdout.write)
        except StackError as error:
            raise CommandError(str(error)) from error
        finally:
            for stack in stacks:
                stack.stop()
        self.stdout.write(self.style.SUCCESS("\ndemo finished; every process stopped"))
