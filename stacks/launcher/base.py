"""What every part of a stack shares: its services, their addresses, its run folder, manage.py."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from stacks.gateway import Gateway
from stacks.processes import ManagedProcess
from stacks.redis_server import PrivateRedis
from stacks.routes import ServiceSpec

PROJECT_DIR = Path(__file__).resolve().parents[2]
MANAGE_PY = PROJECT_DIR / "manage.py"


class StackError(RuntimeError):
    """A stack could not be started, or did not become healthy in time."""


class StackBase:
    """The state that Stack.__init__ sets and each role's part reads, and the lookups all
    of them use."""

    kind: str
    services: tuple[ServiceSpec, ...]
    run_dir: Path
    host: str
    ports: dict[str, int]
    database_url: str | None
    fresh: bool
    extra_env: dict[str, str]
    gateway: Gateway | None
    redis: PrivateRedis | None
    redis_url: str | None
    processes: dict[str, ManagedProcess]
    stopped_on_purpose: set[str]
    event_signing_keys: dict[str, str]
    _launch_token: str

    @property
    def trace_dir(self) -> Path:
        return self.run_dir / "traces"

    def url(self, service: str) -> str:
        return f"http://{self.host}:{self.ports[service]}"

    @property
    def urls(self) -> dict[str, str]:
        return {spec.name: self.url(spec.name) for spec in self.services}

    def spec(self, service: str) -> ServiceSpec:
        for spec in self.services:
            if spec.name == service:
                return spec
        raise StackError(f"{self.kind} has no service {service!r}")

    def service_env(self, spec: ServiceSpec) -> dict[str, str]:
        """The environment one service's processes run with (Stack.service_env)."""
        raise NotImplementedError

    def _manage_popen(self, spec: ServiceSpec, args: list[str], env=None) -> subprocess.Popen:
        return subprocess.Popen(
            [sys.executable, str(MANAGE_PY), *args],
            env={**self.service_env(spec), **(env or {})},
            cwd=PROJECT_DIR,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )

    def manage(self, service: str, *args: str, env: dict[str, str] | None = None) -> str:
        """Run a management command in one service's environment; returns its output."""
        popen = self._manage_popen(self.spec(service), list(args), env)
        output, _ = popen.communicate(timeout=300)
        if popen.returncode != 0:
            raise StackError(f"manage.py {' '.join(args)} on {service} failed:\n{output}")
        return output
