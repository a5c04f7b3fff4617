"""What a stack costs the machine: memory and processes (from /proc), CPU time, storage.

Memory is the sum over every process of the stack (web processes with the workers they
fork, Celery workers, the private Redis): VmRSS from /proc/<pid>/status, and PSS from
/proc/<pid>/smaps_rollup, which shares pages common to a parent and its forks out fairly
instead of counting them once per process.
"""

from __future__ import annotations

import os
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

from shared.messaging.redis_acl import unacked_key
from stacks.launcher import Stack
from stacks.launcher.databases import per_service_database_url
from stacks.processes import ManagedProcess

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
QUEUES = ("posts", "comments", "moderation", "query", "eventbus")
# A stack at rest: drained, left alone this long, then its CPU read over the window
# (issue 11's idle target is over 10 s; manage.py idle_cpu and compare both use these).
IDLE_SETTLE_SECONDS = 5.0
IDLE_SECONDS = 10.0
IDLE_SECONDS_QUICK = 3.0


def _children_by_parent() -> dict[int, list[int]]:
    children: dict[int, list[int]] = defaultdict(list)
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = _stat_fields(int(entry.name))
        except OSError:
            continue
        children[int(fields[1])].append(int(entry.name))
    return children


def _stat_fields(pid: int) -> list[str]:
    """Fields of /proc/<pid>/stat after the command name (which may hold spaces): state first."""
    text = Path(f"/proc/{pid}/stat").read_text()
    return text[text.rindex(")") + 2 :].split()


def process_tree(pid: int, children: dict[int, list[int]] | None = None) -> list[int]:
    """A process and all of its descendants."""
    children = _children_by_parent() if children is None else children
    found, waiting = [], [pid]
    while waiting:
        current = waiting.pop()
        found.append(current)
        waiting.extend(children.get(current, []))
    return found


def status_kb(pid: int, field: str) -> int:
    """A "kB" field of /proc/<pid>/status (VmRSS) or smaps_rollup (Pss); 0 if gone."""
    source = "smaps_rollup" if field == "Pss" else "status"
    try:
        for line in Path(f"/proc/{pid}/{source}").read_text().splitlines():
            if line.startswith(f"{field}:"):
                return int(line.split()[1])
    except (OSError, ValueError):
        return 0
    return 0


def cpu_seconds(pid: int) -> float:
    """utime + stime of one process, in seconds (0 if it is gone)."""
    try:
        fields = _stat_fields(pid)
    except OSError:
        return 0.0
    # After the name: state(0) ppid(1) ... utime is field 14 of stat, i.e. index 11 here.
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def stack_roots(stack: Stack, extra: dict[str, ManagedProcess] | None = None) -> dict[str, int]:
    """Process name -> pid of every running process of a stack (plus extra ones, e.g. the
    additional workers of a scaling run)."""
    processes = list(stack.processes.items())
    if stack.redis:
        processes.append(("redis", stack.redis.process))
    processes += (extra or {}).items()
    return {
        name: process.pid
        for name, process in processes
        if process.running and process.pid is not None  # a running process has a pid
    }


def memory_snapshot(stack: Stack, extra=None) -> dict[str, dict]:
    """Per process name: processes (with forks), RSS and PSS in MiB."""
    children = _children_by_parent()
    snapshot = {}
    for name, pid in stack_roots(stack, extra).items():
        pids = process_tree(pid, children)
        snapshot[name] = {
            "processes": len(pids),
            "rss_mb": sum(status_kb(p, "VmRSS") for p in pids) / 1024,
            "pss_mb": sum(status_kb(p, "Pss") for p in pids) / 1024,
        }
    return snapshot


def cpu_snapshot(stack: Stack, extra=None) -> dict[str, float]:
    """Per process name: CPU seconds used so far by it and its live descendants."""
    children = _children_by_parent()
    return {
        name: sum(cpu_seconds(p) for p in process_tree(pid, children))
        for name, pid in stack_roots(stack, extra).items()
    }


def cpu_used(before: dict[str, float], after: dict[str, float]) -> dict[str, float]:
    return {name: max(0.0, after[name] - before.get(name, 0.0)) for name in after}


def cpu_at_rest(
    stacks: dict[str, Stack], *, seconds: float, settle: float = IDLE_SETTLE_SECONDS
) -> dict[str, dict[str, float]]:
    """Stack kind -> process -> CPU seconds used over `seconds` while nobody uses them: each
    drained, then left alone for `settle` seconds, then all read over the same window (the
    benchmark's at-rest phase and `manage.py idle_cpu`)."""
    for stack in stacks.values():
        wait_drained(stack)
    time.sleep(settle)
    before = {kind: cpu_snapshot(stack) for kind, stack in stacks.items()}
    time.sleep(seconds)
    return {kind: cpu_used(before[kind], cpu_snapshot(stack)) for kind, stack in stacks.items()}


# -- storage -----------------------------------------------------------------------------------
def storage_bytes(stack: Stack) -> dict[str, dict]:
    """Per service database: "data", the bytes its tables and indexes hold (SQLite: pages in
    use, seen through the WAL; PostgreSQL: the relations of the public schema), "disk",
    what the database takes on disk (SQLite files with -wal and -shm; pg_database_size),
    and "tables", the bytes of each table with its indexes (what summary.storage_by_kind
    sorts into the blog's data, copies, the event store, bookkeeping and Django's own)."""
    sizes = {}
    for spec in stack.services:
        if not spec.has_database:
            continue
        url = per_service_database_url(stack.database_url, service=spec.name, run_dir=stack.run_dir)
        sizes[spec.name] = _postgres_size(url) if stack.database_url else _sqlite_size(url)
    return sizes


def _sqlite_size(url: str) -> dict:
    import sqlite3

    path = url.removeprefix("sqlite:///")
    disk = sum(
        Path(path + suffix).stat().st_size
        for suffix in ("", "-wal", "-shm")
        if Path(path + suffix).exists()
    )
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)
    try:
        page_size = connection.execute("PRAGMA page_size").fetchone()[0]
        pages = connection.execute("PRAGMA page_count").fetchone()[0]
        free = connection.execute("PRAGMA freelist_count").fetchone()[0]
        # dbstat: the pages of every table and index (an index counted with its table).
        tables = dict(
            connection.execute(
                "SELECT coalesce(m.tbl_name, s.name), sum(s.pgsize) FROM dbstat s "
                "LEFT JOIN sqlite_master m ON m.name = s.name GROUP BY 1"
            ).fetchall()
        )
    finally:
        connection.close()
    return {"data": (pages - free) * page_size, "disk": disk, "tables": tables}


def _postgres_size(url: str) -> dict:
    import psycopg

    with psycopg.connect(url, autocommit=True, connect_timeout=5) as connection:
        (disk,) = _one_row(connection.execute("SELECT pg_database_size(current_database())"))
        tables = {
            name: int(size)
            for name, size in connection.execute(
                "SELECT c.relname, pg_total_relation_size(c.oid) FROM pg_class c "
                "JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE n.nspname = 'public' AND c.relkind IN ('r', 'm')"
            ).fetchall()
        }
    return {"data": sum(tables.values()), "disk": int(disk), "tables": tables}


def _one_row(cursor) -> tuple:
    """The row of an aggregate query (which always has one)."""
    row = cursor.fetchone()
    assert row is not None, "an aggregate query answered no row"
    return row


def redis_memory(stack: Stack) -> dict[str, int] | None:
    """Redis's own view of its memory, and the append-only file on disk (micro only)."""
    if not stack.redis_url:
        return None
    import redis

    info = redis.Redis.from_url(stack.redis_url, socket_timeout=2).info("memory")
    aof = 0
    if stack.redis:
        aof = sum(f.stat().st_size for f in stack.redis.data_dir.rglob("*") if f.is_file())
    return {"used_memory": int(info["used_memory"]), "data_files": aof}


# -- waiting for micro's asynchronous work to finish -------------------------------------------
def queued_messages(stack: Stack) -> int:
    """Messages waiting in the service queues or handed out but not yet acknowledged."""
    if stack.kind != "micro" or not stack.redis_url:
        return 0
    return queued_in(stack.redis_url)


def queued_in(redis_url: str) -> int:
    """queued_messages of the micro stack whose broker is at `redis_url`."""
    import redis

    client = redis.Redis.from_url(redis_url, socket_timeout=2)
    waiting = sum(client.llen(queue) for queue in QUEUES)
    return waiting + sum(client.hlen(unacked_key(queue)) for queue in QUEUES)


def wait_drained(stack: Stack, *, timeout: float = 120.0, extra=None) -> float:
    """Wait until no message is queued and the workers' CPU time has stopped moving; returns
    the seconds waited. The monolith has nothing asynchronous to wait for."""
    if stack.kind != "micro":
        return 0.0
    started = time.monotonic()
    workers = [name for name in stack_roots(stack, extra) if "worker" in name]

    def worker_cpu() -> float:
        busy = cpu_snapshot(stack, extra)
        return sum(busy.get(name, 0.0) for name in workers)

    wait_settled(worker_cpu, lambda: queued_messages(stack), timeout=timeout)
    return time.monotonic() - started


def wait_settled(
    cpu_now: Callable[[], float], queued_now: Callable[[], int], *, timeout: float
) -> bool:
    """Wait until nothing is queued and the CPU seconds `cpu_now()` reads have stopped moving
    (under 2.5 clock ticks between two reads a quarter of a second apart); whether they did
    within `timeout` seconds (wait_drained, and the revision A/B between its rounds)."""
    deadline, last = time.monotonic() + timeout, None
    while time.monotonic() < deadline:
        used = cpu_now()
        if last is not None and used - last < 2.5 / CLOCK_TICKS and queued_now() == 0:
            return True
        last = used
        time.sleep(0.25)
    return False
