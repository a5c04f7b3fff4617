"""A stack's processes: each service's web process and worker, extra workers, and their health."""

from __future__ import annotations

import os
import re
import sys
import time
from pathlib import Path

import requests

from shared.web_shape import web_shape
from stacks.launcher.base import PROJECT_DIR, StackBase, StackError
from stacks.processes import ManagedProcess, wait_until
from stacks.routes import ServiceSpec


# Each service's shape (gunicorn processes x threads): shared/web_shape.py, which the image
# asks too. BLOG_WEB_WORKERS and BLOG_WEB_THREADS set every service's (BLOG_WEB_WORKERS=2
# BLOG_WEB_THREADS=4 is the old shape). The app is preloaded (shared/gunicorn_conf.py): a
# service's processes share most of their pages with the arbiter they were forked from
# (docs/cost.md).
def launcher_web_shape(service: str) -> tuple[int, int]:
    """(gunicorn processes, threads each) the launcher runs a service's web process with."""
    return web_shape(
        service,
        workers=os.environ.get("BLOG_WEB_WORKERS"),
        threads=os.environ.get("BLOG_WEB_THREADS"),
    )


# gthread, asleep while it has no connection (shared/gunicorn_worker.py).
WORKER_CLASS = "shared.gunicorn_worker.IdleThreadWorker"
# A Celery worker skips Django's system checks at start (Celery's Django fixup runs them
# unless CELERY_SKIP_CHECKS is set): running them imports the service's URLconf, so every
# view, DRF's and drf-spectacular's schema machinery and the admin's URLs, 6 MiB a worker
# that no task uses. The same checks run where they belong: `migrate` runs them before a
# service's processes start, tests/test_production.py for every deployable. The container
# image sets the same (deploy/docker-entrypoint.sh).
WORKER_ENV = {"CELERY_SKIP_CHECKS": "1"}


def gunicorn_command(
    wsgi: str, *, bind: str, workers: int | None = None, threads: int | None = None
) -> list[str]:
    """The one way a web process is served: every service, and the benchmark's WSGI floor,
    which is served as query is (the floor query's list is measured against) unless
    `workers` and `threads` say otherwise."""
    query_workers, query_threads = launcher_web_shape("query")
    workers, threads = workers or query_workers, threads or query_threads
    return [
        sys.executable, "-m", "gunicorn", wsgi,
        "--bind", bind,
        "--worker-class", WORKER_CLASS, "--workers", str(workers), "--threads", str(threads),
        "--graceful-timeout", "5", "--timeout", "30", "--no-control-socket",
        "--chdir", str(PROJECT_DIR),
        "--config", "python:shared.gunicorn_conf",
    ]  # fmt: skip


class ProcessesMixin(StackBase):
    """`<service>-web` and `<service>-worker` per service (and Redis, by the name `redis`):
    built, stopped, killed, paused and started again one at a time, and waited for."""

    def _build_processes(self) -> None:
        logs = self.run_dir / "logs"
        for spec in self.services:
            self.processes[f"{spec.name}-web"] = ManagedProcess(
                name=f"{spec.name}-web",
                command=self._web_command(spec),
                env=self.service_env(spec),
                log_path=logs / f"{spec.name}-web.log",
            )
            if spec.has_worker:
                name = f"{spec.name}-worker"
                self.processes[name] = self._worker_process(spec, name)

    def _worker_process(
        self,
        spec: ServiceSpec,
        name: str,
        *,
        hostname: str | None = None,
        env: dict[str, str] | None = None,
    ) -> ManagedProcess:
        command = self._worker_command(spec)
        if hostname:
            command[command.index("--hostname") + 1] = hostname
        return ManagedProcess(
            name=name,
            command=command,
            env={
                **self.service_env(spec),
                **WORKER_ENV,
                "BLOG_READY_FILE": str(self._ready_file(name)),
                **(env or {}),
            },
            log_path=self.run_dir / "logs" / f"{name}.log",
        )

    def _web_command(self, spec: ServiceSpec) -> list[str]:
        workers, threads = launcher_web_shape(spec.name)
        return gunicorn_command(
            spec.wsgi,
            bind=f"{self.host}:{self.ports[spec.name]}",
            workers=workers,
            threads=threads,
        )

    def _worker_command(self, spec: ServiceSpec) -> list[str]:
        return [
            sys.executable, "-m", "shared.messaging.worker", spec.name,
            "--hostname", f"{spec.name}@%h-{os.getpid()}", "--loglevel", "INFO",
        ]  # fmt: skip

    def _ready_file(self, process_name: str) -> Path:
        return self.run_dir / "ready" / process_name

    # -- more workers ----------------------------------------------------------------------
    def add_worker(
        self, service: str, *, env: dict[str, str] | None = None, start: bool = True
    ) -> str:
        """One more Celery worker for a service: another consumer of its queue, with the
        launcher's command and environment (plus `env`) and its own hostname. Returns its
        process name, `<service>-worker-<n>` (n from 2). It stops with the stack, or before
        with remove_worker. With start=False, start it (and others) with start_processes."""
        spec = self.spec(service)
        if not spec.has_worker:
            raise StackError(f"{service} runs no worker")
        number = 2
        while f"{service}-worker-{number}" in self.processes:
            number += 1
        name = f"{service}-worker-{number}"
        self._ready_file(name).unlink(missing_ok=True)
        self.processes[name] = self._worker_process(
            spec, name, hostname=f"{service}{number}@%h", env=env
        )
        if start:
            self.start_processes([name])
        return name

    def remove_worker(self, name: str) -> None:
        """Stop a worker that add_worker started and forget it."""
        if name not in self.processes or not re.fullmatch(r"[a-z]+-worker-\d+", name):
            raise StackError(f"{name!r} is not a worker added by add_worker")
        self.processes.pop(name).stop()
        self._ready_file(name).unlink(missing_ok=True)
        self.stopped_on_purpose.discard(name)

    # -- one process at a time (fault injection) -----------------------------------------
    def process(self, name: str) -> ManagedProcess:
        if name == "redis" and self.redis:
            return self.redis.process
        try:
            return self.processes[name]
        except KeyError:
            known = ", ".join([*self.processes, *(["redis"] if self.redis else [])])
            raise StackError(f"no process {name!r}; known: {known}") from None

    def stop_process(self, name: str) -> None:
        self.stopped_on_purpose.add(name)
        self.process(name).stop()
        self._ready_file(name).unlink(missing_ok=True)

    def kill_process(self, name: str) -> None:
        self.stopped_on_purpose.add(name)
        self.process(name).kill()
        self._ready_file(name).unlink(missing_ok=True)

    def start_process(self, name: str, *, timeout: float = 60.0) -> None:
        self.start_processes([name], timeout=timeout)

    def start_processes(self, names: list[str], *, timeout: float = 60.0) -> None:
        """Start several (stopped) processes at once, then wait until they answer: Redis its
        ping, the others until the whole stack is healthy."""
        for name in names:
            self._ready_file(name).unlink(missing_ok=True)
            self.stopped_on_purpose.discard(name)
            self.process(name).start()
        if "redis" in names:
            assert self.redis is not None, "only a stack with a Redis has a redis process"
            wait_until(self.redis.ping, timeout=timeout, message="redis did not come back")
        if any(name != "redis" for name in names):
            self.wait_healthy(timeout=timeout)

    def pause_process(self, name: str) -> None:
        """SIGSTOP: the process holds its sockets but answers nothing (a hung service)."""
        self.process(name).pause()

    def resume_process(self, name: str) -> None:
        self.process(name).resume()

    # -- health ----------------------------------------------------------------
    def process_ready(self, name: str) -> bool:
        process = self.processes[name]
        if not process.running:
            return False
        if "-worker" in name:  # the launcher's `<service>-worker` or an added one
            return self._ready_file(name).exists()
        try:
            response = requests.get(f"{self.url(name.removesuffix('-web'))}/health/", timeout=1)
        except requests.RequestException:
            return False
        return response.status_code == 200

    def unhealthy(self) -> list[str]:
        return [name for name in self.processes if not self.process_ready(name)]

    def wait_healthy(self, *, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while True:
            waiting = [
                name
                for name in self.processes
                if name not in self.stopped_on_purpose and not self.process_ready(name)
            ]
            if not waiting:
                return
            died = [name for name in waiting if not self.processes[name].running]
            if died or time.monotonic() > deadline:
                name = (died or waiting)[0]
                state = "exited" if died else "not healthy in time"
                raise StackError(
                    f"{self.kind}: {name} {state}; log tail:\n{self.processes[name].log_tail()}"
                )
            time.sleep(0.1)
