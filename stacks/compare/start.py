"""The first phase: both stacks started on fresh databases, and how busy the machine was."""

from __future__ import annotations

import os
import shutil

from stacks.compare import workload
from stacks.compare.phase import Context, Phase
from stacks.launcher import Stack


class StartStacks(Phase):
    name = "start_stacks"

    def run(self, context: Context) -> None:
        options = context.options
        for kind in workload.STACK_ORDER:
            shutil.rmtree(options.run_dir / kind, ignore_errors=True)  # last run's files
            context.stacks[kind] = Stack(
                kind,
                run_dir=options.run_dir / kind,
                database_url=options.database_url,
                redis_url=options.redis_url if kind == "micro" else None,
                fresh=True,
            )
        load = os.getloadavg()[0]
        context.record.meta.load_average_at_start = load
        if load > 0.5 * len(os.sched_getaffinity(0)):
            context.say(
                f"warning: the machine is already busy (load average {load:.1f}); "
                "other processes will disturb the figures"
            )
        context.say("starting both stacks (fresh databases) ...")
        for stack in context.stacks.values():
            # From this thread: the launcher's children die with the thread that started them
            # (PR_SET_PDEATHSIG is per thread), so never from a helper thread.
            stack.start()
            context.say(f"  {stack.kind} healthy: {len(stack.processes)} processes")
