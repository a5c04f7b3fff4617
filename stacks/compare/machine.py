"""Which machine, software and code a report's numbers come from."""

from __future__ import annotations

import datetime
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent.parent


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _memory_gib() -> float | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    return None


def _git(*args: str) -> str:
    try:
        return subprocess.run(
            ["git", *args], cwd=PROJECT_DIR, capture_output=True, text=True, timeout=5
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""


def machine_info() -> dict:
    dirty = bool(_git("status", "--porcelain", "--untracked-files=no"))
    return {
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "nproc": len(os.sched_getaffinity(0)),
        "cpu": _cpu_model(),
        "memory_gib": _memory_gib(),
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "python_executable": sys.executable,
        "git_commit": (_git("rev-parse", "--short", "HEAD") or "unknown")
        + (" (with uncommitted changes)" if dirty else ""),
    }


def describe(info: dict) -> str:
    return (
        f"{info['nproc']} CPUs ({info['cpu']}), {info['memory_gib']} GiB RAM, {info['os']}, "
        f"Python {info['python']}, commit {info['git_commit']}, {info['date']}"
    )


# -- was anything else running? --------------------------------------------------------------
def cpu_sample() -> dict[str, float]:
    """The machine's busy CPU seconds so far (/proc/stat) and this process's own, with every
    child it has waited for (the stacks' processes and the generators, once stopped)."""
    fields = [int(value) for value in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = fields[:8]
    ticks = os.sysconf("SC_CLK_TCK")
    own = os.times()
    return {
        "machine_busy_s": (user + nice + system + irq + softirq + steal) / ticks,
        "ours_s": own.user + own.system + own.children_user + own.children_system,
        "wall_s": time.monotonic(),
    }


def other_load(before: dict[str, float], after: dict[str, float]) -> float | None:
    """The share of the machine's CPU that processes other than this run used meanwhile
    (read after the stacks were stopped, so their CPU is counted as ours)."""
    capacity = (after["wall_s"] - before["wall_s"]) * len(os.sched_getaffinity(0))
    if capacity <= 0:
        return None
    busy = after["machine_busy_s"] - before["machine_busy_s"]
    ours = after["ours_s"] - before["ours_s"]
    return max(0.0, busy - ours) / capacity
