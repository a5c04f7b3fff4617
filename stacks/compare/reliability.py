"""The benchmark's reliability phase: faults injected during a small workload on micro.

The same code as tests/test_reliability.py (stacks.reliability.run_fault), on a smaller
workload so that it fits the benchmark's time: a table of what was lost, what was applied
twice (both must be 0) and how long micro took to converge once the fault was over.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable
from typing import TYPE_CHECKING

from stacks.compare.document import Section, Table
from stacks.compare.phase import Charts, Context, Phase
from stacks.compare.record import RunRecord

if TYPE_CHECKING:
    from stacks.launcher import Stack

# A few faults of each kind (a worker, the broker, the relay, bad input, load), ~4 minutes.
DEFAULT_FAULTS = (
    "kill -9 comments-worker",
    "kill -9 eventbus-worker",
    "kill -9 query-worker",
    "kill -9 redis",
    "redis down 3 s",
    "redis hung 5 s",
    "relay dies after publishing (posts, comments)",
    "poison messages",
    "overload",
    "broker loses everything while a backlog waits",
)
QUICK_FAULTS = ("kill -9 comments-worker",)
# Workload per fault: posts, each followed by this many comments.
WORKLOAD = {"posts": 15, "comments_per_post": 4}
QUICK_WORKLOAD = {"posts": 5, "comments_per_post": 3}
TITLE = "Reliability: faults during a workload (micro)"


def all_faults() -> dict[str, Callable[[Stack], None]]:
    from stacks.reliability import FAULTS, KNOWN_GAPS

    return {**FAULTS, **KNOWN_GAPS}


def chosen_faults(choice: str, *, quick: bool, known: list[str]) -> list[str]:
    """Which faults to run: "default" (a subset; one with --quick), "all", "none", or
    comma-separated names. Raises ValueError naming an unknown fault."""
    if choice == "default":
        return list(QUICK_FAULTS if quick else DEFAULT_FAULTS)
    if choice == "all":
        return list(known)
    if choice == "none":
        return []
    names = [name.strip() for name in choice.split(",") if name.strip()]
    unknown = [name for name in names if name not in known]
    if unknown:
        raise ValueError(
            f"unknown reliability fault(s): {', '.join(unknown)}; choose from: {', '.join(known)}"
        )
    return names


def run_phase(stack: Stack, names: list[str], *, quick: bool, say: Callable[[str], None]):
    """Run each fault in turn on the micro stack; returns (rows, note)."""
    from stacks.reliability import run_fault

    if not names:
        return [], "skipped (--reliability-faults none)"
    workload = QUICK_WORKLOAD if quick else WORKLOAD
    actions = workload["posts"] * (1 + workload["comments_per_post"])
    say(f"reliability: {len(names)} fault(s), each during {actions} actions on micro ...")
    rows: list[dict] = []
    for name in names:
        try:
            result = run_fault(stack, name, all_faults()[name], **workload)
        except Exception as error:  # one fault failing must not lose the rest of the report
            say(f"  {name}: failed: {error!r}\n{traceback.format_exc()}")
            return rows, f"stopped at {name!r}: {error!r}"
        rows.append(result.as_row())
        say(f"  {progress(rows[-1])}")
    return rows, ""


def progress(row: dict) -> str:
    state = "converged" if row["converged"] else "DID NOT CONVERGE"
    return (
        f"{row['fault']}: {row['actions']} actions, lost {row['lost']}, applied twice "
        f"{row['applied_twice']}, {state} in {row['converge_seconds']} s"
    )


def section(raw: dict) -> Section:
    rows = raw.get("reliability") or []
    note = raw.get("notes", {}).get("reliability", "")
    blocks: list = [
        "Each fault injected halfway through a workload of posts and comments on micro, then "
        "removed (stacks/reliability.py, the code tests/test_reliability.py asserts with). "
        "Lost: accepted writes missing from their owner or from query, or with the wrong "
        "status; applied twice: an effect recorded twice in the event store. Both must be 0. "
        "A poison message not kept as a dead letter with its error counts as lost. Converge: "
        "seconds from the fault's end until every accepted write was visible."
    ]
    if rows:
        blocks.append(
            Table(
                ["fault", "actions", "refused", "lost", "applied twice", "converged", "converge s"],
                [
                    [
                        row["fault"],
                        row["actions"],
                        row["refused"],
                        row["lost"] + row.get("dead_letters_missing", 0),
                        row["applied_twice"],
                        "yes" if row["converged"] else "NO",
                        row["converge_seconds"],
                    ]
                    for row in rows
                ],
            )
        )
    if note or not rows:
        blocks.append(f"Not measured: {note}." if note else "Not measured in this run.")
    return Section(TITLE, blocks)


class Reliability(Phase):
    name, in_summary = "reliability", True

    def plan(self, options) -> str | None:
        return None if options.reliability_faults else "skipped (--reliability-faults none)"

    def run(self, context: Context) -> None:
        names, quick = context.options.reliability_faults, context.options.quick
        rows, note = run_phase(context.micro, names, quick=quick, say=context.say)
        context.record.reliability, context.record.notes[self.name] = rows, note

    def sections(self, record: RunRecord, charts: Charts) -> list[Section]:
        return [section(record.as_mapping())]
