"""The benchmark run: both stacks up, the same data, every phase in turn, a record kept.

The phases and their order are stacks/compare/phases.py's PHASES (why that order, there).
"""

from __future__ import annotations

import dataclasses
import datetime
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from stacks.compare.machine import cpu_sample, machine_info, other_load
from stacks.compare.phase import Context, in_parallel
from stacks.compare.phases import PHASES
from stacks.compare.plan import Sizes
from stacks.compare.record import Meta, RunRecord


@dataclasses.dataclass(frozen=True)
class CompareOptions(Sizes):
    """One run: its sizes (stacks.compare.plan), then what it runs against and where."""

    rate: float | None
    out: Path
    run_dir: Path
    database_url: str | None = None
    redis_url: str | None = None
    quick: bool = False
    failure_matrix: bool = True
    scenarios: bool = True  # the request-count table from stacks/scenarios.py
    generator_processes: int | None = None  # None: 1 below 8 clients, else 2
    reliability_faults: list[str] = dataclasses.field(default_factory=list)
    command: str = ""


class Benchmark:
    """One run: each phase of PHASES in order, its results kept in `self.record`."""

    def __init__(self, options: CompareOptions, say: Callable[[str], None]):
        self.options = options
        self.cpu_at_start = cpu_sample()
        self.error: BaseException | None = None
        self.record = RunRecord(
            meta=Meta(
                command=options.command,
                machine=machine_info(),
                options=_jsonable(_redacted(dataclasses.asdict(options))),
                database="postgresql" if options.database_url else "sqlite",
                started_at=_utc_now(),
            )
        )
        self.context = Context(options, self.record, say)

    def say(self, line: str) -> None:
        self.context.say(line)

    def run(self) -> RunRecord:
        """Every phase in order (a phase whose plan says why not is skipped, the reason kept
        in the record's notes); if one fails (or Ctrl-C), the stacks are stopped and what was
        measured so far is returned, with the reason in meta.aborted (and in self.error)."""
        meta = self.record.meta
        try:
            for phase in PHASES:
                skipped = phase.plan(self.options)
                if skipped:
                    self.record.notes[phase.name] = skipped
                    continue
                phase.run(self.context)
        except (Exception, KeyboardInterrupt) as error:
            self.error = error
            meta.aborted = f"{type(error).__name__}: {error}"
            self.say(f"stopped early: {error!r}\n{traceback.format_exc()}")
        finally:
            in_parallel([stack.stop for stack in self.context.stacks.values()])
        meta.other_load = other_load(self.cpu_at_start, cpu_sample())
        meta.finished_at = _utc_now()
        meta.duration_s = time.monotonic() - self.context.began
        return self.record


def _utc_now() -> str:
    return datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _redacted(options: dict) -> dict:
    """The options as raw.json keeps them: no password of a database or Redis URL."""
    for key in ("database_url", "redis_url"):
        if options.get(key):
            parts = urlsplit(options[key])
            if parts.password:
                host = parts.netloc.rsplit("@", 1)[1]
                options[key] = urlunsplit(parts._replace(netloc=f"{parts.username}:***@{host}"))
    return options


def _jsonable(value):
    if isinstance(value, dict):
        return {key: _jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(item) for item in value]
    if isinstance(value, Path):
        return str(value)
    return value


def report_dir(out: Path) -> Path:
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
    return Path(out) / stamp
