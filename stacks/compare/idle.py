"""At rest: the CPU of every process of each stack while nobody uses it (after the
overload has drained and the stacks were left alone for a few seconds). The cost section
shows it (stacks/compare/overview.py); `manage.py idle_cpu` measures one stack the same way."""

from __future__ import annotations

from stacks.compare import cost
from stacks.compare.phase import Context, Phase


class AtRest(Phase):
    name = "idle"

    def run(self, context: Context) -> None:
        seconds = cost.IDLE_SECONDS_QUICK if context.options.quick else cost.IDLE_SECONDS
        context.say(f"at rest: every process's CPU over {seconds:g} s with nothing to do")
        idle = context.record.cost.idle_cpu = {
            "seconds": seconds,
            "cpu_s": cost.cpu_at_rest(context.stacks, seconds=seconds),
        }
        for kind, used in idle["cpu_s"].items():
            context.say(f"    {kind}: {100 * sum(used.values()) / seconds:.2f}% of a core")
