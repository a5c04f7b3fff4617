"""The worker watchdog restarts a stalled consumer, and only a stalled one."""

from __future__ import annotations

import sys
import time

import pytest

from shared.messaging import watchdog


@pytest.fixture
def restarts(monkeypatch) -> list[list[str]]:
    calls: list[list[str]] = []
    monkeypatch.setattr(watchdog.os, "execv", lambda path, argv: calls.append(argv))
    return calls


def _state(monkeypatch, *, idle: float, running: int, waiting: int | None) -> None:
    monkeypatch.setitem(watchdog._activity, "last", time.monotonic() - idle)
    monkeypatch.setitem(watchdog._activity, "running", running)
    monkeypatch.setattr(watchdog, "waiting_messages", lambda: waiting)


def test_messages_waiting_and_no_task_for_a_while_restarts_the_worker(monkeypatch, restarts):
    _state(monkeypatch, idle=watchdog.STALL_SECONDS + 1, running=0, waiting=3)
    watchdog.consumer_watchdog()
    [argv] = restarts
    assert argv[1:] == sys.orig_argv[1:]  # the same command: this test run's, here


@pytest.mark.parametrize(
    ("idle", "running", "waiting"),
    [
        (1, 0, 3),  # a task ran recently
        (watchdog.STALL_SECONDS + 1, 1, 3),  # a long task is running
        (watchdog.STALL_SECONDS + 1, 0, 0),  # nothing to do
        (watchdog.STALL_SECONDS + 1, 0, None),  # the broker is away: waiting is right
    ],
)
def test_a_healthy_or_rightly_waiting_worker_is_left_alone(
    monkeypatch, restarts, idle, running, waiting
):
    _state(monkeypatch, idle=idle, running=running, waiting=waiting)
    watchdog.consumer_watchdog()
    assert restarts == []
