"""The launcher starts what it says, reports health, and leaves nothing running when stopped."""

from __future__ import annotations

import os

import pytest
import requests

from stacks.launcher import Stack

pytestmark = pytest.mark.e2e


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


def test_a_stopped_worker_is_reported_and_comes_back(micro_stack):
    micro_stack.stop_process("moderation-worker")
    try:
        assert micro_stack.unhealthy() == ["moderation-worker"]
    finally:
        micro_stack.start_process("moderation-worker")
    assert micro_stack.unhealthy() == []
