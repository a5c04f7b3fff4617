"""At rest: the CPU of every process of each stack while nobody uses it (after the
overload has drained and the stacks were left alone for a few seconds). The cost section
shows it (stacks/compare/overview.py); `manage.py idle_cpu` measures one stack the same way."""

from __future__ import annotations

import time

from stacks.compare import cost
from stacks.compare.phase import Context, Phase


class AtRest(Phase):
    name = "idle"

    def run(self, context: Context) -> None:
        seconds = cost.IDLE_SECONDS_QUICK if context.options.quick else cost.IDLE_SECONDS
        context.say(f"at rest: every process's CPU over {seconds:g} s with nothing to do")
        for stack in context.stacks.values():
            cost.wait_drained(stack)
        time.sleep(cost.IDLE_SETTLE_SECONDS)
        before = {kind: cost.cpu_snapshot(stack) for kind, stack in context.stacks.items()}
        time.sleep(seconds)
        idle = context.record.cost.idle_cpu = {
            "seconds": seconds,
            "cpu_s": {
                kind: cost.cpu_used(before[kind], cost.cpu_snapshot(stack))
                for kind, stack in context.stacks.items()
            },
        }
        for kind, used in idle["cpu_s"].items():
            context.say(f"    {kind}: {100 * sum(used.values()) / seconds:.2f}% of a core")
