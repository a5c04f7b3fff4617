"""The tracing A/B: each stack's list at one client, trace records on and off alternately:
what tracing would cost the latency phases (which run with it off). Its table is part of
the floor's section (stacks/compare/floor.py)."""

from __future__ import annotations

from stacks.compare import records
from stacks.compare.phase import Context, Phase
from stacks.compare.workload import READ_ACTIONS


class TracingAB(Phase):
    name = "tracing_ab"

    def run(self, context: Context) -> None:
        repetitions = context.options.tracing_repetitions
        context.say(f"tracing A/B: each list at 1 client, traced and untraced, x{repetitions}")
        for repetition in range(1, repetitions + 1):
            for action in READ_ACTIONS[:2]:
                for traced in (True, False):
                    stack = context.stacks[action.stack]
                    stack.set_tracing(traced)
                    try:
                        record = context.closed_run(
                            action, concurrency=1, duration=context.options.duration,
                            repetition=repetition,
                        )  # fmt: skip
                    finally:
                        stack.set_tracing(True)
                    context.record.tracing_ab.append(records.tracing_ab_record(record, traced))
