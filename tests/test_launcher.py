"""The launcher starts what it says, reports health, and leaves nothing running when stopped."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import requests

from stacks.launcher import Stack

# What this checks does not depend on the database: run on SQLite only (see Makefile).
pytestmark = [pytest.mark.e2e, pytest.mark.any_database]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_a_stack_stops_every_process_it_started(tmp_path):
    stack = Stack("monolith", run_dir=tmp_path, fresh=True).start()
    pids = [process.pid for process in stack.processes.values()]
    health = requests.get(f"{stack.url('monolith')}/health/", timeout=5)
    stack.stop()
    assert health.json() == {"service": "monolith", "status": "ok", "database": "ok"}
    assert pids and not any(_alive(pid) for pid in pids)


def test_micro_runs_every_service_web_and_worker_on_a_private_redis(micro_stack):
    assert set(micro_stack.processes) == {
        "posts-web", "posts-worker", "comments-web", "comments-worker",
        "moderation-web", "moderation-worker", "query-web", "query-worker",
        "eventbus-web", "eventbus-worker", "aggregator-web",
    }  # fmt: skip
    assert micro_stack.unhealthy() == []
    assert micro_stack.redis is not None and micro_stack.redis.ping()
    assert micro_stack.redis_url != "redis://127.0.0.1:6379/0"


def _memory_kib(pid: int) -> dict[str, int]:
    """A process's /proc/<pid>/smaps_rollup: Rss, Pss, Shared_Dirty, Private_Dirty, ... in KiB."""
    rows = Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]
    return {name.rstrip(":"): int(kib) for name, kib, *_ in (row.split() for row in rows)}


def test_web_workers_share_what_their_arbiter_imported_and_it_holds_no_connection(micro_stack):
    """gunicorn preloads the app (shared/gunicorn_conf.py): each worker is forked from an
    arbiter that imported Django, the service and its URLconf, so most of a worker's memory
    is pages it still shares with it (Shared_Dirty); without preload each worker imports all
    of it again in pages of its own (Private_Dirty). The arbiter serves nothing: after
    requests that used the database it has no database file open and runs no thread of its
    own, so no fork copies a connection or a lock held by a thread."""
    from stacks.launcher.processes import launcher_web_shape

    for _ in range(20):
        assert requests.get(f"{micro_stack.url('posts')}/health/", timeout=5).status_code == 200
    arbiter = micro_stack.process("posts-web").pid
    children = Path(f"/proc/{arbiter}/task/{arbiter}/children").read_text()
    workers = [int(pid) for pid in children.split()]
    assert len(workers) == launcher_web_shape("posts")[0]
    for pid in workers:
        memory = _memory_kib(pid)
        assert memory["Shared_Dirty"] > memory["Private_Dirty"], memory
    assert os.listdir(f"/proc/{arbiter}/task") == [str(arbiter)]
    fds = Path(f"/proc/{arbiter}/fd")
    open_files = [os.readlink(fds / fd) for fd in os.listdir(fds)]
    assert not [name for name in open_files if "sqlite3" in name], open_files


def test_a_stopped_worker_is_reported_and_comes_back(micro_stack):
    micro_stack.stop_process("moderation-worker")
    try:
        assert micro_stack.unhealthy() == ["moderation-worker"]
    finally:
        micro_stack.start_process("moderation-worker")
    assert micro_stack.unhealthy() == []


def test_ctrl_c_on_the_launch_command_stops_everything(tmp_path):
    import signal
    import subprocess
    import sys

    from stacks.launcher import MANAGE_PY
    from stacks.processes import wait_until

    log = tmp_path / "launch.out"
    with log.open("w") as out:
        launcher = subprocess.Popen(
            [sys.executable, str(MANAGE_PY), "launch", "monolith", "--run-dir", str(tmp_path),
             "--port-base", "0"],
            stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        wait_until(lambda: "all healthy" in log.read_text(), timeout=60)
        children = _children(launcher.pid)
        assert children, "the launcher started no process"
        launcher.send_signal(signal.SIGINT)
        assert launcher.wait(timeout=30) == 0
    finally:
        if launcher.poll() is None:
            launcher.kill()
    assert "stopped" in log.read_text()
    assert not any(_alive(pid) for pid in children)


def _children(pid: int) -> list[int]:
    """Every descendant of a process, read from /proc."""
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            parents[int(entry)] = int(stat.rsplit(")", 1)[1].split()[1])
    found, frontier = [], [pid]
    while frontier:
        current = frontier.pop()
        kids = [child for child, parent in parents.items() if parent == current]
        found.extend(kids)
        frontier.extend(kids)
    return found


def test_the_printed_admin_hints_work_when_pasted(micro_stack, unique):
    """One line per service with an admin, run by a shell as printed: each creates a
    superuser in the database the running stack uses, who can then log in."""
    import subprocess

    from tests.admin_session import AdminSession

    hints = micro_stack.admin_hints()
    assert len(hints) == len(micro_stack.admin_services()) == 4
    username, password = f"hinted-{unique}", "a-long-hint-password-23"
    for hint in hints:
        subprocess.run(
            ["sh", "-c", f"{hint} --noinput --username {username} --email hint@example.com"],
            env={**os.environ, "DJANGO_SUPERUSER_PASSWORD": password},
            check=True, capture_output=True, timeout=120,
        )  # fmt: skip
    for spec in micro_stack.admin_services():
        AdminSession(micro_stack.url(spec.name), username=username, password=password)


def test_launch_admin_creates_a_superuser_on_every_admin_service(micro_stack, unique):
    from tests.admin_session import AdminSession

    username, password = f"launched-{unique}", "a-long-launch-password-29"
    micro_stack.create_admin(username, password)
    for spec in micro_stack.admin_services():
        AdminSession(micro_stack.url(spec.name), username=username, password=password)
