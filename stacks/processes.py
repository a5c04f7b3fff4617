"""One child process of a stack: started in its own session, stopped with everything it forked."""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import subprocess
import time
from pathlib import Path

_PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:  # pragma: no cover - runs in the child between fork and exec
    """Ask Linux to SIGTERM the child if the launcher dies, so nothing is left running.

    Linux ties this to the *thread* that started the child: start stacks from the main
    thread (a helper thread that ends would take the stack's processes with it)."""
    with contextlib.suppress(OSError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


class ManagedProcess:
    """A web process, a worker or Redis, with its log file."""

    def __init__(self, *, name: str, command: list[str], env: dict[str, str], log_path: Path):
        self.name = name
        self.command = command
        self.env = env
        self.log_path = log_path
        self.popen: subprocess.Popen | None = None
        self.paused = False

    @property
    def pid(self) -> int | None:
        return self.popen.pid if self.popen else None

    def start(self) -> None:
        if self.running:
            return
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        log = self.log_path.open("ab")
        self.popen = subprocess.Popen(
            self.command,
            env=self.env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=_die_with_parent,
        )
        log.close()
        self.paused = False

    @property
    def running(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def _signal_group(self, signum: int) -> None:
        if self.popen is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.popen.pid, signum)

    def stop(self, *, timeout: float = 10.0) -> None:
        """SIGTERM the process group, then SIGKILL what is left after the timeout."""
        self.terminate()
        self.wait_stopped(timeout=timeout)

    def terminate(self) -> None:
        """Ask the process group to stop (SIGTERM), without waiting: see wait_stopped."""
        if self.popen is None:
            return
        if self.paused:
            self.resume()
        self._signal_group(signal.SIGTERM)

    def wait_stopped(self, *, timeout: float = 10.0) -> None:
        """Wait for a terminated process; SIGKILL what is left after the timeout."""
        if self.popen is None:
            return
        try:
            self.popen.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self._signal_group(signal.SIGKILL)
            self.popen.wait(timeout=5)
        # Reap what the process forked (gunicorn's workers) if any lingers.
        self._signal_group(signal.SIGKILL)
        self.popen = None

    def kill(self) -> None:
        """kill -9 the whole process group, as a crash would."""
        if self.popen is None:
            return
        self._signal_group(signal.SIGKILL)
        self.popen.wait(timeout=5)
        self.popen = None

    def pause(self) -> None:
        self._signal_group(signal.SIGSTOP)
        self.paused = True

    def resume(self) -> None:
        self._signal_group(signal.SIGCONT)
        self.paused = False

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except FileNotFoundError:
            return "(no log)"


def stop_all(processes: list[ManagedProcess], *, timeout: float = 10.0) -> None:
    """Stop several processes at once: SIGTERM to all, then wait for each (one by one, each
    graceful shutdown would add up)."""
    for process in processes:
        process.terminate()
    deadline = time.monotonic() + timeout
    for process in processes:
        process.wait_stopped(timeout=max(0.0, deadline - time.monotonic()))


def wait_until(predicate, *, timeout: float, interval: float = 0.05, message: str = "") -> None:
    """Poll a predicate until it is true; raise TimeoutError after the timeout."""
    deadline = time.monotonic() + timeout
    while True:
        if predicate():
            return
        if time.monotonic() > deadline:
            raise TimeoutError(message or "condition not met in time")
        time.sleep(interval)
